#!/bin/sh
# hwasmc links LLVM statically and hides it: libbinaryen.so carries its own copy of LLVM
# symbols, and any llvm:: symbol hwasmc exports can bind to the wrong copy and crash.
. "$(dirname "$0")/lib.sh"
leaked=$(nm -D --defined-only -C "$HWASMC" | grep -c 'llvm::' || true)
expect_eq "no llvm:: symbol in hwasmc's dynamic symbol table" 0 "$leaked"
expect_match "hwasmc needs libbinaryen at run time" "libbinaryen" "$(ldd "$HWASMC")"
if ldd "$HWASMC" | grep -q libLLVM; then fail "hwasmc must not load libLLVM.so"; else pass "no libLLVM.so"; fi
finish

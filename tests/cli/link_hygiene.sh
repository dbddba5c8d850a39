#!/bin/sh
# hwasmc links LLVM statically and hides it: libbinaryen.so carries its own copy of LLVM
# symbols, and any llvm:: symbol hwasmc exports can bind to the wrong copy and crash.
. "$(dirname "$0")/lib.sh"
# The same holds for LLD's archives (the in-process linker) and the stand-ins for the LLVM
# targets and extensions it would initialise (compiler/back/link_lld.cpp).
dynsyms=$(nm -D --defined-only -C "$HWASMC")
check "no llvm:: symbol in hwasmc's dynamic symbol table" 0 "$(printf '%s\n' "$dynsyms" | grep -c 'llvm::' || true)"
check "no lld:: symbol in hwasmc's dynamic symbol table" 0 "$(printf '%s\n' "$dynsyms" | grep -c 'lld::' || true)"
check "no LLVM initialiser or plugin stand-in exported" 0 \
    "$(printf '%s\n' "$dynsyms" | grep -Ec 'LLVMInitialize|PluginInfo' || true)"
matches "hwasmc needs libbinaryen at run time" "libbinaryen" "$(ldd "$HWASMC")"
if ldd "$HWASMC" | grep -q libLLVM; then fail "hwasmc must not load libLLVM.so"; else pass "no libLLVM.so"; fi
finish

#!/bin/sh
# A wasi-libc guest carries DWARF from libc.a. Writing such a module is where binaryen's
# bundled LLVM copy collides with ours if hwasmc's link order regresses, so compile one
# through --wasm-opt and run it.
. "$(dirname "$0")/lib.sh"
cat > "$T/guest.c" <<'C'
#include <stdio.h>
#include <string.h>
__attribute__((export_name("format"))) int format(int x) {
    char buf[64];
    snprintf(buf, sizeof buf, "value=%d", x);
    return (int)strlen(buf);
}
C
clang --target=wasm32-wasi -O2 -g -mexec-model=reactor -o "$T/guest.wasm" "$T/guest.c" || { fail "clang wasm32-wasi"; finish; }
matches "the guest carries DWARF" "\.debug_info" "$(wasm-objdump -h "$T/guest.wasm")"
"$HWASMC" "$T/guest.wasm" --wasm-opt=O2 -o "$T/guest.so" 2> "$T/err"
check "hwasmc --wasm-opt=O2 on a DWARF guest exits 0" "" "$(cat "$T/err")"
finish

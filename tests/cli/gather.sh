#!/bin/sh
# Merged lane loads (compiler/back/lower_gather.c) where the lanes' i32 addresses wrap at
# 2^32: in a 4 GiB memory the 16 byte lanes at p+0..p+15 with p = -8 read the last 8 bytes
# and the first 8, and must not trap. A wide load from p would run past 4 GiB into the guard
# region: the merged code must take the original loads there (its no-wrap check).
# tests/fuzz/regress/simd_gather_load_trap.wat covers the traps at the end of memory.
. "$(dirname "$0")/lib.sh"
{
    echo '(module'
    echo '  (memory 65536 65536)'
    printf '  (func $gather (param $p i32) (result v128)'
    k=0 chain='(v128.const i64x2 0 0)'
    while [ $k -lt 16 ]; do
        chain="(v128.load8_lane $k (i32.add (local.get \$p) (i32.const $k)) $chain)"
        k=$((k + 1))
    done
    echo " $chain)"
    cat <<'WAT'
  (func (export "gather") (param $p i32) (result i64 i64)
    (local $v v128)
    (i64.store (i32.const -8) (i64.const 0x0807060504030201))
    (i64.store (i32.const 0) (i64.const 0x100f0e0d0c0b0a09))
    (local.set $v (call $gather (local.get $p)))
    (i64x2.extract_lane 0 (local.get $v)) (i64x2.extract_lane 1 (local.get $v))))
WAT
} >"$T/gather.wat"
wat2wasm "$T/gather.wat" -o "$T/gather.wasm" || { fail "wat2wasm"; finish; }
LO=578437695752307201   # 0x0807060504030201: the bytes at 2^32-8 .. 2^32-1
HI=1157159078456920585  # 0x100f0e0d0c0b0a09: the bytes at 0 .. 7
for flags in "-O0" "-O2" "-O2 --bounds=explicit"; do
    # shellcheck disable=SC2086
    "$HWASMC" "$T/gather.wasm" $flags --emit-llvm "$T/gather.ll" -o "$T/gather.so" || { fail "compile $flags"; continue; }
    if [ "$flags" = -O2 ]; then
        grep -q 'load <16 x i8>' "$T/gather.ll" && pass "$flags: the 16 lane loads are merged" \
            || fail "$flags: the 16 lane loads are not merged (this test then tests nothing)"
    fi
    check "$flags: lanes wrapping at 2^32" "$LO $HI" "$("$HWASM_RUN" "$T/gather.so" gather -8 | tr '\n' ' ' | sed 's/ $//')"
    check "$flags: lanes ending at 2^32-1" "0 $LO" "$("$HWASM_RUN" "$T/gather.so" gather -16 | tr '\n' ' ' | sed 's/ $//')"
    check "$flags: lanes from 0" "$HI 0" "$("$HWASM_RUN" "$T/gather.so" gather 0 | tr '\n' ' ' | sed 's/ $//')"
done
finish

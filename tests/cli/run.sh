#!/bin/sh
# End to end through the command line: compile the demo guest, call it, and see its traps
# reported as errors with the spec's wording while hwasm-run itself exits normally.
. "$(dirname "$0")/lib.sh"
wat2wasm "$SRC/examples/demo.wat" -o "$T/demo.wasm"
for mode in guard explicit; do
    "$HWASMC" "$T/demo.wasm" --bounds=$mode -o "$T/demo.so" || { fail "compile ($mode)"; continue; }
    check "$mode: fib 20" 6765 "$("$HWASM_RUN" "$T/demo.so" fib 20)"
    check "$mode: sum_bytes" 1472 "$("$HWASM_RUN" "$T/demo.so" sum_bytes 64)"
    check "$mode: divide" -42 "$("$HWASM_RUN" "$T/demo.so" divide 84 -2)"
    for c in "divide 1 0|integer divide by zero" "divide -2147483648 -1|integer overflow" \
             "peek 65533|out of bounds memory access" "peek 4294967295|out of bounds memory access" \
             "recurse 0|call stack exhausted"; do
        args=${c%%|*}
        # shellcheck disable=SC2086
        out=$("$HWASM_RUN" "$T/demo.so" $args 2>&1); rc=$?
        check "$mode: $args exits 1 (a trap, not a crash)" 1 "$rc"
        matches "$mode: $args message" "trap: ${c#*|}" "$out"
    done
done
# A 400 KB frame (50,000 i64 locals, hwasmc's limit, all in memory at -O0; -O2 keeps none) in deep
# recursion: the frame itself must trap on the stack's guard, never write past it or crash.
{
    printf '(module (func $big (export "big") (param i32) (result i64) (local'
    i=0; while [ $i -lt 50000 ]; do printf ' i64'; i=$((i + 1)); done
    printf ')\n local.get 0 i32.eqz if (result i64) i64.const 0 else local.get 0 i32.const 1 i32.sub'
    printf ' call $big local.get 50000 i64.add end))\n'
} >"$T/bigframe.wat"
wat2wasm "$T/bigframe.wat" -o "$T/bigframe.wasm"
"$HWASMC" "$T/bigframe.wasm" -O0 -o "$T/bigframe.so" || fail "bigframe compile"
check "bigframe: shallow" 0 "$("$HWASM_RUN" "$T/bigframe.so" big 3)"
out=$("$HWASM_RUN" "$T/bigframe.so" big 100000 2>&1); rc=$?
check "bigframe: deep exits 1 (a trap, not a crash)" 1 "$rc"
matches "bigframe: deep message" "trap: call stack exhausted" "$out"
"$HWASMC" "$T/demo.wasm" --wasm-opt=O2 -o "$T/opt.so" 2> "$T/err" || fail "--wasm-opt=O2 compile: $(cat "$T/err")"
check "--wasm-opt=O2: fib 20" 6765 "$("$HWASM_RUN" "$T/opt.so" fib 20)"
# v128 through hw_call's slots (two per v128, here between an i32) and the trampolines,
# in both bounds modes; a 16-byte load that ends one byte past the memory traps.
cat >"$T/simd.wat" <<'WAT'
(module (memory 1 1)
  (func (export "swap") (param v128 i32 v128) (result v128 i32 v128)
    (local.get 2) (local.get 1) (local.get 0))
  (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32)
    (i8x16.extract_lane_u 0 (v128.load (local.get 0)))))
WAT
wat2wasm "$T/simd.wat" -o "$T/simd.wasm"
for bounds in guard explicit; do
    "$HWASMC" "$T/simd.wasm" --bounds=$bounds -o "$T/simd.so" || fail "simd compile ($bounds)"
    check "simd $bounds: v128 i32 v128 results in order" \
        "0x000000000000000000000000000000ff 7 0x0102030405060708090a0b0c0d0e0f10" \
        "$("$HWASM_RUN" "$T/simd.so" swap 0x0102030405060708090a0b0c0d0e0f10 7 0xff | tr '\n' ' ' | sed 's/ $//')"
    check "simd $bounds: i32x4.add wraps per lane" "0x00000000000000030000000400000005" \
        "$("$HWASM_RUN" "$T/simd.so" add 0x00000001000000020000000300000004 0xffffffff000000010000000100000001)"
    check "simd $bounds: last in-bounds load" 0 "$("$HWASM_RUN" "$T/simd.so" load 65520)"
    out=$("$HWASM_RUN" "$T/simd.so" load 65521 2>&1); rc=$?
    check "simd $bounds: straddling load exits 1" 1 "$rc"
    matches "simd $bounds: straddling load traps" "trap: out of bounds memory access" "$out"
done
finish

#!/bin/sh
# End to end through the command line: compile the demo guest, call it, and see its traps
# reported as errors with the spec's wording while hwasm-run itself exits normally.
. "$(dirname "$0")/lib.sh"
wat2wasm "$SRC/examples/demo.wat" -o "$T/demo.wasm"
for mode in guard explicit; do
    "$HWASMC" "$T/demo.wasm" --bounds=$mode -o "$T/demo.so" || { fail "compile ($mode)"; continue; }
    expect_eq "$mode: fib 20" 6765 "$("$HWASM_RUN" "$T/demo.so" fib 20)"
    expect_eq "$mode: sum_bytes" 1472 "$("$HWASM_RUN" "$T/demo.so" sum_bytes 64)"
    expect_eq "$mode: divide" -42 "$("$HWASM_RUN" "$T/demo.so" divide 84 -2)"
    for c in "divide 1 0|integer divide by zero" "divide -2147483648 -1|integer overflow" \
             "peek 65533|out of bounds memory access" "peek 4294967295|out of bounds memory access" \
             "recurse 0|call stack exhausted"; do
        args=${c%%|*}
        # shellcheck disable=SC2086
        out=$("$HWASM_RUN" "$T/demo.so" $args 2>&1); rc=$?
        expect_eq "$mode: $args exits 1 (a trap, not a crash)" 1 "$rc"
        expect_match "$mode: $args message" "trap: ${c#*|}" "$out"
    done
done
"$HWASMC" "$T/demo.wasm" --wasm-opt=O2 -o "$T/opt.so" 2> "$T/err" || fail "--wasm-opt=O2 compile: $(cat "$T/err")"
expect_eq "--wasm-opt=O2: fib 20" 6765 "$("$HWASM_RUN" "$T/opt.so" fib 20)"
finish

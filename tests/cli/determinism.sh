#!/bin/sh
# The same input and flags give a byte-identical .so, whatever the run, the output path or
# the number of threads (-j): a module large enough to be split into several LLVM units
# is split the same way on any number of cores.
. "$(dirname "$0")/lib.sh"
wat2wasm "$SRC/examples/demo.wat" -o "$T/demo.wasm"
for flags in "-O0" "-O1" "-O2" "-O2 --bounds=explicit" "-O2 -j2" "-O1 --no-interrupt-checks" \
    "-O2 --target=aarch64-linux-gnu" "-O0 -j2 --target=aarch64-linux-gnu --bounds=explicit" \
    "-O2 --canonicalize-nans"; do
    # shellcheck disable=SC2086
    "$HWASMC" "$T/demo.wasm" $flags -o "$T/a.so" && "$HWASMC" "$T/demo.wasm" $flags -o "$T/sub-b.so" \
        && cmp -s "$T/a.so" "$T/sub-b.so" && pass "identical output for $flags" || fail "output differs for $flags"
done

# 64 functions of ~1.2 KB of code each (78 KB, over driver.c's split threshold), each
# calling the previous one, so calls cross units: run(x) = x + 64 * 100 * 3.
awk 'BEGIN {
    print "(module (func $f0 (param i32) (result i32) local.get 0)"
    for (i = 1; i <= 64; i++) {
        printf "(func $f%d (param i32) (result i32)", i
        for (k = 0; k < 100; k++) printf " local.get 0 i32.const 3 i32.add local.set 0 i32.const 100000 drop"
        printf " local.get 0 call $f%d)\n", i - 1
    }
    print "(export \"run\" (func $f64)))"
}' > "$T/big.wat"
wat2wasm "$T/big.wat" -o "$T/big.wasm"
for opt in -O0 -O1 -O2; do
    "$HWASMC" "$T/big.wasm" $opt -j1 -o "$T/big1.so" || { fail "big $opt -j1 compiles"; continue; }
    check "big $opt: run 5 across units" 19205 "$("$HWASM_RUN" "$T/big1.so" run 5)"
    for j in 2 3 8; do
        "$HWASMC" "$T/big.wasm" $opt -j$j -o "$T/big$j.so" && cmp -s "$T/big1.so" "$T/big$j.so" \
            && pass "big $opt: -j$j output identical to -j1" || fail "big $opt: -j$j output differs from -j1"
    done
done
finish

#!/bin/sh
# The same input and flags give a byte-identical .so, whatever the run or the output path.
. "$(dirname "$0")/lib.sh"
wat2wasm "$SRC/examples/demo.wat" -o "$T/demo.wasm"
for flags in "-O0" "-O2" "-O2 --bounds=explicit" "-O2 -j2" "-O1 --no-interrupt-checks" \
    "-O2 --target=aarch64-linux-gnu" "-O0 -j2 --target=aarch64-linux-gnu --bounds=explicit" \
    "-O2 --canonicalize-nans"; do
    # shellcheck disable=SC2086
    "$HWASMC" "$T/demo.wasm" $flags -o "$T/a.so" && "$HWASMC" "$T/demo.wasm" $flags -o "$T/sub-b.so" \
        && cmp -s "$T/a.so" "$T/sub-b.so" && pass "identical output for $flags" || fail "output differs for $flags"
done
finish

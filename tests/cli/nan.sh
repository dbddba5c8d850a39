#!/bin/sh
# --canonicalize-nans: a NaN computed by float arithmetic has the canonical bits (0x7fc00000)
# whatever x86 would give (an input's payload, quieted, or its default NaN 0xffc00000);
# without the flag the result keeps x86's bits, as before, in both bounds modes and at -O0/-O2.
. "$(dirname "$0")/lib.sh"
cat >"$T/nan.wat" <<'WAT'
(module
  ;; lanes: a quiet NaN with a payload, a negative one, a signalling one, and 1.0
  (func $div (result v128)
    (f32x4.div (v128.const i32x4 0x7fc01234 0xffc00001 0x7fa00000 0x3f800000)
               (v128.const f32x4 1 1 1 1)))
  (func (export "lane0") (result i32) (i32x4.extract_lane 0 (call $div)))
  (func (export "lane1") (result i32) (i32x4.extract_lane 1 (call $div)))
  (func (export "lane2") (result i32) (i32x4.extract_lane 2 (call $div)))
  (func (export "lane3") (result i32) (i32x4.extract_lane 3 (call $div)))
  ;; f64x2.mul of a NaN with a payload: the low word of lane 0 (payload bits 0..31)
  (func (export "f64x2_mul") (result i32)
    (i32x4.extract_lane 0 (f64x2.mul (v128.const i64x2 0x7ff8000012345678 0) (v128.const f64x2 2 2))))
  ;; scalar 0/0 from arguments (nothing to fold): x86's default NaN is negative
  (func (export "f32_div") (param i32 i32) (result i32)
    (i32.reinterpret_f32 (f32.div (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  ;; bit moves are exact with the flag too: neg of a payload NaN keeps the payload
  (func (export "f32_neg") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.neg (f32.reinterpret_i32 (local.get 0))))))
WAT
wat2wasm "$T/nan.wat" -o "$T/nan.wasm" || { fail "wat2wasm"; finish; }
# i32 results as hwasm-run prints them (signed decimal)
CANON=2143289344    # 0x7fc00000
for flags in "-O0" "-O2" "-O2 --bounds=explicit"; do
    for canon in "" "--canonicalize-nans"; do
        # shellcheck disable=SC2086
        "$HWASMC" "$T/nan.wasm" $flags $canon -o "$T/nan.so" || { fail "compile $flags $canon"; continue; }
        [ "$flags" = -O2 ] && cp "$T/nan.so" "$T/O2${canon:+-canon}.so" # compared below
        got=$(for f in lane0 lane1 lane2 lane3 f64x2_mul; do "$HWASM_RUN" "$T/nan.so" $f; done | tr '\n' ' ')
        got="$got$("$HWASM_RUN" "$T/nan.so" f32_div 0 0) $("$HWASM_RUN" "$T/nan.so" f32_neg 2143294004)"
        if [ -n "$canon" ]; then
            # f64's canonical NaN has a zero low word; neg flips the sign bit only
            check "$flags $canon: canonical NaNs" \
                "$CANON $CANON $CANON 1065353216 0 $CANON -4189644" "$got"
        else
            # payloads kept (the signalling one quieted: 0x7fe00000; f64's 0x12345678), and
            # x86's default NaN 0xffc00000 for 0/0
            check "$flags: x86's NaNs (the default)" \
                "2143294004 -4194303 2145386496 1065353216 305419896 -4194304 -4189644" "$got"
        fi
    done
done
if [ -f "$T/O2.so" ] && [ -f "$T/O2-canon.so" ]; then
    cmp -s "$T/O2.so" "$T/O2-canon.so" && fail "--canonicalize-nans changes nothing in the output" \
        || pass "--canonicalize-nans changes the code"
else
    fail "compile with and without --canonicalize-nans"
fi
finish

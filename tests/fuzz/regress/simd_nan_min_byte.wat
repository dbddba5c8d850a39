;; Fuzz seed 815 (run-diff --simd), reduced by hand: f32x4.min of NaNs (lanes 2 and 3, with
;; payloads) is stored and one of its bytes reloaded as an integer. x86's minps keeps an
;; input's payload; binaryen's interpreter gives the canonical NaN; wasm allows both, and
;; hwasmc --canonicalize-nans (what run-diff compiles with) gives the canonical one.
;; Expected: the bytes of 0x7fc00000 in lanes 2 and 3 (0, 0, 192, 127).
(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (memory 1 1)
  (func (export "min_bytes")
    (v128.store (i32.const 0)
      (f32x4.min (v128.const i32x4 0xc4460000 0x00018001 0x7fff0a57 0xff01ffda)
                 (v128.const i32x4 0x5c000000 0x4e800000 0xbf67ef9e 0xffffffa1)))
    (call $log (i32.load8_u (i32.const 8)))
    (call $log (i32.load8_u (i32.const 9)))
    (call $log (i32.load8_u (i32.const 14)))
    (call $log (i32.load8_u (i32.const 15)))))

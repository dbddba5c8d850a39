;; Fuzz seed 947 (run-diff --simd), reduced by hand: f32x4.max of a NaN with a payload
;; (lane 0 of the second operand, 0xffb7a964) is stored and its bytes reloaded as an i32.
;; x86 keeps the payload (0xffb7a964); binaryen's interpreter and hwasmc
;; --canonicalize-nans give 0x7fc00000. Expected: 2143289344, then lanes 1-3 as computed.
(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (memory 1 1)
  (func (export "max_store")
    (v128.store offset=3 (i32.const 0)
      (f32x4.max (v128.const i32x4 0x2000a569 0x01778000 0x1c0b0001 0x0000ffff)
                 (v128.const i32x4 0xffb7a964 0xe000ffff 0x00e1ffb1 0x00007ffe)))
    (call $log (i32.load offset=3 (i32.const 0)))
    (call $log (i32.load offset=7 (i32.const 0)))
    (call $log (i32.load16_u offset=10 (i32.const 0)))))

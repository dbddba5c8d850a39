;; Fuzz seed 1178 (run-diff --simd), reduced by hand: f32x4.div of NaNs with payloads
;; (0xff016f01 / 0xffffb312 ...) narrowed to bytes: x86's payload bytes and the canonical
;; NaN's narrow differently, so i16x8.all_true of the splatted f64 lane (and the lane's
;; bits) depend on the NaN's bits. binaryen's interpreter and hwasmc --canonicalize-nans
;; agree; x86's own NaNs would not.
(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (import "fuzzing-support" "log-i64" (func $log64 (param i64)))
  (func (export "div_all_true")
    (local v128)
    (local.set 0
      (f64x2.splat
        (f64x2.extract_lane 0
          (i8x16.narrow_i16x8_u
            (f32x4.div (v128.const i32x4 0xff016f01 0x0189006b 0x0024ff00 0x721d6628)
                       (v128.const i32x4 0xffffb312 0xffffff00 0xffffff80 0xffffffbe))
            (v128.const i32x4 0xfffffff0 0xffff9044 0xffffffc3 0xfffffe00)))))
    (call $log (i16x8.all_true (local.get 0)))
    (call $log64 (i64x2.extract_lane 0 (local.get 0)))))

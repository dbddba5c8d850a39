;; Fuzz seed 1065 (run-diff --simd), reduced by hand: f64x2.mul whose lane 1 is a NaN with
;; a payload (0x7fffffff00000009) times a loaded value; i8x16.shuffle then moves NaN bytes
;; next to ordinary ones, so no v128 lane is a whole NaN and the payload is visible. x86
;; keeps it; binaryen's interpreter and hwasmc --canonicalize-nans give 0x7ff8000000000000.
(module
  (import "fuzzing-support" "log-v128" (func $log (param v128)))
  (memory 1 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13")
  (func (export "mul_shuffle")
    (call $log
      (i8x16.shuffle 4 26 3 29 6 6 24 29 27 2 21 21 14 6 24 6
        (f64x2.mul (v128.const i32x4 0x00000080 0x8f1b707c 0x00000009 0x7fffffff)
                   (v128.load offset=3 align=8 (i32.const 0)))
        (v128.const i32x4 0x11223344 0x55667788 0x99aabbcc 0xddeeff00)))))

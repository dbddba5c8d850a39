;; A vector load feeding float arithmetic of which only one lane is used: the code
;; generator may shrink such a load to that lane, which lies in bounds while the 16
;; bytes do not, so vector loads keep their keep-alive even before float arithmetic
;; (lower_keepalive.c, reads_every_bit).
;; Expected: both exports trap out of bounds memory access, and nothing is logged.
(module
  (import "fuzzing-support" "log-f32" (func $log (param f32)))
  (memory 1 1)
  (func (export "first_lane_sum")
    (call $log (f32x4.extract_lane 0 (f32x4.add (v128.load (i32.const 65528))
                                                (v128.const f32x4 1 1 1 1)))))
  (func (export "first_lane_square")
    (call $log (f32x4.extract_lane 0 (f32x4.mul (v128.load (i32.const 65528))
                                                (v128.load (i32.const 65528)))))))

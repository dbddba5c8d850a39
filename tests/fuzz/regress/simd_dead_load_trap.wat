;; Vector loads whose value does not matter must still trap out of bounds in guard mode
;; (lower_keepalive.c): LLVM folds a lane the load does not reach, or a dropped load
;; once $get is inlined, and would delete the load with its trap.
;; Expected: every export traps out of bounds memory access, and nothing is logged.
(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (memory 1 1)
  (func $get (param i32) (result v128) (v128.load offset=16 (local.get 0)))
  ;; the result is dropped after inlining
  (func (export "dropped")
    (drop (call $get (i32.const -100))))
  ;; lane 0 of a vector whose lane 3 is the load: the load feeds nothing
  (func (export "other_lane")
    (call $log (i32x4.extract_lane 0
      (v128.load32_lane 3 (i32.const 70000) (v128.const i32x4 7 7 7 7)))))
  ;; lane 1 of load64_zero is always 0
  (func (export "zero_lane")
    (call $log (i32.wrap_i64 (i64x2.extract_lane 1 (v128.load64_zero (i32.const 65536))))))
  ;; a splat compared with itself is all ones whatever was loaded
  (func (export "splat_self")
    (call $log (i32x4.all_true (i32x4.eq (v128.load32_splat (i32.const 65536))
                                         (v128.load32_splat (i32.const 65536)))))))

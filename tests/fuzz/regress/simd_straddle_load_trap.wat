;; A 16-byte load that starts in bounds and ends past the memory must trap, even when only
;; its first byte is used: LLVM narrows such a load to the byte it needs, which is in
;; bounds, unless the keep-alive (lower_keepalive.c) holds the whole vector.
;; Expected: "first_byte" and "last_lane" trap out of bounds memory access; "inside" logs 0.
(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (memory 1 1)
  (func (export "first_byte")
    (call $log (i8x16.extract_lane_u 0 (v128.load (i32.const 65530)))))
  (func (export "last_lane")
    (call $log (i32x4.extract_lane 0 (v128.load8x8_u (i32.const 65529)))))
  (func (export "inside")
    (call $log (i8x16.extract_lane_u 0 (v128.load (i32.const 65520))))))

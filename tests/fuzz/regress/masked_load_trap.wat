;; The out-of-bounds load's value is used, but `and` with a mask makes it irrelevant
;; (load32_u has zero high bits), so LLVM's instruction selection deletes the load and its
;; trap even at -O0 (here, in a function with a multi-value result, which FastISel does
;; not handle), unless lower_keepalive.c keeps it alive. Reduced from run-diff --keep-nans seed 713.
;; Expected: "f" traps out of bounds memory access (no log line).
(module
  (import "fuzzing-support" "log-i64" (func $log (param i64)))
  (memory 16 17)
  (func (export "f") (result i32 i32)
    (call $log (i64.and (i64.load32_u (i32.const 1191370))
                        (i64.const 0x8000000000000000)))
    (i32.const 0) (i32.const 0)))

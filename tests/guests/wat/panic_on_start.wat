;; panic_on_start.wat — prints "panic!" to stderr in the start section, then traps:
;; creating the middleware must fail and the error must carry the guest's output.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "panic!\n")
  (data (i32.const 0) "\10\00\00\00\07\00\00\00")
  (func $start
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    unreachable)
  (start $start)
  (func (export "handle_request") (result i64) (i64.const 1))
  (func (export "handle_response") (param i32 i32)))

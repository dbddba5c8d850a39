;; exit_in_start.wat — a WASI command whose _start enables buffer_request and ends with
;; proc_exit(0), as some toolchains do after main: creation succeeds; proc_exit(1) would not.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "http_handler" "enable_features" (func $enable_features (param i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "_start")
    (drop (call $enable_features (i32.const 1)))
    (call $proc_exit (i32.const 0))
    unreachable)
  (func (export "handle_request") (result i64) (i64.const 1))
  (func (export "handle_response") (param i32 i32)))

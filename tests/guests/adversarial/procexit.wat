;; procexit.wat — calls WASI proc_exit(3) in the middle of handle_request: the host turns
;; it into a trap ("exit 3"); the request gets the trap status, the instance is dropped.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "handle_request") (result i64)
    (call $proc_exit (i32.const 3))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

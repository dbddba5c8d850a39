;; stdout_flood.wat — writes 64000-byte chunks of 'x' to WASI stdout forever: only the
;; time budget stops it; what reaches the sidecar's log must stay bounded.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\40\00\00\00\00\fa\00\00") ;; iovec {64, 64000}; nwritten at 8
  (func (export "handle_request") (result i64)
    (memory.fill (i32.const 64) (i32.const 120) (i32.const 64000))
    (loop $forever
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $forever))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

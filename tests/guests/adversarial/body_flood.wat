;; body_flood.wat — appends its whole 64 KiB memory to the response body forever: the
;; host must stop it (a bound on what a guest may write) before its memory runs out.
(module
  (import "http_handler" "write_body" (func $write_body (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "handle_request") (result i64)
    (loop $forever
      (call $write_body (i32.const 1) (i32.const 0) (i32.const 65536))
      (br $forever))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

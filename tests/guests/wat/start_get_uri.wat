;; start_get_uri.wat — calls get_uri in its start section, where no request exists: the
;; host traps naming the function and the phase, so creation fails.
(module
  (import "http_handler" "get_uri" (func $get_uri (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (func $start (drop (call $get_uri (i32.const 0) (i32.const 16))))
  (start $start)
  (func (export "handle_request") (result i64) (i64.const 1))
  (func (export "handle_response") (param i32 i32)))

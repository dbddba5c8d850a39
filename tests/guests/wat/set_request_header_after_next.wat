;; set_request_header_after_next.wat — sets a request header in handle_response: the host
;; must trap "can't set request header after next handler".
(module
  (import "http_handler" "set_header_value"
    (func $set_header_value (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 0) "x-a")
  (func (export "handle_request") (result i64) (i64.const 1))
  (func (export "handle_response") (param i32 i32)
    (call $set_header_value (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 1))))

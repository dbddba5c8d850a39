;; panic_on_handle_response.wat — calls next, then traps in handle_response.
(module
  (memory (export "memory") 1 1)
  (func (export "handle_request") (result i64) (i64.const 1))
  (func (export "handle_response") (param i32 i32) unreachable))

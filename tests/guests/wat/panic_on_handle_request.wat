;; panic_on_handle_request.wat — traps in handle_request: the request fails, the instance goes.
(module
  (memory (export "memory") 1 1)
  (func (export "handle_request") (result i64) unreachable)
  (func (export "handle_response") (param i32 i32)))

;; obsolete_next.wat — the pre-2022 ABI imported http_handler.next: the load must fail naming it.
(module
  (import "http_handler" "next" (func $next))
  (memory (export "memory") 1 1)
  (func (export "handle_request") (result i64) (call $next) (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

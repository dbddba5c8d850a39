;; loop.wat — a runaway guest: handle_request never returns; the deadline must interrupt it.
(module
  (memory (export "memory") 1 1)
  (func (export "handle_request") (result i64) (loop $l (br $l)) (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

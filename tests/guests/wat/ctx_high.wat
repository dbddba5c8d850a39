;; ctx_high.wat — returns 16<<32|0: the high word must not count as "next" (§1.4 edge).
(module
  (global $calls (mut i32) (i32.const 0))
  (memory (export "memory") 1 1)
  (func (export "handle_request") (result i64) (i64.const 68719476736))
  (func (export "handle_response") (param i32 i32) unreachable))

;; write_big.wat — answers every request itself with a 16 MiB body, written in 1 MiB
;; pieces (write_body, response kind): under the per-body cap (64 MiB), but host memory
;; the embedder's process-wide bound must count (hwasmd: limits.buffered_bytes).
(module
  (import "http_handler" "write_body" (func $write_body (param i32 i32 i32)))
  (memory (export "memory") 17)
  (func (export "handle_request") (result i64)
    (local $i i32)
    (loop $more
      (call $write_body (i32.const 1) (i32.const 0) (i32.const 1048576))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $i) (i32.const 16))))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

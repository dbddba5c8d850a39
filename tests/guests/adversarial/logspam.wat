;; logspam.wat — one million http_handler.log calls in one handle_request, then answers
;; 200: the sidecar must survive, and what reaches its log must stay bounded.
(module
  (import "http_handler" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "spam")
  (func (export "handle_request") (result i64)
    (local $i i32)
    (loop $more
      (call $log (i32.const 0) (i32.const 0) (i32.const 4))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $i) (i32.const 1000000))))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

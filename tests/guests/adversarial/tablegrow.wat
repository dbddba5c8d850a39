;; tablegrow.wat — asks for a million table elements at once (8 MB of host pointers);
;; when refused, grows 1024 at a time until table.grow says -1. Answers 201 when the big
;; ask was granted, else 200 + (final size >> 12): 231 under the default cap of 131072.
(module
  (import "http_handler" "set_status_code" (func $set_status (param i32)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "handle_request") (result i64)
    (if (i32.ne (table.grow $t (ref.null func) (i32.const 1000000)) (i32.const -1))
      (then (call $set_status (i32.const 201)) (return (i64.const 0))))
    (loop $more
      (br_if $more (i32.ne (table.grow $t (ref.null func) (i32.const 1024)) (i32.const -1))))
    (call $set_status (i32.add (i32.const 200) (i32.shr_u (table.size $t) (i32.const 12))))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

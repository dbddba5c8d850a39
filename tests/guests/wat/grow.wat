;; grow.wat — grows memory by 8 pages per request and answers 200 with the old size as
;; the status offset (200 + old pages), or 507 once memory.grow returns -1 (memory cap).
(module
  (import "http_handler" "set_status_code" (func $set_status (param i32)))
  (memory (export "memory") 1)
  (func (export "handle_request") (result i64)
    (local $old i32)
    (local.set $old (memory.grow (i32.const 8)))
    (if (i32.eq (local.get $old) (i32.const -1))
      (then (call $set_status (i32.const 507)))
      (else (call $set_status (i32.add (i32.const 200) (local.get $old)))))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

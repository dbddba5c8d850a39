;; state.wat — keeps state in a mutable global and in memory far from the start of an
;; 8-page memory (the copy-on-write snapshot path of the reset policy): each request
;; answers 200 + global + memory word, then increments both.
(module
  (import "http_handler" "set_status_code" (func $set_status (param i32)))
  (memory (export "memory") 8)
  (global $g (mut i32) (i32.const 0))
  (func (export "handle_request") (result i64)
    (call $set_status (i32.add (i32.const 200)
      (i32.add (global.get $g) (i32.load (i32.const 400000)))))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.store (i32.const 400000) (i32.add (i32.load (i32.const 400000)) (i32.const 10)))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

;; recurse.wat — unbounded recursion (work after the call, so it cannot become a loop):
;; the native stack check must trap "call stack exhausted" long before the guard page.
(module
  (memory (export "memory") 1)
  (global $depth (mut i32) (i32.const 0))
  (func $down (param $d i32) (result i32)
    (global.set $depth (local.get $d))
    (i32.add (call $down (i32.add (local.get $d) (i32.const 1))) (global.get $depth)))
  (func (export "handle_request") (result i64)
    (i64.extend_i32_u (call $down (i32.const 0))))
  (func (export "handle_response") (param i32 i32)))

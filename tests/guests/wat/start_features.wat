;; start_features.wat — enables buffer_request|buffer_response module-wide from its start
;; section (as examples/redact.wat does) and traps unless the enabled set comes back.
(module
  (import "http_handler" "enable_features" (func $enable_features (param i32) (result i32)))
  (memory (export "memory") 1 1)
  (func $start
    (if (i32.ne (call $enable_features (i32.const 0)) (i32.const 0)) (then unreachable))
    (if (i32.ne (call $enable_features (i32.const 3)) (i32.const 3)) (then unreachable))
    (if (i32.ne (call $enable_features (i32.const 0x7fffff08)) (i32.const 3)) (then unreachable)))
  (start $start)
  (func (export "handle_request") (result i64) (i64.const 1))
  (func (export "handle_response") (param i32 i32)))

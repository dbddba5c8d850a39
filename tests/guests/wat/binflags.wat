;; binflags.wat — the upstream hosts' config example, reproduced: its start reads a guest
;; config that must be exactly 8 bytes, the required features as a little-endian u64 (so
;; NUL bytes inside), asks for them with enable_features and traps unless the host grants
;; at least one of them (or, asking none, grants none). Every request then goes on to the
;; next handler, with the granted set as a digit in the response header x-features.
(module
  (import "http_handler" "enable_features" (func $enable_features (param i32) (result i32)))
  (import "http_handler" "get_config" (func $get_config (param i32 i32) (result i32)))
  (import "http_handler" "set_header_value" (func $set_header_value (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 32) "x-features")
  (global $enabled (mut i32) (i32.const 0))
  (func $must_enable_features
    (local $required i32)
    (if (i32.ne (call $get_config (i32.const 0) (i32.const 8)) (i32.const 8)) (then unreachable))
    ;; the high 32 bits are unused feature bits: they must be zero
    (if (i32.ne (i32.load (i32.const 4)) (i32.const 0)) (then unreachable))
    (local.set $required (i32.load (i32.const 0)))
    (global.set $enabled (call $enable_features (local.get $required)))
    (if (i32.eqz (local.get $required))
      (then (if (i32.ne (global.get $enabled) (i32.const 0)) (then unreachable)))
      (else (if (i32.eqz (i32.and (global.get $enabled) (local.get $required))) (then unreachable)))))
  (start $must_enable_features)
  (func (export "handle_request") (result i64)
    (i32.store8 (i32.const 48) (i32.add (i32.const 48) (global.get $enabled)))
    (call $set_header_value (i32.const 1) (i32.const 32) (i32.const 10) (i32.const 48) (i32.const 1))
    (i64.const 1))
  (func (export "handle_response") (param i32 i32)))

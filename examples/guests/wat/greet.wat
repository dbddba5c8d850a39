;; greet.wat — the example guest in the WebAssembly text format (wat2wasm greet.wat):
;; GET /hello is answered by the guest itself; every other request goes on to the next
;; handler with a request header x-guest: wat, and comes back with the same response header.
(module
  (import "http_handler" "get_uri" (func $get_uri (param i32 i32) (result i32)))
  (import "http_handler" "set_header_value" (func $set_header (param i32 i32 i32 i32 i32)))
  (import "http_handler" "write_body" (func $write_body (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/hello")            ;; 6 bytes
  (data (i32.const 16) "hello from wat\n") ;; 15 bytes
  (data (i32.const 32) "x-guest")          ;; 7 bytes
  (data (i32.const 48) "wat")              ;; 3 bytes
  (data (i32.const 64) "content-type")     ;; 12 bytes
  (data (i32.const 80) "text/plain")       ;; 10 bytes
  ;; the URI is read to offset 1024 (at most 64 bytes)
  (func (export "handle_request") (result i64)
    (local $n i32)
    (local.set $n (call $get_uri (i32.const 1024) (i32.const 64)))
    (if (i32.and (i32.eq (local.get $n) (i32.const 6))
                 (i64.eq (i64.load32_u (i32.const 1024)) (i64.load32_u (i32.const 0))))
      (then
        (if (i32.eq (i32.load16_u (i32.const 1028)) (i32.load16_u (i32.const 4)))
          (then
            (call $set_header (i32.const 1) (i32.const 64) (i32.const 12) (i32.const 80) (i32.const 10))
            (call $write_body (i32.const 1) (i32.const 16) (i32.const 15))
            (return (i64.const 0))))))  ;; answered here
    (call $set_header (i32.const 0) (i32.const 32) (i32.const 7) (i32.const 48) (i32.const 3))
    (call $set_header (i32.const 1) (i32.const 32) (i32.const 7) (i32.const 48) (i32.const 3))
    (i64.const 1))                      ;; next, request context 0
  (func (export "handle_response") (param $ctx i32) (param $is_error i32)))

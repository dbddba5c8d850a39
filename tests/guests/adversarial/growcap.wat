;; growcap.wat — grows memory one page at a time until memory.grow says no (the
;; memory_pages cap), checks that asking for more (65536 pages, 0xffffffff pages) also
;; answers -1 without trapping, writes the new last byte, and answers 200 + the page count.
(module
  (import "http_handler" "set_status_code" (func $set_status (param i32)))
  (memory (export "memory") 1)
  (func (export "handle_request") (result i64)
    (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (if (i32.ne (memory.grow (i32.const 65536)) (i32.const -1)) (then unreachable))
    (if (i32.ne (memory.grow (i32.const -1)) (i32.const -1)) (then unreachable))
    (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 1))
    (call $set_status (i32.add (i32.const 200) (memory.size)))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

;; bounds.wat — loads and stores at every edge of linear memory; the last digit of the URI
;; picks the case. Cases 0, 2, 5 stay inside and answer 200; the others must trap:
;;   0 load8 last byte            1 load8 one past the end
;;   2 i64.store on the last 8    3 i64.store straddling the end
;;   4 load8 offset=0xffffffff (address + offset > 4 GiB, must not wrap)
;;   5 grow 1 page, store8 on the new last byte    6 grow 1 page, load8 one past it
;;   7 i32.load at 0xfffffffe (address + 4 wraps in 32 bits)
;; Every loaded value goes to a global so the compiler cannot drop the access.
(module
  (import "http_handler" "get_uri" (func $get_uri (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $sink (mut i64) (i64.const 0))
  ;; the first address past the end of memory
  (func $end (result i32) (i32.mul (memory.size) (i32.const 65536)))
  (func $grow1
    (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable)))
  (func (export "handle_request") (result i64)
    (local $n i32)
    (local.set $n (call $get_uri (i32.const 0) (i32.const 256)))
    (block $done
      (block $c7 (block $c6 (block $c5 (block $c4 (block $c3 (block $c2 (block $c1 (block $c0
        (br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c7 $done
          (i32.sub (i32.load8_u (i32.sub (local.get $n) (i32.const 1))) (i32.const 48)))) ;; '0'
        (global.set $sink (i64.load8_u (i32.sub (call $end) (i32.const 1))))
        (br $done))
        (global.set $sink (i64.load8_u (call $end)))
        (br $done))
        (i64.store (i32.sub (call $end) (i32.const 8)) (global.get $sink))
        (br $done))
        (i64.store (i32.sub (call $end) (i32.const 7)) (global.get $sink))
        (br $done))
        (global.set $sink (i64.load8_u offset=0xffffffff (local.get $n)))
        (br $done))
        (call $grow1)
        (i32.store8 (i32.sub (call $end) (i32.const 1)) (local.get $n))
        (br $done))
      (call $grow1)
      (global.set $sink (i64.load8_u (call $end)))
      (br $done))
      (global.set $sink (i64.load32_u (i32.const 0xfffffffe))))
    (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

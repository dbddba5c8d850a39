;; The README demo's guest: ordinary work, and the traps hwasm turns into errors.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasm")

  ;; Naive recursion: calls and integer arithmetic.
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; Sums the bytes of memory[0..n): loads in a loop.
  (func (export "sum_bytes") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))

  (func (export "divide") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))

  ;; Reads far outside the guest's 64 KiB: must trap, never touch host memory.
  (func (export "peek") (param i32) (result i32)
    (i32.load (local.get 0)))

  (func $forever (export "recurse") (param i32) (result i32)
    (call $forever (i32.add (local.get 0) (i32.const 1))))
)

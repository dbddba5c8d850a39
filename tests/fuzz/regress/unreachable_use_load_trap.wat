;; The out-of-bounds load's only use is in code after a `return` (an LLVM block with no
;; predecessors), so the load looks used when lowered, yet LLVM deletes it, even at -O0,
;; unless it is kept alive (run-diff --keep-nans seed 387 reduces to this).
;; Expected: "f" traps out of bounds memory access.
(module
  (memory 1 1)
  (func (export "f") (result i32)
    (i32.le_u (i32.load offset=22 (i32.const -1))
      (i32.trunc_f32_u (block (result f32) (return (i32.const 7)))))))

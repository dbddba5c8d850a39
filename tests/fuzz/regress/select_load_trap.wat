;; Both operands of a `select` are evaluated, so the out-of-bounds load must trap even
;; when the in-bounds one is selected. LLVM's code generator turns a select of two loads
;; into one load from the selected address, so the keep-alive of a load used only by a
;; select must stay after the optimiser (run-diff seed 1348 reduced by hand; an early
;; version of that release step failed it). Expected: "f" traps out of bounds memory access.
(module
  (memory 1 1)
  (global $g (mut i32) (i32.const 1))
  (func (export "f") (result i32)
    (select (i32.load8_s offset=4 (global.get $g))
            (i32.load8_s offset=22 (i32.const -7))
            (global.get $g))))

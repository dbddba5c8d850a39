;; A used out-of-bounds load is sunk past a later trapping division: hwasmc -O2 (guard
;; bounds) reports "integer overflow" where the spec says the load traps first (like
;; run-diff --keep-nans seed 295; --bounds=explicit is right). Expected: "f" traps out of bounds.
(module
  (memory 1 1)
  (global $g (mut i32) (i32.const -1))
  (func (export "f") (result i32)
    (local i32)
    (local.set 0 (i32.load (global.get $g)))
    (i32.add (i32.div_s (i32.const 0x80000000) (global.get $g)) (local.get 0))))

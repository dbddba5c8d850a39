;; The only use of an out-of-bounds load is a br_table whose targets are all the same:
;; hwasmc even at -O0 (guard bounds) drops the load and its trap (run-diff --keep-nans seed 268).
;; Expected: "f" traps out of bounds memory access.
(module
  (memory 1 1)
  (func (export "f")
    (block $b
      (br_table $b $b (i32.load16_s offset=4 (i32.const -1))))))

;; $get returns its load, so the load looks used when $get is lowered; the caller drops the
;; result, and once LLVM -O2 inlines $get the load is dead and was deleted with its
;; out-of-bounds trap while only loads unused at lowering were kept alive (run-diff
;; --keep-nans seed 37). Expected: "load" traps out of bounds memory access.
(module
  (memory 1 1)
  (func $get (param i32) (result f32) (f32.load offset=4 (local.get 0)))
  (func (export "load")
    (drop (call $get (i32.const -1504170992)))))

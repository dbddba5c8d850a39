;; bigtable.wat — declares a table of 1,000,000 elements (8 MB of host pointers per
;; instance before it runs a single instruction): over the default element cap, so the
;; middleware must fail to load, naming the cap.
(module
  (memory (export "memory") 1)
  (table 1000000 funcref)
  (func (export "handle_request") (result i64) (i64.const 0))
  (func (export "handle_response") (param i32 i32)))

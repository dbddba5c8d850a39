;; A run of loads merged into one wide load (compiler/back/lower_gather.c) in a loop whose
;; body is one block: the loads' base address is the loop header's phi, and that block's
;; branch back makes the header's phis be rebuilt for the new edge. hwasmc once kept
;; building the wide load from the phi it had just erased (a crash in LLVM at -O1..-O3).
;; "count" is clang's shape for counting marker words (LLVM's SLP vectoriser turns the four
;; compares into one on a vector filled from four scalar loads), "lanes" the same filled
;; with replace_lane. Over the last 32 bytes of memory both run (count logs 4, lanes logs
;; the first and last lane sums); one byte further on, the last iteration's loads straddle
;; the end and trap.
(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (memory 1 1)
  (data (i32.const 65488) "\17\2b\3a\5c\00\00\00\00\17\2b\3a\5c\01\02\03\04\17\2b\3a\5c\17\2b\3a\5c\05\06\07\08\09\0a\0b\0c")
  (global $start (mut i32) (i32.const 65488))
  (func $count (param $p i32) (param $end i32) (result i32) (local $c i32)
    (loop $l
      (local.set $c (i32.add (local.get $c) (i32.eq (i32.load (local.get $p)) (i32.const 0x5c3a2b17))))
      (local.set $c (i32.add (local.get $c) (i32.eq (i32.load offset=4 (local.get $p)) (i32.const 0x5c3a2b17))))
      (local.set $c (i32.add (local.get $c) (i32.eq (i32.load offset=8 (local.get $p)) (i32.const 0x5c3a2b17))))
      (local.set $c (i32.add (local.get $c) (i32.eq (i32.load offset=12 (local.get $p)) (i32.const 0x5c3a2b17))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end))))
    (local.get $c))
  (func $lanes (param $p i32) (param $end i32) (result v128) (local $acc v128)
    (loop $l
      (local.set $acc (i32x4.add (local.get $acc)
        (i32x4.replace_lane 3
          (i32x4.replace_lane 2
            (i32x4.replace_lane 1 (i32x4.splat (i32.load (local.get $p))) (i32.load offset=4 (local.get $p)))
            (i32.load offset=8 (local.get $p)))
          (i32.load offset=12 (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end))))
    (local.get $acc))
  (func (export "count_end") (call $log (call $count (global.get $start) (i32.const 65536))))
  (func (export "count_straddle") (call $log (call $count (i32.add (global.get $start) (i32.const 1)) (i32.const 65536))))
  (func (export "lanes_end") (local $v v128)
    (local.set $v (call $lanes (global.get $start) (i32.const 65536)))
    (call $log (i32x4.extract_lane 0 (local.get $v))) (call $log (i32x4.extract_lane 3 (local.get $v))))
  (func (export "lanes_straddle") (drop (call $lanes (i32.add (global.get $start) (i32.const 2)) (i32.const 65536)))))

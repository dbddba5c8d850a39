/*
 * test_compiler_memory.c — memory, globals and tables compiled by the real hwasmc and run
 * through libhwasm, in both bounds modes (--bounds=guard, --bounds=explicit): accesses at
 * the last byte and one past, 33-bit effective addresses that must not wrap, dead loads
 * that still trap, memory.grow, bulk memory and data.drop, mutable globals, and every
 * table instruction with its "out of bounds table access" trap.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>

#include "unit_support.h"

/* --- One call and its expected outcome -------------------------------------------------- */

#define TRAP(t) NULL, {HWASM_TRAP_##t}
#define MEM_OOB TRAP(MEMORY_OOB)
#define TAB_OOB TRAP(TABLE_OOB)
#define NONE "", {0}

/* --- The module ------------------------------------------------------------------------- */

#define LOAD(name, rt, insn) "(func (export \"" name "\") (param i32) (result " rt ") (" insn " (local.get 0)))\n"

static const char memory_wat[] =
    "(module\n"
    "  (memory 1 3)\n"
    "  (data (i32.const 0) \"\\01\\02\\03\\04\\05\\06\\07\\08\")\n"
    "  (data (i32.const 65532) \"\\aa\\bb\\cc\\dd\")\n"
    "  (data $p \"hello\")\n"
    LOAD("load8_u", "i32", "i32.load8_u") LOAD("load8_s", "i32", "i32.load8_s")
    LOAD("load32", "i32", "i32.load") LOAD("load64", "i64", "i64.load")
    LOAD("load8.off1", "i32", "i32.load8_u offset=1") LOAD("load32.offmax", "i32", "i32.load offset=0xffffffff")
    LOAD("load32.off65532", "i32", "i32.load offset=65532") LOAD("f64.load", "f64", "f64.load")
    LOAD("i64.load32_s", "i64", "i64.load32_s") LOAD("i64.load32_u", "i64", "i64.load32_u")
    LOAD("i64.load16_s", "i64", "i64.load16_s") LOAD("i32.load16_u", "i32", "i32.load16_u")
    "  (func (export \"store_narrow\") (param i32 i64) (result i64) ;; store32 then store16 at +4\n"
    "    (i64.store32 (local.get 0) (local.get 1)) (i32.store16 offset=4 (local.get 0) (i32.wrap_i64 (local.get 1)))\n"
    "    (i64.load (local.get 0)))\n"
    "  (func (export \"f32.roundtrip\") (param i32) (result i32) ;; a NaN payload survives memory\n"
    "    (f32.store (i32.const 3) (f32.reinterpret_i32 (local.get 0))) (i32.load (i32.const 3)))\n"
    "  (func (export \"dead\") (param i32) (drop (i32.load (local.get 0))))\n"
    "  (func (export \"dead.offmax\") (param i32) (drop (i64.load offset=0xffffffff (local.get 0))))\n"
    "  (func (export \"store32\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
    "  (func (export \"store8_get\") (param i32 i32) (result i32)\n"
    "    (i32.store8 (local.get 0) (local.get 1)) (i32.load8_u (local.get 0)))\n"
    "  (func (export \"store64.offmax\") (param i32) (i64.store offset=0xffffffff (local.get 0) (i64.const 1)))\n"
    "  (func (export \"size\") (result i32) (memory.size))\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
    "  (func (export \"grow_load\") (param i32 i32) (result i32)\n"
    "    (drop (memory.grow (local.get 0))) (i32.load8_u (local.get 1)))\n"
    "  (func (export \"grow_store_get\") (param i32) (result i32)\n"
    "    (drop (memory.grow (i32.const 1))) (i32.store (local.get 0) (i32.const 0x01020304))\n"
    "    (i32.load (local.get 0)))\n"
    "  (func (export \"fill_get\") (param i32 i32 i32 i32) (result i32)\n"
    "    (memory.fill (local.get 0) (local.get 1) (local.get 2)) (i32.load8_u (local.get 3)))\n"
    "  (func (export \"copy_get\") (param i32 i32 i32 i32) (result i32)\n"
    "    (memory.copy (local.get 0) (local.get 1) (local.get 2)) (i32.load (local.get 3)))\n"
    "  (func (export \"init_get\") (param i32 i32 i32 i32) (result i32)\n"
    "    (memory.init $p (local.get 0) (local.get 1) (local.get 2)) (i32.load8_u (local.get 3)))\n"
    "  (func (export \"drop_init\") (param i32 i32 i32)\n"
    "    (data.drop $p) (memory.init $p (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"init_active\") (param i32) (memory.init 0 (i32.const 0) (i32.const 0) (local.get 0)))\n"
    /* globals */
    "  (global $g (mut i32) (i32.const 10))\n"
    "  (global $g64 (mut i64) (i64.const -1))\n"
    "  (global $gf f64 (f64.const 1.5))\n"
    "  (func (export \"g.inc\") (result i32)\n"
    "    (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g))\n"
    "  (func (export \"g64.swap\") (param i64) (result i64) (global.get $g64) (global.set $g64 (local.get 0)))\n"
    "  (func (export \"gf.get\") (result f64) (global.get $gf))\n"
    /* tables: $t = [f1, f2, null] (max 5); passive segment $pe = [f3, f1] */
    "  (type $v_i (func (result i32)))\n"
    "  (table $t 3 5 funcref)\n"
    "  (table $e 2 externref)\n"
    "  (elem (table $t) (i32.const 0) func $f1 $f2)\n"
    "  (elem $pe func $f3 $f1)\n"
    "  (func $f1 (result i32) (i32.const 1))\n"
    "  (func $f2 (result i32) (i32.const 2))\n"
    "  (func $f3 (result i32) (i32.const 3))\n"
    "  (func (export \"t.call\") (param i32) (result i32) (call_indirect $t (type $v_i) (local.get 0)))\n"
    "  (func (export \"t.size\") (result i32) (table.size $t))\n"
    "  (func (export \"t.grow\") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))\n"
    "  (func (export \"t.grow_call\") (param i32 i32) (result i32)\n"
    "    (drop (table.grow $t (ref.func $f3) (local.get 0))) (call_indirect $t (type $v_i) (local.get 1)))\n"
    "  (func (export \"t.is_null\") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))\n"
    "  (func (export \"t.set_call\") (param i32) (result i32)\n"
    "    (table.set $t (local.get 0) (ref.func $f3)) (call_indirect $t (type $v_i) (local.get 0)))\n"
    "  (func (export \"t.set_null\") (param i32) (result i32)\n"
    "    (table.set $t (local.get 0) (ref.null func)) (ref.is_null (table.get $t (local.get 0))))\n"
    "  (func (export \"t.fill_call\") (param i32 i32 i32) (result i32)\n"
    "    (table.fill $t (local.get 0) (ref.func $f3) (local.get 1)) (call_indirect $t (type $v_i) (local.get 2)))\n"
    "  (func (export \"t.copy_call\") (param i32 i32 i32 i32) (result i32)\n"
    "    (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)) (call_indirect $t (type $v_i) (local.get 3)))\n"
    "  (func (export \"t.init_call\") (param i32 i32 i32 i32) (result i32)\n"
    "    (table.init $t $pe (local.get 0) (local.get 1) (local.get 2)) (call_indirect $t (type $v_i) (local.get 3)))\n"
    "  (func (export \"t.drop_init\") (param i32 i32 i32)\n"
    "    (elem.drop $pe) (table.init $t $pe (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"t.init_active\") (param i32) (table.init $t 0 (i32.const 0) (i32.const 0) (local.get 0)))\n"
    "  (func (export \"ref.func.is_null\") (result i32) (ref.is_null (ref.func $f1)))\n"
    "  (func (export \"ref.null.is_null\") (result i32) (ref.is_null (ref.null extern)))\n"
    "  (func (export \"e.set_get\") (param externref) (result externref)\n"
    "    (table.set $e (i32.const 1) (local.get 0)) (table.get $e (i32.const 1)))\n"
    /* state another function changes must be re-read after the call */
    "  (func $grow1 (drop (memory.grow (i32.const 1))))\n"
    "  (func (export \"grow_in_callee\") (param i32) (result i32)\n"
    "    (drop (i32.load8_u (i32.const 0))) (drop (memory.size)) (call $grow1)\n"
    "    (i32.add (i32.load8_u (local.get 0)) (memory.size)))\n"
    "  (func $set_g (global.set $g (i32.const 99)))\n"
    "  (func (export \"g.across_call\") (result i32) (drop (global.get $g)) (call $set_g) (global.get $g))\n"
    "  (func $tgrow (drop (table.grow $t (ref.func $f3) (i32.const 2))))\n"
    "  (func (export \"t.grow_in_callee\") (result i32)\n"
    "    (drop (call_indirect $t (type $v_i) (i32.const 0))) (drop (table.size $t)) (call $tgrow)\n"
    "    (i32.add (call_indirect $t (type $v_i) (i32.const 4)) (table.size $t)))\n"
    "  (func (export \"e.is_null\") (param i32) (result i32) (ref.is_null (table.get $e (local.get 0))))\n"
    ")\n";

static const unit_case cases[] = {
    /* the last valid byte and one past it, for each width */
    {"load8_u", {0}, "i", {1}},
    {"load8_u", {65535}, "i", {0xdd}},
    {"load8_u", {65536}, MEM_OOB},
    {"load8_u", {0xffffffff}, MEM_OOB},
    {"load8_s", {65532}, "i", {0xffffffaa}},
    {"load32", {0}, "i", {0x04030201}},
    {"load32", {65532}, "i", {0xddccbbaa}},
    {"load32", {65533}, MEM_OOB},
    {"load64", {65528}, "I", {0xddccbbaa00000000}},
    {"load64", {65529}, MEM_OOB},
    {"f64.load", {65529}, MEM_OOB},
    {"load8.off1", {65534}, "i", {0xdd}},
    {"load8.off1", {65535}, MEM_OOB},
    {"load32.off65532", {0}, "i", {0xddccbbaa}},
    {"load32.off65532", {1}, MEM_OOB},
    /* index + offset is a 33-bit sum: wrapping to 32 bits would read byte 0 */
    {"load32.offmax", {0}, MEM_OOB},
    {"load32.offmax", {1}, MEM_OOB},
    {"load32.offmax", {0xffffffff}, MEM_OOB},
    {"store64.offmax", {1}, MEM_OOB},
    {"store64.offmax", {0xffffffff}, MEM_OOB},
    /* narrow and misaligned accesses */
    {"i64.load32_s", {65532}, "I", {0xffffffffddccbbaa}},
    {"i64.load32_u", {65532}, "I", {0xddccbbaa}},
    {"i64.load32_u", {65533}, MEM_OOB},
    {"i64.load16_s", {65534}, "I", {0xffffffffffffddcc}},
    {"i32.load16_u", {1}, "i", {0x0302}},
    {"i32.load16_u", {65535}, MEM_OOB},
    {"store_narrow", {9, 0x1122334455667788}, "I", {0x0000778855667788}},
    {"store_narrow", {65530, 1}, MEM_OOB},
    {"f32.roundtrip", {0x7fa00001}, "i", {0x7fa00001}},
    /* a load whose value is unused still traps */
    {"dead", {0}, NONE},
    {"dead", {65533}, MEM_OOB},
    {"dead.offmax", {1}, MEM_OOB},
    {"store32", {65532, 7}, NONE},
    {"store32", {65533, 7}, MEM_OOB},
    {"store8_get", {65535, 0x1ff}, "i", {0xff}},
    /* memory.grow */
    {"size", {0}, "i", {1}},
    {"grow", {0}, "i", {1}},
    {"grow", {2}, "i", {1}},
    {"grow", {3}, "i", {0xffffffff}}, /* beyond the declared max of 3 */
    {"grow", {0x10000}, "i", {0xffffffff}},
    {"grow", {0xffffffff}, "i", {0xffffffff}},
    {"grow_load", {1, 65536}, "i", {0}},
    {"grow_load", {1, 131071}, "i", {0}},
    {"grow_load", {1, 131072}, MEM_OOB},
    {"grow_load", {0, 65536}, MEM_OOB},
    {"grow_load", {5, 65536}, MEM_OOB}, /* failed grow changes nothing */
    {"grow_store_get", {131068}, "i", {0x01020304}},
    /* bulk memory: bounds are checked before anything is written */
    {"fill_get", {65530, 0x1ab, 6, 65535}, "i", {0xab}},
    {"fill_get", {65530, 1, 7, 0}, MEM_OOB},
    {"fill_get", {65536, 1, 0, 0}, "i", {1}},
    {"fill_get", {65537, 1, 0, 0}, MEM_OOB},
    {"fill_get", {0, 1, 0xffffffff, 0}, MEM_OOB},
    {"copy_get", {0, 65532, 4, 0}, "i", {0xddccbbaa}},
    {"copy_get", {1, 0, 7, 0}, "i", {0x03020101}}, /* overlapping, forwards */
    {"copy_get", {0, 1, 7, 0}, "i", {0x05040302}}, /* overlapping, backwards */
    {"copy_get", {65533, 0, 4, 0}, MEM_OOB},
    {"copy_get", {0, 65533, 4, 0}, MEM_OOB},
    {"copy_get", {65536, 65536, 0, 0}, "i", {0x04030201}},
    {"copy_get", {65537, 0, 0, 0}, MEM_OOB},
    {"copy_get", {0, 0xffffffff, 2, 0}, MEM_OOB},
    {"init_get", {100, 0, 5, 104}, "i", {'o'}},
    {"init_get", {65531, 0, 5, 65535}, "i", {'o'}},
    {"init_get", {100, 1, 5, 0}, MEM_OOB},
    {"init_get", {65534, 0, 3, 0}, MEM_OOB},
    {"init_get", {0, 5, 0, 0}, "i", {1}},
    {"init_get", {0, 6, 0, 0}, MEM_OOB},
    {"drop_init", {0, 0, 0}, NONE},
    {"drop_init", {0, 0, 1}, MEM_OOB},
    {"init_active", {0}, NONE}, /* active segments are dropped once applied */
    {"init_active", {1}, MEM_OOB},
    /* globals */
    {"g.inc", {0}, "i", {11}},
    {"g64.swap", {5}, "I", {0xffffffffffffffff}},
    {"gf.get", {0}, "F", {0x3ff8000000000000}},
    /* tables */
    {"t.call", {0}, "i", {1}},
    {"t.call", {1}, "i", {2}},
    {"t.call", {2}, TRAP(UNINITIALIZED)},
    {"t.call", {3}, TRAP(UNDEFINED_ELEMENT)},
    {"t.size", {0}, "i", {3}},
    {"t.grow", {0}, "i", {3}},
    {"t.grow", {2}, "i", {3}},
    {"t.grow", {3}, "i", {0xffffffff}}, /* beyond the max of 5 */
    {"t.grow_call", {2, 4}, "i", {3}},
    {"t.grow_call", {2, 5}, TRAP(UNDEFINED_ELEMENT)},
    {"t.is_null", {0}, "i", {0}},
    {"t.is_null", {2}, "i", {1}},
    {"t.is_null", {3}, TAB_OOB},
    {"t.set_call", {2}, "i", {3}},
    {"t.set_call", {3}, TAB_OOB},
    {"t.set_null", {0}, "i", {1}},
    {"t.fill_call", {1, 2, 2}, "i", {3}},
    {"t.fill_call", {3, 0, 0}, "i", {1}},
    {"t.fill_call", {2, 2, 0}, TAB_OOB},
    {"t.fill_call", {4, 0, 0}, TAB_OOB},
    {"t.copy_call", {2, 0, 1, 2}, "i", {1}},
    {"t.copy_call", {1, 0, 2, 2}, "i", {2}}, /* overlapping: [f1 f1 f2] */
    {"t.copy_call", {0, 1, 2, 0}, "i", {2}}, /* overlapping: [f2 null null] */
    {"t.copy_call", {2, 0, 2, 0}, TAB_OOB},
    {"t.init_call", {2, 0, 1, 2}, "i", {3}},
    {"t.init_call", {1, 0, 2, 2}, "i", {1}},
    {"t.init_call", {3, 2, 0, 0}, "i", {1}},
    {"t.init_call", {2, 0, 2, 0}, TAB_OOB},
    {"t.init_call", {0, 1, 2, 0}, TAB_OOB},
    {"t.drop_init", {0, 0, 0}, NONE},
    {"t.drop_init", {0, 0, 1}, TAB_OOB},
    {"t.init_active", {0}, NONE},
    {"t.init_active", {1}, TAB_OOB},
    {"ref.func.is_null", {0}, "i", {0}},
    {"ref.null.is_null", {0}, "i", {1}},
    {"grow_in_callee", {131071}, "i", {2}},
    {"g.across_call", {0}, "i", {99}},
    {"t.grow_in_callee", {0}, "i", {8}},
    {"e.set_get", {0x1234}, "r", {0x1234}},
    {"e.is_null", {0}, "i", {1}},
    {"e.is_null", {2}, TAB_OOB},
};

/* Calls whose effects the next call observes (each loop case runs in a fresh fork). */
static const unit_case sequence[] = {
    {"store32", {65534, 0x11223344}, MEM_OOB}, {"load8_u", {65534}, "i", {0xcc}}, /* nothing written */
    {"fill_get", {65530, 7, 7, 0}, MEM_OOB},   {"load8_u", {65530}, "i", {0}},
    {"copy_get", {65534, 0, 3, 0}, MEM_OOB},   {"load8_u", {65534}, "i", {0xcc}},
    {"g.inc", {0}, "i", {11}},                   {"g.inc", {0}, "i", {12}},
    {"g64.swap", {5}, "I", {0xffffffffffffffff}}, {"g64.swap", {6}, "I", {5}},
    {"grow", {1}, "i", {1}},                      {"grow", {1}, "i", {2}},
    {"grow", {1}, "i", {0xffffffff}},             {"size", {0}, "i", {3}},
    {"load8_u", {3 * 65536 - 1}, "i", {0}},       {"load8_u", {3 * 65536}, MEM_OOB},
    {"drop_init", {0, 0, 0}, NONE},             {"init_get", {0, 0, 1, 0}, MEM_OOB},
    {"t.grow", {2}, "i", {3}},                    {"t.call", {4}, TRAP(UNINITIALIZED)},
    {"t.drop_init", {0, 0, 0}, NONE},           {"t.init_call", {0, 0, 0, 0}, "i", {1}},
};

/* A memory grown to the full 4 GiB: the last byte is addressable, index + offset beyond it
 * is not, whatever the bounds mode. */
static const char full_wat[] =
    "(module (memory 0)\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
    "  (func (export \"size\") (result i32) (memory.size))\n"
    "  (func (export \"store8\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))\n"
    LOAD("load8_u", "i32", "i32.load8_u") LOAD("load8.off1", "i32", "i32.load8_u offset=1")
    LOAD("load32", "i32", "i32.load") ")\n";

static const unit_case full_sequence[] = {
    {"load8_u", {0}, MEM_OOB},
    {"grow", {0x10000}, "i", {0}},
    {"size", {0}, "i", {0x10000}},
    {"store8", {0xffffffff, 7}, NONE},
    {"load8_u", {0xffffffff}, "i", {7}},
    {"load8.off1", {0xfffffffe}, "i", {7}},
    {"load8.off1", {0xffffffff}, MEM_OOB},
    {"load32", {0xfffffffc}, "i", {0x07000000}},
    {"load32", {0xfffffffd}, MEM_OOB},
    {"grow", {1}, "i", {0xffffffff}},
    {"grow", {0}, "i", {0x10000}},
};

START_TEST(memory_4gib) {
    hw_module *m = NULL;
    hw_instance *i = unit_instantiate_wat(full_wat, _i ? "--bounds=explicit" : "--bounds=guard", &m);
    for (size_t k = 0; k < sizeof full_sequence / sizeof full_sequence[0]; k++) unit_run_case(i, &full_sequence[k], 0);
    hw_instance_free(i);
    hw_module_free(m);
}
END_TEST

/* --- Fixtures: one compile per bounds mode, shared by the forked cases ------------------ */

static hw_instance *inst;
static hw_module *mod;

static void setup_guard(void) { inst = unit_instantiate_wat(memory_wat, "--bounds=guard", &mod); }
static void setup_explicit(void) { inst = unit_instantiate_wat(memory_wat, "--bounds=explicit", &mod); }
static void teardown(void) {
    if (inst) hw_instance_free(inst);
    if (mod) hw_module_free(mod);
    inst = NULL;
    mod = NULL;
}

START_TEST(memory_case) { unit_run_case(inst, &cases[_i], 0); }
END_TEST

START_TEST(memory_sequence) {
    for (size_t i = 0; i < sizeof sequence / sizeof sequence[0]; i++) unit_run_case(inst, &sequence[i], 0);
}
END_TEST

/* Two threads, each with its own instance of the module, trap and recover in turn: trap
 * recovery (and, in guard mode, the fault handler) is per thread. */
static void *trap_loop(void *arg) {
    (void)arg;
    hw_instance *own = NULL;
    hw_error err = {0};
    if (hw_instance_new(mod, NULL, 0, NULL, &own, &err) != 0) return "hw_instance_new failed";
    const char *failure = NULL;
    for (int k = 0; k < 300 && !failure; k++) {
        uint64_t s[8] = {65536 + (uint64_t)k};
        if (unit_call(own, "load8_u", s, &err) != HW_ETRAP || err.trap != HWASM_TRAP_MEMORY_OOB)
            failure = "an out-of-bounds load did not trap";
        s[0] = 65535;
        if (unit_call(own, "load8_u", s, &err) != 0 || (uint32_t)s[0] != 0xdd)
            failure = "a valid load failed after a trap";
    }
    hw_instance_free(own);
    return (void *)failure;
}

START_TEST(threads_trap_independently) {
    ck_assert_msg(mod != NULL, "the test module did not compile or instantiate (see stderr)");
    pthread_t t[2];
    for (int k = 0; k < 2; k++) ck_assert_int_eq(pthread_create(&t[k], NULL, trap_loop, NULL), 0);
    for (int k = 0; k < 2; k++) {
        void *failure;
        pthread_join(t[k], &failure);
        ck_assert_msg(failure == NULL, "thread %d: %s", k, (const char *)failure);
    }
}
END_TEST

START_TEST(bounds_flag_recorded) {
    ck_assert_msg(mod != NULL, "the test module did not compile or instantiate (see stderr)");
    uint32_t flags = hw_module_descriptor(mod)->flags;
    ck_assert_uint_eq(flags & HWASM_FLAG_BOUNDS_EXPLICIT, (uint32_t)_i * HWASM_FLAG_BOUNDS_EXPLICIT);
}
END_TEST

int main(void) {
    Suite *s = suite_create("compiler_memory");
    static const struct { const char *name; void (*setup)(void); } modes[] = {
        {"guard", setup_guard}, {"explicit", setup_explicit}};
    for (int i = 0; i < 2; i++) {
        TCase *tc = tcase_create(modes[i].name);
        tcase_add_unchecked_fixture(tc, modes[i].setup, teardown);
        tcase_add_loop_test(tc, memory_case, 0, (int)(sizeof cases / sizeof cases[0]));
        tcase_add_test(tc, memory_sequence);
        tcase_add_test(tc, threads_trap_independently);
        tcase_add_loop_test(tc, bounds_flag_recorded, i, i + 1);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("4gib");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, memory_4gib, 0, 2);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

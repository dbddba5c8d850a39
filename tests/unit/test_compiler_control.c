/*
 * test_compiler_control.c — control flow compiled by the real hwasmc and run through
 * libhwasm: block/loop/if with parameters and results, br_table, multi-value functions
 * and blocks, returns from nested blocks, call_indirect and its three traps, stack
 * exhaustion, and stopping a runaway loop with hw_instance_interrupt from another thread.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit_support.h"

/* --- One call and its expected outcome -------------------------------------------------- */

#define TRAP(t) NULL, {HWASM_TRAP_##t}

/* --- The module ------------------------------------------------------------------------- */

static const char control_wat[] =
    "(module\n"
    "  (type $ii_i (func (param i32 i32) (result i32)))\n"
    "  (type $i_i (func (param i32) (result i32)))\n"
    "  (type $i_i_again (func (param i32) (result i32)))\n"
    "  (table 4 funcref)\n"
    "  (elem (i32.const 0) $add $neg) ;; slots 2 and 3 stay null\n"
    "  (func $add (type $ii_i) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func $neg (type $i_i) (i32.sub (i32.const 0) (local.get 0)))\n"
    "  (func (export \"ci.ii\") (param i32 i32 i32) (result i32)\n"
    "    (call_indirect (type $ii_i) (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"ci.i\") (param i32 i32) (result i32)\n"
    "    (call_indirect (type $i_i_again) (local.get 0) (local.get 1)))\n"
    "  (func (export \"if.result\") (param i32) (result i32)\n"
    "    (if (result i32) (local.get 0) (then (i32.const 10)) (else (i32.const 20))))\n"
    "  (func (export \"if.params\") (param i32 i32) (result i32)\n"
    "    (local.get 0) (local.get 1)\n"
    "    (if (param i32) (result i32) (then (i32.const 1) (i32.add)) (else (i32.const 1) (i32.sub))))\n"
    "  (func (export \"block.params\") (param i32 i32) (result i32)\n"
    "    (local.get 0) (local.get 1) (block (param i32 i32) (result i32) (i32.sub)))\n"
    "  (func (export \"loop.sum\") (param i32) (result i32) ;; 1 + ... + n, n >= 1, state as loop params\n"
    "    (i32.const 0) (local.get 0)\n"
    "    (loop (param i32 i32) (result i32)\n"
    "      (local.set 0) (i32.add (local.get 0))\n"
    "      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "      (br_if 0 (local.get 0))\n"
    "      (drop)))\n"
    "  (func (export \"mv3\") (param i32) (result i32 i64 f64)\n"
    "    (local.get 0) (i64.extend_i32_s (local.get 0)) (f64.convert_i32_s (local.get 0)))\n"
    "  (func (export \"mv.swap\") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))\n"
    "  (func $pair (result i32 i32) (i32.const 10) (i32.const 3))\n"
    "  (func (export \"mv.call\") (result i32) (call $pair) (i32.sub))\n"
    "  (func (export \"mv.block\") (param i32) (result i32 i32)\n"
    "    (block (result i32 i32)\n"
    "      (br_if 0 (i32.const 1) (i32.const 2) (local.get 0))\n"
    "      (drop) (drop) (i32.const 3) (i32.const 4)))\n"
    "  (func (export \"br_table\") (param i32) (result i32) ;; 20 entries over 4 labels, default 4\n"
    "    (block (block (block (block (block\n"
    "      (br_table 0 1 2 3 3 2 1 0 0 0 1 1 2 2 3 3 0 1 2 3 4 (local.get 0)))\n"
    "      (return (i32.const 100)))\n"
    "      (return (i32.const 101)))\n"
    "      (return (i32.const 102)))\n"
    "      (return (i32.const 103)))\n"
    "    (i32.const 104))\n"
    "  (func (export \"br_table.value\") (param i32) (result i32)\n"
    "    (block (result i32) (i32.add (i32.const 1)\n"
    "      (block (result i32) (br_table 0 1 (i32.const 7) (local.get 0))))))\n"
    "  (func (export \"ret.nested\") (param i32) (result i32)\n"
    "    (block (loop (block (if (local.get 0) (then (return (i32.const 7)))) (br 2))))\n"
    "    (i32.const 9))\n"
    "  (func (export \"ret.mv\") (result i32 i64)\n"
    "    (block (block (return (i32.const 1) (i64.const 2)))) (i32.const 0) (i64.const 0))\n"
    "  (func (export \"select\") (param i32 i64 i64) (result i64)\n"
    "    (select (local.get 1) (local.get 2) (local.get 0)))\n"
    "  (func (export \"unreachable\") (unreachable))\n"
    "  (func $fib (export \"fib\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))\n"
    "      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))\n"
    "                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))\n"
    "  (func $depth (export \"depth\") (param i32) (result i32) ;; recursion n deep, returns n\n"
    "    (if (result i32) (local.get 0)\n"
    "      (then (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))\n"
    "      (else (i32.const 0))))\n"
    "  (func $rec (export \"rec\") (param i32) (result i32)\n"
    "    (i32.add (call $rec (local.get 0)) (i32.const 1)))\n"
    "  (func (export \"spin\") (loop (br 0)))\n"
    /* if without else: the parameters flow through when the condition is false */
    "  (func (export \"if.noelse\") (param i32 i32) (result i32)\n"
    "    (local.get 0) (local.get 1) (if (param i32) (result i32) (then (i32.const 10) (i32.add))))\n"
    "  (func (export \"br.func\") (result i32) (block (br 1 (i32.const 9))) (i32.const 0))\n"
    /* code after unreachable, br and return is typed polymorphically and must still lower */
    "  (func (export \"dead.add\") (result i32) (unreachable) (i32.add))\n"
    "  (func (export \"dead.br\") (result i32)\n"
    "    (block (result i32) (br 0 (i32.const 5)) (i32.add) (select) (br_table 0 0)))\n"
    "  (func (export \"dead.return\") (result i32) (return (i32.const 4))\n"
    "    (if (result i32) (i32.const 1) (then (i32.const 1)) (else (call $pair) (drop)))\n"
    "    (loop (br 0)) (i32.eqz) (call_indirect (type $i_i)))\n"
    /* locals start at zero even where an earlier call left garbage on the stack */
    "  (func $dirty (local i64 f64 i32 f32) (local.set 0 (i64.const -1)) (local.set 1 (f64.const -1))\n"
    "    (local.set 2 (i32.const -1)) (local.set 3 (f32.const -1)))\n"
    "  (func (export \"locals.zero\") (result i64) (local i64 f64 i32 f32 funcref)\n"
    "    (call $dirty)\n"
    "    (i64.or (i64.or (local.get 0) (i64.reinterpret_f64 (local.get 1)))\n"
    "            (i64.or (i64.extend_i32_u (i32.or (local.get 2) (i32.reinterpret_f32 (local.get 3))))\n"
    "                    (i64.extend_i32_u (i32.eqz (ref.is_null (local.get 4)))))))\n"
    /* more arguments than registers, mixed types, direct and indirect */
    "  (type $many_t (func (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64) (result f64)))\n"
    "  (func $many (type $many_t)\n"
    "    (f64.add (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))\n"
    "                      (f64.add (f64.promote_f32 (local.get 2)) (local.get 3)))\n"
    "     (f64.add (f64.mul (f64.const 1000) (f64.add (f64.convert_i32_s (local.get 8)) (local.get 11)))\n"
    "              (f64.sub (f64.convert_i64_s (local.get 9)) (f64.promote_f32 (local.get 10))))))\n"
    "  (table $mt 1 funcref) (elem (table $mt) (i32.const 0) func $many)\n"
    "  (func (export \"many\") (param i32) (result f64)\n"
    "    (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (i32.const 0) (i64.const 0)\n"
    "    (f32.const 0) (f64.const 0) (i32.const 5) (i64.const 60) (f32.const 7) (f64.const 0.5)\n"
    "    (if (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64) (result f64) (local.get 0)\n"
    "      (then (call_indirect $mt (type $many_t) (i32.const 0))) (else (call $many))))\n"
    /* five results of four types, through an internal call and through hw_call */
    "  (func $mv5 (export \"mv5\") (param i32) (result i32 i64 f32 f64 i32)\n"
    "    (local.get 0) (i64.const -2) (f32.const 1.5) (f64.const -0.25) (i32.add (local.get 0) (i32.const 1)))\n"
    "  (func (export \"mv5.call\") (result i64) (local f64 i32)\n"
    "    (call $mv5 (i32.const 10)) (local.set 1) (local.set 0) (drop) (drop)\n"
    "    (i64.add (i64.extend_i32_u (i32.add (local.get 1))) (i64.trunc_f64_s (f64.mul (local.get 0) (f64.const -400)))))\n"
    ")\n";

static const unit_case cases[] = {
    {"ci.ii", {2, 3, 0}, "i", {5}},
    {"ci.i", {5, 1}, "i", {0xfffffffb}}, /* an equal type under another index matches */
    {"ci.ii", {2, 3, 1}, TRAP(INDIRECT_SIG)},
    {"ci.ii", {2, 3, 2}, TRAP(UNINITIALIZED)},
    {"ci.ii", {2, 3, 4}, TRAP(UNDEFINED_ELEMENT)},
    {"ci.ii", {2, 3, 0xffffffff}, TRAP(UNDEFINED_ELEMENT)},
    {"if.result", {1}, "i", {10}},
    {"if.result", {0}, "i", {20}},
    {"if.result", {0x80000000}, "i", {10}},
    {"if.params", {5, 1}, "i", {6}},
    {"if.params", {5, 0}, "i", {4}},
    {"block.params", {10, 3}, "i", {7}},
    {"loop.sum", {10}, "i", {55}},
    {"loop.sum", {1}, "i", {1}},
    {"mv3", {0xffffffff}, "iIF", {0xffffffff, 0xffffffffffffffff, 0xbff0000000000000}},
    {"mv.swap", {7, 0x123456789}, "Ii", {0x123456789, 7}},
    {"mv.call", {0}, "i", {7}},
    {"mv.block", {1}, "ii", {1, 2}},
    {"mv.block", {0}, "ii", {3, 4}},
    {"br_table", {0}, "i", {100}},
    {"br_table", {3}, "i", {103}},
    {"br_table", {7}, "i", {100}},
    {"br_table", {12}, "i", {102}},
    {"br_table", {19}, "i", {103}},
    {"br_table", {20}, "i", {104}},
    {"br_table", {0xffffffff}, "i", {104}},
    {"br_table.value", {0}, "i", {8}},
    {"br_table.value", {1}, "i", {7}},
    {"br_table.value", {99}, "i", {7}},
    {"ret.nested", {1}, "i", {7}},
    {"ret.nested", {0}, "i", {9}},
    {"ret.mv", {0}, "iI", {1, 2}},
    {"select", {1, 5, 6}, "I", {5}},
    {"select", {0, 5, 6}, "I", {6}},
    {"unreachable", {0}, TRAP(UNREACHABLE)},
    {"fib", {20}, "i", {6765}},
    {"depth", {1000}, "i", {1000}},
    {"rec", {0}, TRAP(STACK_EXHAUSTED)},
    {"if.noelse", {5, 1}, "i", {15}},
    {"if.noelse", {5, 0}, "i", {5}},
    {"br.func", {0}, "i", {9}},
    {"dead.add", {0}, TRAP(UNREACHABLE)},
    {"dead.br", {0}, "i", {5}},
    {"dead.return", {0}, "i", {4}},
    {"locals.zero", {0}, "I", {0}},
    {"many", {0}, "F", {0x40b5bb0000000000}},/* 1+2+3+4 + 1000*(5+0.5) + (60-7) = 5563 */
    {"many", {1}, "F", {0x40b5bb0000000000}},
    {"mv5", {7}, "iIfFi", {7, 0xfffffffffffffffe, 0x3fc00000, 0xbfd0000000000000, 8}},
    {"mv5.call", {0}, "I", {121}}, /* 10 + 11 + 100 */
};

static hw_instance *inst;
static hw_module *mod;

static void setup(void) { inst = unit_instantiate_wat(control_wat, "", &mod); }
static void teardown(void) {
    if (inst) hw_instance_free(inst);
    if (mod) hw_module_free(mod);
    inst = NULL;
    mod = NULL;
}

START_TEST(control_case) { unit_run_case(inst, &cases[_i], 0); }
END_TEST

/* A trap unwinds cleanly: the same instance keeps working afterwards. */
START_TEST(usable_after_traps) {
    static const unit_case seq[] = {
        {"rec", {0}, TRAP(STACK_EXHAUSTED)}, {"fib", {10}, "i", {55}},
        {"ci.ii", {2, 3, 2}, TRAP(UNINITIALIZED)}, {"depth", {500}, "i", {500}},
        {"rec", {0}, TRAP(STACK_EXHAUSTED)}, {"mv3", {2}, "iIF", {2, 2, 0x4000000000000000}},
    };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) unit_run_case(inst, &seq[i], 0);
}
END_TEST

static void *interrupt_later(void *arg) {
    usleep(50 * 1000);
    hw_instance_interrupt(arg);
    return NULL;
}

/* Runs c while another thread interrupts the instance 50 ms in. */
static void run_interrupted(const unit_case *c) {
    ck_assert_msg(inst != NULL, "the test module did not compile or instantiate (see stderr)");
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, interrupt_later, inst), 0);
    unit_run_case(inst, c, 0);
    pthread_join(t, NULL);
}

/* A loop with no way out stops when another thread interrupts the instance. If polling
 * does not work, check's timeout fails the test. */
START_TEST(interrupt_stops_loop) { run_interrupted(&(unit_case){"spin", {0}, TRAP(INTERRUPTED)}); }
END_TEST

/* Calls without loops are stopped too: function entries poll the flag. fib(40) makes about
 * 3e8 calls, far more than 50 ms. */
START_TEST(interrupt_stops_recursion) { run_interrupted(&(unit_case){"fib", {40}, TRAP(INTERRUPTED)}); }
END_TEST

/* --no-interrupt-checks still compiles every construct and records the flag; the loop is
 * not run, since nothing could stop it. */
START_TEST(no_interrupt_checks_compiles) {
    hw_module *m = NULL;
    hw_instance *i = unit_instantiate_wat(control_wat, "--no-interrupt-checks", &m);
    ck_assert_msg(i != NULL, "--no-interrupt-checks: the module did not compile or instantiate");
    ck_assert(hw_module_descriptor(m)->flags & HWASM_FLAG_NO_INTERRUPTS);
    ck_assert(!(hw_module_descriptor(mod)->flags & HWASM_FLAG_NO_INTERRUPTS));
    unit_run_case(i, &(unit_case){"loop.sum", {100}, "i", {5050}}, 0);
    unit_run_case(i, &(unit_case){"rec", {0}, TRAP(STACK_EXHAUSTED)}, 0);
    hw_instance_free(i);
    hw_module_free(m);
}
END_TEST

int main(void) {
    Suite *s = suite_create("compiler_control");
    TCase *tc = tcase_create("control");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20); /* no_interrupt_checks_compiles compiles a module */
    tcase_add_loop_test(tc, control_case, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, usable_after_traps);
    tcase_add_test(tc, interrupt_stops_loop);
    tcase_add_test(tc, interrupt_stops_recursion);
    tcase_add_test(tc, no_interrupt_checks_compiles);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

/*
 * test_runtime_e2e.c — libhwasm with modules compiled by the real wat2wasm and hwasmc:
 * linking instances to each other (shared memory, table, globals; call_indirect across
 * modules by canonical signature ids), a trapped instantiation whose table writes persist,
 * guard-page and explicit bounds traps, stack exhaustion on the main thread and on other
 * threads, interrupts, host functions that trap, the per-instance memory and table caps,
 * and the caller's registers after a trap, also one nested in a host function.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit_support.h"

static const char provider_wat[] =
    "(module\n"
    "  (type $ii (func (param i32) (result i32)))\n"
    "  (memory (export \"mem\") 1 4)\n"
    "  (table (export \"tab\") 4 funcref)\n"
    "  (global (export \"g\") (mut i32) (i32.const 7))\n"
    "  (func $inc (export \"inc\") (type $ii) (i32.add (local.get 0) (i32.const 1)))\n"
    "  (func (export \"call\") (param i32 i32) (result i32)\n"
    "    (call_indirect (type $ii) (local.get 1) (local.get 0)))\n"
    "  (func (export \"load\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
    "  (func (export \"get_g\") (result i32) (global.get 0))\n"
    "  (elem (i32.const 0) $inc))\n";

static const char consumer_wat[] =
    "(module\n"
    "  (type $ii (func (param i32) (result i32)))\n"
    "  (import \"p\" \"inc\" (func $inc (type $ii)))\n"
    "  (import \"p\" \"mem\" (memory 1))\n"
    "  (import \"p\" \"tab\" (table 4 funcref))\n"
    "  (import \"p\" \"g\" (global $g (mut i32)))\n"
    "  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))\n"
    "  (elem (i32.const 1) $dbl)\n"
    "  (data (i32.const 10) \"hi\")\n"
    "  (func (export \"set_g\") (param i32) (global.set $g (local.get 0)))\n"
    "  (func (export \"via_import\") (param i32) (result i32) (call $inc (local.get 0)))\n"
    "  (func (export \"reexported\") (result i32) (i32.const 0))\n"
    "  (export \"inc_again\" (func $inc)))\n";

/* Trapping instantiation: the first element segment lands, the second is out of bounds. */
static const char failing_wat[] = "(module\n"
                                  "  (type $ii (func (param i32) (result i32)))\n"
                                  "  (import \"p\" \"tab\" (table 4 funcref))\n"
                                  "  (func $neg (type $ii) (i32.sub (i32.const 0) (local.get 0)))\n"
                                  "  (elem (i32.const 2) $neg)\n"
                                  "  (elem (i32.const 3) $neg $neg))\n";

static hw_module *load(const char *wat, const char *flags) {
    const char *so = unit_compile_wat(wat, flags);
    ck_assert_msg(so != NULL, "wat2wasm/hwasmc failed (is HWASMC set?)");
    hw_module *m;
    hw_error err;
    ck_assert_msg(hw_module_load(so, NULL, &m, &err) == HW_OK, "%s", err.message);
    unlink(so);
    return m;
}

/* Imports of m, all from instance p by name. */
static void imports_from(hw_module *m, hw_instance *p, hw_extern *out) {
    const hwasm_descriptor *d = hw_module_descriptor(m);
    for (uint32_t i = 0; i < d->num_imports; i++)
        ck_assert_int_eq(hw_instance_export(p, d->imports[i].name, d->imports[i].name_len, &out[i]),
                         HW_OK);
}

static int32_t call1(hw_instance *inst, const char *name, int32_t a, int32_t b, hw_error *err) {
    uint64_t s[2] = {(uint32_t)a, (uint32_t)b};
    int rc = unit_call(inst, name, s, err);
    ck_assert_msg(rc == HW_OK, "%s: %s", name, err->message);
    return (int32_t)s[0];
}

START_TEST(linking_shares_state) {
    hw_module *pm = load(provider_wat, ""), *cm = load(consumer_wat, "");
    hw_instance *p, *c;
    hw_error err;
    ck_assert_int_eq(hw_instance_new(pm, NULL, 0, NULL, &p, &err), HW_OK);
    hw_extern imp[4];
    imports_from(cm, p, imp);
    ck_assert_int_eq(hw_instance_new(cm, imp, 4, NULL, &c, &err), HW_OK);
    ck_assert_int_eq(call1(p, "load", 10, 0, &err), 'h'); /* consumer's data in the shared memory */
    ck_assert_int_eq(call1(p, "call", 0, 5, &err), 6);    /* provider's own $inc */
    ck_assert_int_eq(call1(p, "call", 1, 5, &err), 10); /* consumer's $dbl, via the shared table */
    ck_assert_int_eq(call1(c, "via_import", 41, 0, &err), 42);
    call1(c, "set_g", 99, 0, &err);
    ck_assert_int_eq(call1(p, "get_g", 0, 0, &err), 99);
    hw_extern again, orig;
    ck_assert_int_eq(hw_instance_export(c, "inc_again", 9, &again), HW_OK);
    ck_assert_int_eq(hw_instance_export(p, "inc", 3, &orig), HW_OK);
    ck_assert_ptr_eq(again.of.func, orig.of.func); /* re-export is the same reference */
    uint64_t s[2] = {2, 5};
    ck_assert_int_eq(unit_call(p, "call", s, &err), HW_ETRAP); /* null entry */
    ck_assert_str_eq(err.message, "uninitialized element");
    hw_instance_free(c);
    hw_instance_free(p);
    hw_module_free(cm);
    hw_module_free(pm);
}
END_TEST

START_TEST(trapped_instantiation_leaves_table_writes) {
    hw_module *pm = load(provider_wat, ""), *fm = load(failing_wat, "");
    hw_instance *p, *f = NULL;
    hw_error err;
    ck_assert_int_eq(hw_instance_new(pm, NULL, 0, NULL, &p, &err), HW_OK);
    hw_extern imp[1];
    imports_from(fm, p, imp);
    ck_assert_int_eq(hw_instance_new(fm, imp, 1, NULL, &f, &err), HW_ETRAP);
    ck_assert_str_eq(hw_trap_message(err.trap), "out of bounds table access");
    ck_assert_int_eq(call1(p, "call", 2, 5, &err), -5); /* the failed instance's function */
    uint64_t s[2] = {3, 5};
    ck_assert_int_eq(unit_call(p, "call", s, &err), HW_ETRAP);
    hw_instance_free(p);
    hw_module_free(fm);
    hw_module_free(pm);
}
END_TEST

static const char oob_wat[] =
    "(module (memory 1 2)\n"
    "  (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"load_far\") (param i32) (result i32) (i32.load offset=0xfffffff0 (local.get "
    "0)))\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))\n";

static void check_bounds(const char *flags) {
    hw_module *m = load(oob_wat, flags);
    hw_instance *inst;
    hw_error err;
    hw_instance_options opts = {.max_memory_pages = 1};
    ck_assert_int_eq(hw_instance_new(m, NULL, 0, &opts, &inst, &err), HW_OK);
    ck_assert_int_eq(call1(inst, "load", 65532, 0, &err), 0);
    uint64_t s[1] = {65533};
    ck_assert_int_eq(unit_call(inst, "load", s, &err), HW_ETRAP);
    ck_assert_str_eq(err.message, "out of bounds memory access");
    s[0] = 0xffffffff;
    ck_assert_int_eq(unit_call(inst, "load_far", s, &err), HW_ETRAP);
    ck_assert_int_eq(call1(inst, "grow", 1, 0, &err), -1); /* capped at 1 page */
    hw_instance_free(inst);
    ck_assert_int_eq(hw_instance_new(m, NULL, 0, NULL, &inst, &err), HW_OK);
    ck_assert_int_eq(call1(inst, "grow", 1, 0, &err), 1);
    ck_assert_int_eq(call1(inst, "load", 65533, 0, &err), 0);
    hw_instance_free(inst);
    hw_module_free(m);
}

START_TEST(bounds_guard) {
    check_bounds("");
}
END_TEST

START_TEST(bounds_explicit) {
    check_bounds("--bounds=explicit");
}
END_TEST

/* Two tables share one element budget: the declared mins use it, table.grow on either
 * answers -1 once it is spent, and a module that declares more cannot be instantiated. */
static const char tables_wat[] = "(module (table $a 10 funcref) (table $b 6 externref)\n"
                                 "  (func (export \"grow_a\") (param i32) (result i32) (table.grow "
                                 "$a (ref.null func) (local.get 0)))\n"
                                 "  (func (export \"grow_b\") (param i32) (result i32) (table.grow "
                                 "$b (ref.null extern) (local.get 0))))\n";

START_TEST(table_element_cap) {
    hw_module *m = load(tables_wat, "");
    hw_instance *inst;
    hw_error err;
    hw_instance_options opts = {.max_table_elements = 100};
    ck_assert_int_eq(hw_instance_new(m, NULL, 0, &opts, &inst, &err), HW_OK);
    ck_assert_int_eq(call1(inst, "grow_a", 60, 0, &err), 10); /* 16 + 60 = 76 of 100 */
    ck_assert_int_eq(call1(inst, "grow_b", 25, 0, &err), -1); /* 101 */
    ck_assert_int_eq(call1(inst, "grow_b", 24, 0, &err), 6);  /* 100: all of it */
    ck_assert_int_eq(call1(inst, "grow_a", 1, 0, &err), -1);
    ck_assert_int_eq(call1(inst, "grow_a", 0, 0, &err), 70);
    hw_instance_free(inst);
    opts.max_table_elements = 15; /* 10 + 6 declared */
    ck_assert_int_eq(hw_instance_new(m, NULL, 0, &opts, &inst, &err), HW_ENOMEM);
    ck_assert_str_eq(err.message, "tables of 16 elements exceed the cap of 15 elements");
    ck_assert_int_eq(hw_instance_new(m, NULL, 0, NULL, &inst, &err), HW_OK); /* no cap */
    ck_assert_int_eq(call1(inst, "grow_a", 1000000, 0, &err), 10);
    hw_instance_free(inst);
    hw_module_free(m);
}
END_TEST

static const char runaway_wat[] = "(module\n"
                                  "  (func $r (export \"recurse\") (param i32) (result i32) "
                                  "(i32.add (call $r (local.get 0)) (i32.const 1)))\n"
                                  "  (func (export \"spin\") (loop (br 0))))\n";

static void *recurse_thread(void *arg) {
    hw_error err;
    uint64_t s[1] = {0};
    int rc = unit_call(arg, "recurse", s, &err);
    return (void *)(intptr_t)(rc == HW_ETRAP && err.trap == HWASM_TRAP_STACK_EXHAUSTED);
}

static void *interrupter(void *arg) {
    usleep(20000);
    hw_instance_interrupt(arg);
    return NULL;
}

START_TEST(runaway_guests) {
    hw_module *m = load(runaway_wat, "");
    hw_instance *inst;
    hw_error err;
    ck_assert_int_eq(hw_instance_new(m, NULL, 0, NULL, &inst, &err), HW_OK);
    uint64_t s[1] = {0};
    ck_assert_int_eq(unit_call(inst, "recurse", s, &err), HW_ETRAP);
    ck_assert_str_eq(err.message, "call stack exhausted");
    size_t sizes[] = {0, 256 * 1024, 32u << 20};
    for (size_t i = 0; i < 3; i++) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (sizes[i]) pthread_attr_setstacksize(&attr, sizes[i]);
        pthread_t t;
        void *ok;
        pthread_create(&t, &attr, recurse_thread, inst);
        pthread_join(t, &ok);
        pthread_attr_destroy(&attr);
        ck_assert_msg(ok, "thread stack %zu: no stack exhaustion trap", sizes[i]);
    }
    pthread_t t;
    pthread_create(&t, NULL, interrupter, inst);
    ck_assert_int_eq(unit_call(inst, "spin", s, &err), HW_ETRAP);
    pthread_join(t, NULL);
    ck_assert_str_eq(err.message, "interrupted");
    hw_instance_free(inst);
    hw_module_free(m);
}
END_TEST

static const char host_wat[] =
    "(module (import \"env\" \"check\" (func $check (param i32) (result i32)))\n"
    "  (func (export \"run\") (param i32) (result i32) (i32.add (call $check (local.get 0)) "
    "(i32.const 1))))\n";

static int32_t host_check(void *env, hwasm_vmctx *caller, int32_t x) {
    if (x < 0) hw_trap_raise(caller, HWASM_TRAP_HOST, "negative");
    return x * *(int32_t *)env;
}

START_TEST(host_functions) {
    hw_module *m = load(host_wat, "");
    static int32_t factor = 3;
    static const uint8_t i32[] = {HWASM_I32};
    hw_extern f;
    ck_assert_int_eq(hw_host_func_new(i32, 1, i32, 1, (void *)host_check, &factor, &f), HW_OK);
    hw_instance *inst;
    hw_error err;
    ck_assert_int_eq(hw_instance_new(m, &f, 1, NULL, &inst, &err), HW_OK);
    ck_assert_int_eq(call1(inst, "run", 5, 0, &err), 16);
    uint64_t s[1] = {(uint32_t)-1};
    ck_assert_int_eq(unit_call(inst, "run", s, &err), HW_ETRAP);
    ck_assert_uint_eq(err.trap, HWASM_TRAP_HOST);
    ck_assert_str_eq(err.message, "negative");
    hw_instance_free(inst);
    /* The wrong host type is a link error. */
    hw_extern g;
    ck_assert_int_eq(hw_host_func_new(i32, 1, NULL, 0, (void *)host_check, &factor, &g), HW_OK);
    ck_assert_int_eq(hw_instance_new(m, &g, 1, NULL, &inst, &err), HW_ELINK);
    ck_assert_ptr_nonnull(strstr(err.message, "incompatible import type"));
    hw_extern_free(&g);
    hw_extern_free(&f);
    hw_module_free(m);
}
END_TEST

/* A trap returns to the guarded call with the caller's registers as they were (the frame
 * holds the callee-saved ones), also from a guest call nested in a host function: "burn"
 * keeps eight values live in a loop (callee-saved registers), then traps when asked;
 * "outer" keeps values live across a host function whose own guest call traps. */
static const char burn_wat[] =
    "(module (import \"env\" \"inner\" (func $inner (param i32) (result i32)))\n"
    "  (func $burn (export \"burn\") (param $n i32) (result i32)\n"
    "    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32)\n"
    "    (local $f i32) (local $g i32) (local $i i32)\n"
    "    (local.set $a (local.get $n)) (local.set $b (i32.const 3)) (local.set $c (i32.const 5))\n"
    "    (local.set $d (i32.const 7)) (local.set $e (i32.const 11)) (local.set $f (i32.const 13))\n"
    "    (local.set $g (i32.const 17))\n"
    "    (loop $l\n"
    "      (local.set $a (i32.add (local.get $a) (local.get $b)))\n"
    "      (local.set $b (i32.xor (local.get $b) (local.get $c)))\n"
    "      (local.set $c (i32.mul (local.get $c) (local.get $d)))\n"
    "      (local.set $d (i32.add (local.get $d) (local.get $e)))\n"
    "      (local.set $e (i32.rotl (local.get $e) (local.get $f)))\n"
    "      (local.set $f (i32.sub (local.get $f) (local.get $g)))\n"
    "      (local.set $g (i32.add (local.get $g) (local.get $a)))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))\n"
    "    (if (i32.and (local.get $n) (i32.const 1)) (then unreachable))\n"
    "    (i32.xor (i32.xor (i32.xor (local.get $a) (local.get $b)) (i32.xor (local.get $c) (local.get $d)))\n"
    "             (i32.xor (i32.xor (local.get $e) (local.get $f)) (local.get $g))))\n"
    "  (func (export \"outer\") (param $n i32) (result i32) (local $x i32) (local $y i32)\n"
    "    (local.set $x (call $burn (i32.const 2))) (local.set $y (i32.mul (local.get $n) (i32.const 7)))\n"
    "    (i32.add (i32.add (local.get $x) (local.get $y)) (call $inner (local.get $n)))))\n";

static hw_instance *burner; /* the instance "inner" calls into */

/* Calls burn(n) on the other instance: it traps for odd n. Returns the status. */
static int32_t host_inner(void *env, hwasm_vmctx *caller, int32_t n) {
    (void)env, (void)caller;
    uint64_t s[1] = {(uint32_t)n};
    hw_error err;
    return unit_call(burner, "burn", s, &err);
}

/* Six values live across four guarded calls, two of which trap. */
static __attribute__((noinline)) uint64_t mix_across_calls(hw_instance *inst, uint64_t seed, int calls) {
    uint64_t a = seed * 3, b = seed ^ 0x55, c = seed + 7, d = seed * seed, e = ~seed, g = seed << 3;
    for (int i = 0; i < 4; i++) {
        int rc = 0;
        if (calls) {
            uint64_t s[1] = {(uint32_t)i};
            hw_error err;
            rc = unit_call(inst, "burn", s, &err);
        } else {
            rc = i & 1 ? HW_ETRAP : HW_OK; /* what the calls return */
        }
        a += (uint64_t)rc, b ^= (uint64_t)rc * 3, c -= (uint64_t)rc, d += (uint64_t)rc * 2, e += (uint64_t)rc,
            g ^= (uint64_t)rc << 5;
        a = a * 31 + b, b = b * 37 + c, c = c * 41 + d, d = d * 43 + e, e = e * 47 + g, g = g * 53 + a;
    }
    return a ^ b * 3 ^ c * 5 ^ d * 7 ^ e * 11 ^ g * 13;
}

START_TEST(trap_keeps_callers_registers) {
    hw_module *m = load(burn_wat, "");
    static const uint8_t i32[] = {HWASM_I32};
    hw_extern f;
    ck_assert_int_eq(hw_host_func_new(i32, 1, i32, 1, (void *)host_inner, NULL, &f), HW_OK);
    hw_instance *inst;
    hw_error err;
    ck_assert_int_eq(hw_instance_new(m, &f, 1, NULL, &inst, &err), HW_OK);
    ck_assert_int_eq(hw_instance_new(m, &f, 1, NULL, &burner, &err), HW_OK);
    for (uint64_t seed = 1; seed < 5; seed++)
        ck_assert_uint_eq(mix_across_calls(inst, seed, 1), mix_across_calls(inst, seed, 0));
    /* the nested call's trap comes back to host_inner, and "outer" goes on with its values */
    int32_t burn2 = call1(inst, "burn", 2, 0, &err);
    ck_assert_int_eq(call1(inst, "outer", 3, 0, &err), burn2 + 21 + HW_ETRAP);
    ck_assert_int_eq(call1(inst, "outer", 4, 0, &err), burn2 + 28 + HW_OK);
    hw_instance_free(burner);
    hw_instance_free(inst);
    hw_extern_free(&f);
    hw_module_free(m);
}
END_TEST

int main(void) {
    Suite *s = suite_create("runtime_e2e");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, linking_shares_state);
    tcase_add_test(tc, trapped_instantiation_leaves_table_writes);
    tcase_add_test(tc, bounds_guard);
    tcase_add_test(tc, bounds_explicit);
    tcase_add_test(tc, table_element_cap);
    tcase_add_test(tc, runaway_guests);
    tcase_add_test(tc, host_functions);
    tcase_add_test(tc, trap_keeps_callers_registers);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

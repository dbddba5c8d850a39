/*
 * test_runtime_objects.c — libhwasm's objects without any compiled module: memory
 * reservations in both bounds modes, growth limits and the per-instance cap, tables,
 * globals, host functions and canonical signature ids (also across threads).
 */
#include <check.h>
#include <pthread.h>
#include <string.h>

#include "rt_internal.h"
#include "unit_support.h"

START_TEST(memory_guard_mode) {
    hw_extern e;
    ck_assert_int_eq(hw_memory_new(1, 3, 1, &e), HW_OK);
    hwasm_memory *m = e.of.memory;
    ck_assert_uint_eq(m->size, HWASM_PAGE_SIZE);
    ck_assert_uint_eq(m->reserved, HWASM_GUARD_RESERVATION);
    ck_assert_uint_eq(m->max_pages, 3);
    uint8_t *base = m->base;
    base[0] = 1, base[HWASM_PAGE_SIZE - 1] = 2;
    ck_assert_int_eq(rt_memory_grow(m, 0), 1);
    ck_assert_int_eq(rt_memory_grow(m, 2), 1);
    ck_assert_ptr_eq(m->base, base); /* never moves */
    ck_assert_uint_eq(m->size, 3 * HWASM_PAGE_SIZE);
    ck_assert_int_eq(base[2 * HWASM_PAGE_SIZE + 5], 0); /* grown pages read as zero */
    base[3 * HWASM_PAGE_SIZE - 1] = 7;
    ck_assert_int_eq(rt_memory_grow(m, 1), -1); /* past the max: nothing changes */
    ck_assert_uint_eq(m->size, 3 * HWASM_PAGE_SIZE);
    ck_assert_int_eq(rt_memory_grow(m, 0xffffffffu), -1);
    ck_assert(rt_ranges_contains(&rt_fault_memories, (uintptr_t)base + (8ull << 30)));
    hw_extern_free(&e);
    ck_assert(!rt_ranges_contains(&rt_fault_memories, (uintptr_t)base));
}
END_TEST

START_TEST(memory_without_max_grows_to_4gib_limit) {
    hw_extern e;
    ck_assert_int_eq(hw_memory_new(0, 0, 0, &e), HW_OK);
    hwasm_memory *m = e.of.memory;
    ck_assert_uint_eq(m->size, 0);
    ck_assert_uint_eq(m->max_pages, HWASM_MAX_PAGES);
    ck_assert_int_eq(rt_memory_grow(m, HWASM_MAX_PAGES + 1), -1);
    ck_assert_int_eq(rt_memory_grow(m, 1), 0);
    ck_assert_int_eq(rt_memory_grow(m, 0), 1);
    hw_extern_free(&e);
}
END_TEST

START_TEST(memory_explicit_mode_reserves_the_limit) {
    rt_memory *m;
    hw_error err;
    ck_assert_int_eq(rt_memory_create(2, 5, 1, 0, false, &m, &err), HW_OK);
    ck_assert_uint_eq(m->pub.reserved, 5ull * HWASM_PAGE_SIZE);
    ck_assert_int_eq(rt_memory_grow(&m->pub, 3), 2);
    ck_assert_int_eq(rt_memory_grow(&m->pub, 1), -1);
    rt_memory_free(m);
    ck_assert_int_eq(rt_memory_create(0, 0, 1, 0, false, &m, &err),
                     HW_OK); /* max 0: base still valid */
    ck_assert_ptr_nonnull(m->pub.base);
    ck_assert_int_eq(rt_memory_grow(&m->pub, 1), -1);
    ck_assert_int_eq(rt_memory_grow(&m->pub, 0), 0);
    rt_memory_free(m);
}
END_TEST

START_TEST(memory_cap) {
    rt_memory *m;
    hw_error err;
    ck_assert_int_eq(rt_memory_create(1, 0, 0, 2, true, &m, &err), HW_OK);
    ck_assert_uint_eq(m->pub.max_pages, 2);
    ck_assert_uint_eq(m->has_max, 0); /* the cap is not a declared max (import matching) */
    ck_assert_int_eq(rt_memory_grow(&m->pub, 1), 1);
    ck_assert_int_eq(rt_memory_grow(&m->pub, 1), -1);
    rt_memory_free(m);
    ck_assert_int_eq(rt_memory_create(3, 10, 1, 2, true, &m, &err), HW_ENOMEM);
    ck_assert_int_eq(err.status, HW_ENOMEM);
    ck_assert_int_eq(rt_memory_create(3, 2, 1, 0, true, &m, &err), HW_EINVAL);
    ck_assert_int_eq(rt_memory_create(HWASM_MAX_PAGES + 1, 0, 0, 0, true, &m, &err), HW_EINVAL);
}
END_TEST

START_TEST(tables) {
    hw_extern e;
    ck_assert_int_eq(hw_table_new(HWASM_FUNCREF, 2, 4, 1, &e), HW_OK);
    hwasm_table *t = e.of.table;
    ck_assert_uint_eq(t->size, 2);
    ck_assert_uint_eq(t->max, 4);
    ck_assert_ptr_null(t->elems[0]);
    ck_assert_ptr_null(t->elems[1]);
    int marker;
    ck_assert_int_eq(rt_table_grow(t, &marker, 2), 2);
    ck_assert_ptr_eq(t->elems[2], &marker);
    ck_assert_ptr_eq(t->elems[3], &marker);
    ck_assert_int_eq(rt_table_grow(t, NULL, 1), -1);
    ck_assert_int_eq(rt_table_grow(t, NULL, 0), 4);
    hw_extern_free(&e);
    ck_assert_int_eq(e.kind, 0);

    ck_assert_int_eq(hw_table_new(HWASM_EXTERNREF, 0, 0, 0, &e), HW_OK);
    ck_assert_uint_eq(e.of.table->max, UINT32_MAX);
    ck_assert_int_eq(rt_table_grow(e.of.table, NULL, 0xfffffff0u), -1); /* implementation limit */
    ck_assert_int_eq(rt_table_grow(e.of.table, NULL, 3), 0);
    hw_extern_free(&e);

    ck_assert_int_eq(hw_table_new(HWASM_I32, 0, 0, 0, &e), HW_EINVAL);
    ck_assert_int_eq(hw_table_new(HWASM_FUNCREF, 5, 4, 1, &e), HW_EINVAL);
}
END_TEST

START_TEST(globals) {
    hw_extern e;
    ck_assert_int_eq(hw_global_new(HWASM_I32, 0, 0xffffffff00000007ull, &e), HW_OK);
    ck_assert_int_eq(e.of.global->i32, 7);
    ck_assert_int_eq(e.of.global->i64, 7); /* upper bits clear */
    ck_assert_int_eq(e.global_type, HWASM_I32);
    ck_assert_int_eq(e.global_mutable, 0);
    hw_extern_free(&e);
    double d = 2.5;
    uint64_t bits;
    memcpy(&bits, &d, 8);
    ck_assert_int_eq(hw_global_new(HWASM_F64, 1, bits, &e), HW_OK);
    ck_assert(e.of.global->f64 == 2.5);
    ck_assert_int_eq(e.global_mutable, 1);
    hw_extern_free(&e);
    ck_assert_int_eq(hw_global_new(0x40, 0, 0, &e), HW_EINVAL);
}
END_TEST

static const uint8_t I32_I32[] = {HWASM_I32, HWASM_I32};
static const uint8_t I64[] = {HWASM_I64};

START_TEST(signature_ids) {
    uint32_t a = hw_sig_intern(I32_I32, 2, I64, 1);
    uint32_t b = hw_sig_intern(I32_I32, 2, I64, 1);
    uint32_t c = hw_sig_intern(I32_I32, 1, I64, 1);
    uint32_t d = hw_sig_intern(I32_I32, 2, NULL, 0);
    uint32_t e = hw_sig_intern(NULL, 0, NULL, 0);
    /* Same bytes, split differently between params and results: a different type. */
    uint32_t f = hw_sig_intern(I32_I32, 1, I32_I32, 1);
    uint32_t g = hw_sig_intern(I32_I32, 2, NULL, 0);
    ck_assert_uint_ne(a, 0);
    ck_assert_uint_eq(a, b);
    ck_assert_uint_ne(a, c);
    ck_assert_uint_ne(a, d);
    ck_assert_uint_ne(d, e);
    ck_assert_uint_ne(f, d);
    ck_assert_uint_eq(d, g);
}
END_TEST

static void *intern_many(void *arg) {
    uint32_t *ids = arg;
    for (int i = 0; i < 200; i++) {
        uint8_t p[3] = {HWASM_I32, (uint8_t)(HWASM_I64 - i % 2), HWASM_F32};
        ids[i] = hw_sig_intern(p, 1 + i % 3, p, (i / 3) % 3);
    }
    return NULL;
}

START_TEST(signature_ids_across_threads) {
    static uint32_t ids[4][200];
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, intern_many, ids[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 1; i < 4; i++)
        ck_assert_mem_eq(ids[0], ids[i], sizeof ids[0]);
}
END_TEST

static int32_t host_add(void *env, hwasm_vmctx *caller, int32_t a, int32_t b) {
    (void)caller;
    return a + b + *(int32_t *)env;
}

START_TEST(host_functions) {
    static int32_t bias = 100;
    hw_extern e;
    ck_assert_int_eq(hw_host_func_new(I32_I32, 2, I32_I32, 1, (void *)host_add, &bias, &e), HW_OK);
    ck_assert_int_eq(e.kind, HWASM_EXTERN_FUNC);
    ck_assert_uint_eq(e.of.func->sig_id, hw_sig_intern(I32_I32, 2, I32_I32, 1));
    ck_assert_ptr_eq(e.of.func->env, &bias);
    int32_t (*fn)(void *, hwasm_vmctx *, int32_t, int32_t) =
        (int32_t(*)(void *, hwasm_vmctx *, int32_t, int32_t))e.of.func->code;
    ck_assert_int_eq(fn(e.of.func->env, NULL, 1, 2), 103);
    hw_extern_free(&e);
    ck_assert_int_eq(hw_host_func_new(NULL, 1, NULL, 0, (void *)host_add, NULL, &e), HW_EINVAL);
    ck_assert_int_eq(hw_host_func_new(NULL, 0, NULL, 0, NULL, NULL, &e), HW_EINVAL);
}
END_TEST

START_TEST(messages) {
    ck_assert_str_eq(hw_trap_message(HWASM_TRAP_MEMORY_OOB), "out of bounds memory access");
    ck_assert_str_eq(hw_trap_message(HWASM_TRAP_TABLE_OOB), "out of bounds table access");
    ck_assert_str_eq(hw_trap_message(HWASM_TRAP_STACK_EXHAUSTED), "call stack exhausted");
    ck_assert_str_eq(hw_trap_message(HWASM_TRAP_INDIRECT_SIG), "indirect call type mismatch");
    ck_assert_str_eq(hw_trap_message(HWASM_TRAP_INVALID_CONVERSION),
                     "invalid conversion to integer");
    for (uint32_t t = 0; t <= HWASM_TRAP_COUNT; t++)
        ck_assert_ptr_nonnull(hw_trap_message(t));
    for (int s = 0; s >= -9; s--)
        ck_assert_ptr_nonnull(hw_strerror(s));
}
END_TEST

START_TEST(module_load_errors) {
    hw_module *m = (hw_module *)1;
    hw_error err;
    ck_assert_int_eq(hw_module_load("/nonexistent/x.so", NULL, &m, &err), HW_EIO);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(err.status, HW_EIO);
    /* A bare name is a file here, never a search through library paths. */
    ck_assert_int_eq(hw_module_load("libm.so.6", NULL, &m, &err), HW_EIO);
    /* A system library needs others (and libc runs constructors): refused before dlopen. */
#if defined(__aarch64__) /* this machine's own libm, so the machine check passes */
    ck_assert_int_eq(hw_module_load("/lib/aarch64-linux-gnu/libm.so.6", NULL, &m, &err), HW_EREFUSED);
#else
    ck_assert_int_eq(hw_module_load("/lib/x86_64-linux-gnu/libm.so.6", NULL, &m, &err), HW_EREFUSED);
#endif
    ck_assert_ptr_nonnull(strstr(err.message, "DT_NEEDED"));
    ck_assert_int_eq(hw_module_load(NULL, NULL, &m, &err), HW_EINVAL);
}
END_TEST

int main(void) {
    Suite *s = suite_create("runtime_objects");
    TCase *tc = tcase_create("objects");
    tcase_add_test(tc, memory_guard_mode);
    tcase_add_test(tc, memory_without_max_grows_to_4gib_limit);
    tcase_add_test(tc, memory_explicit_mode_reserves_the_limit);
    tcase_add_test(tc, memory_cap);
    tcase_add_test(tc, tables);
    tcase_add_test(tc, globals);
    tcase_add_test(tc, signature_ids);
    tcase_add_test(tc, signature_ids_across_threads);
    tcase_add_test(tc, host_functions);
    tcase_add_test(tc, messages);
    tcase_add_test(tc, module_load_errors);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

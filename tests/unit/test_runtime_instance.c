/*
 * test_runtime_instance.c — instantiation, linking, calls, traps and the bulk callbacks,
 * driven by a module written by hand in C: its "compiled code" is C functions with the
 * ABI's calling convention, placed in their own section, which the test registers as
 * module code so the fault handler treats it as guest code (a real SIGSEGV in the guard
 * region becomes "out of bounds memory access"). No hwasmc needed.
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_internal.h"
#include "unit_support.h"

/* --- The fake module's code -------------------------------------------------------------- */

#define GUEST __attribute__((section("hwasm_fake_text"), noinline, used))
extern const char __start_hwasm_fake_text[], __stop_hwasm_fake_text[];

typedef int32_t (*fn_i_i)(void *, hwasm_vmctx *, int32_t);
typedef void (*fn_v_v)(void *, hwasm_vmctx *);

GUEST static int32_t f_get(void *env, hwasm_vmctx *caller, int32_t addr) {
    (void)caller;
    hwasm_vmctx *vm = env;
    typedef int32_t __attribute__((aligned(1))) unaligned_i32; /* wasm loads need no alignment */
    return *(volatile unaligned_i32 *)(vm->mem_base + (uint32_t)addr);
}

GUEST static int32_t f_recurse(void *env, hwasm_vmctx *caller, int32_t n) {
    (void)caller;
    hwasm_vmctx *vm = env;
    if ((uintptr_t)__builtin_frame_address(0) < vm->stack_limit)
        vm->rt->trap(vm, HWASM_TRAP_STACK_EXHAUSTED);
    volatile char pad[256];
    pad[0] = (char)n;
    if (n == 0) return 0;
    fn_i_i volatile self = f_recurse; /* no tail call, no loop */
    return self(env, vm, n - 1) + pad[0];
}

GUEST static int32_t f_call_import(void *env, hwasm_vmctx *caller, int32_t x) {
    (void)caller;
    hwasm_vmctx *vm = env;
    hwasm_funcref *f = vm->funcs[0];
    return ((fn_i_i)f->code)(f->env, vm, x);
}

GUEST static int32_t f_trap(void *env, hwasm_vmctx *caller, int32_t code) {
    (void)caller;
    hwasm_vmctx *vm = env;
    vm->rt->trap(vm, (uint32_t)code);
    __builtin_unreachable();
}

GUEST static int32_t f_grow(void *env, hwasm_vmctx *caller, int32_t delta) {
    (void)caller;
    hwasm_vmctx *vm = env;
    return vm->rt->memory_grow(vm, (uint32_t)delta);
}

/* Start function: marks memory, and traps when global 1 is 99. */
GUEST static void f_start(void *env, hwasm_vmctx *caller) {
    (void)caller;
    hwasm_vmctx *vm = env;
    if (vm->memory) vm->mem_base[100] = 'S';
    if (vm->globals[1]->i32 == 99) vm->rt->trap(vm, HWASM_TRAP_UNREACHABLE);
}

GUEST static void f_loop(void *env, hwasm_vmctx *caller) {
    (void)caller;
    hwasm_vmctx *vm = env;
    for (;;)
        if (vm->interrupt) vm->rt->trap(vm, HWASM_TRAP_INTERRUPTED);
}

static void tramp_v(void *code, void *env, hwasm_vmctx *caller, uint64_t *slots) {
    (void)slots;
    ((fn_v_v)code)(env, caller);
}
static void tramp_i_i(void *code, void *env, hwasm_vmctx *caller, uint64_t *slots) {
    slots[0] = (uint32_t)((fn_i_i)code)(env, caller, (int32_t)slots[0]);
}

/* --- The fake module's descriptor -------------------------------------------------------- */

enum { T_V, T_I_I };
static const uint8_t i32_i32[] = {HWASM_I32, HWASM_I32};
static const hwasm_functype types[] = {{0, 0, NULL}, {1, 1, i32_i32}};
static const hwasm_trampoline trampolines[] = {tramp_v, tramp_i_i};

enum { F_IMPORT, F_GET, F_RECURSE, F_CALL_IMPORT, F_TRAP, F_GROW, F_START, F_LOOP, NUM_FUNCS };
static const uint32_t func_types[NUM_FUNCS] = {T_I_I, T_I_I, T_I_I, T_I_I, T_I_I, T_I_I, T_V, T_V};
static void *const func_code[NUM_FUNCS] = {
    NULL,           (void *)f_get,  (void *)f_recurse, (void *)f_call_import,
    (void *)f_trap, (void *)f_grow, (void *)f_start,   (void *)f_loop};

static const hwasm_import imports[] = {
    {"env", "f", 3, 1, HWASM_EXTERN_FUNC, T_I_I, {0}, 0, 0},
    {"env", "g", 3, 1, HWASM_EXTERN_GLOBAL, 0, {0}, HWASM_I32, 0},
};
static const hwasm_table_def tables[] = {{HWASM_FUNCREF, {4, 10, 1}}};
static const hwasm_global_def globals[] = {
    {HWASM_I32, 0, {0}},
    {HWASM_I32, 1, {HWASM_CONST_GLOBAL_GET, 0, 0, 0}},
    {HWASM_FUNCREF, 0, {HWASM_CONST_REF_FUNC, F_GET, 0, 0}},
};
#define EXPORT(name, kind, index)                                                                  \
    { name, sizeof name - 1, kind, index }
static const hwasm_export exports[] = {
    EXPORT("get", HWASM_EXTERN_FUNC, F_GET),
    EXPORT("recurse", HWASM_EXTERN_FUNC, F_RECURSE),
    EXPORT("call_import", HWASM_EXTERN_FUNC, F_CALL_IMPORT),
    EXPORT("trap", HWASM_EXTERN_FUNC, F_TRAP),
    EXPORT("grow", HWASM_EXTERN_FUNC, F_GROW),
    EXPORT("loop", HWASM_EXTERN_FUNC, F_LOOP),
    EXPORT("mem", HWASM_EXTERN_MEMORY, 0),
    EXPORT("tab", HWASM_EXTERN_TABLE, 0),
    EXPORT("g", HWASM_EXTERN_GLOBAL, 1),
    EXPORT("gref", HWASM_EXTERN_GLOBAL, 2),
    EXPORT("imp", HWASM_EXTERN_FUNC, F_IMPORT),
    EXPORT("imp_g", HWASM_EXTERN_GLOBAL, 0),
};
static const hwasm_data_segment data[] = {
    {HWASM_SEGMENT_ACTIVE, 0, {HWASM_CONST_GLOBAL_GET, 0, 0, 0}, (const uint8_t *)"hello", 5},
    {HWASM_SEGMENT_PASSIVE, 0, {0}, (const uint8_t *)"abc", 3},
};
static const hwasm_const seg0_items[] = {{HWASM_CONST_REF_FUNC, F_GET, 0, 0},
                                         {HWASM_CONST_REF_FUNC, F_CALL_IMPORT, 0, 0}};
static const hwasm_const seg1_items[] = {{HWASM_CONST_REF_FUNC, F_TRAP, 0, 0},
                                         {HWASM_CONST_REF_NULL, HWASM_FUNCREF, 0, 0}};
static const hwasm_const seg2_items[] = {{HWASM_CONST_REF_FUNC, F_LOOP, 0, 0}};
static const hwasm_elem_segment elems[] = {
    {HWASM_SEGMENT_ACTIVE, 0, {HWASM_CONST_I32, 0, 1, 0}, HWASM_FUNCREF, 2, seg0_items},
    {HWASM_SEGMENT_PASSIVE, 0, {0}, HWASM_FUNCREF, 2, seg1_items},
    {HWASM_SEGMENT_DECLARATIVE, 0, {0}, HWASM_FUNCREF, 1, seg2_items},
};

static hwasm_descriptor base_descriptor(void) {
    return (hwasm_descriptor){
        .abi_version = HWASM_ABI_VERSION,
        .num_types = 2,
        .types = types,
        .trampolines = trampolines,
        .num_imports = 2,
        .imports = imports,
        .num_imported_funcs = 1,
        .num_funcs = NUM_FUNCS,
        .func_types = func_types,
        .func_code = func_code,
        .num_tables = 1,
        .tables = tables,
        .has_memory = 1,
        .memory_limits = {1, 4, 1},
        .num_imported_globals = 1,
        .num_globals = 3,
        .globals = globals,
        .num_exports = sizeof exports / sizeof *exports,
        .exports = exports,
        .start_func = -1,
        .num_data = 2,
        .data = data,
        .num_elems = 3,
        .elems = elems,
    };
}

/* A hw_module around a descriptor in this process (no .so): what hw_module_load builds. */
static hw_module *fake_module(const hwasm_descriptor *d) {
    hw_module *m = calloc(1, sizeof *m);
    m->d = d;
    m->sig_ids = calloc(d->num_types + 1, sizeof *m->sig_ids);
    for (uint32_t i = 0; i < d->num_types; i++)
        m->sig_ids[i] =
            hw_sig_intern(d->types[i].types, d->types[i].num_params,
                          d->types[i].types + d->types[i].num_params, d->types[i].num_results);
    return m;
}

/* --- Host side ----------------------------------------------------------------------------- */

static int32_t host_double(void *env, hwasm_vmctx *caller, int32_t x) {
    (void)env, (void)caller;
    return 2 * x;
}

static int32_t host_fail(void *env, hwasm_vmctx *caller, int32_t x) {
    (void)env;
    if (x < 0) hw_trap_raise(caller, HWASM_TRAP_HOST, "boom: negative argument");
    return x;
}

typedef struct world {
    hwasm_descriptor d;
    hw_module *mod;
    hw_extern imp[3];
    hw_instance *inst;
    hw_error err;
} world;

/* Instantiates the base module with host function `host` and global g = gval. */
static int world_new(world *w, void *host, int32_t gval) {
    memset(w, 0, sizeof *w);
    w->d = base_descriptor();
    w->mod = fake_module(&w->d);
    ck_assert_int_eq(hw_host_func_new(i32_i32, 1, i32_i32 + 1, 1, host, NULL, &w->imp[0]), HW_OK);
    ck_assert_int_eq(hw_global_new(HWASM_I32, 0, (uint32_t)gval, &w->imp[1]), HW_OK);
    return hw_instance_new(w->mod, w->imp, 2, NULL, &w->inst, &w->err);
}

static void world_free(world *w) {
    hw_instance_free(w->inst);
    hw_module_free(w->mod);
    for (int i = 0; i < 3; i++)
        hw_extern_free(&w->imp[i]);
}

static int call(world *w, uint32_t func, int32_t arg, int32_t *result) {
    uint64_t slot = (uint32_t)arg;
    memset(&w->err, 0, sizeof w->err);
    int rc = hw_call(w->inst, func, &slot, &w->err);
    if (result) *result = (int32_t)slot;
    return rc;
}

static void assert_trap(world *w, int rc, uint32_t trap) {
    ck_assert_int_eq(rc, HW_ETRAP);
    ck_assert_int_eq(w->err.status, HW_ETRAP);
    ck_assert_uint_eq(w->err.trap, trap);
    ck_assert_str_eq(w->err.message, hw_trap_message(trap));
}

/* --- Instantiation and linking --------------------------------------------------------- */

START_TEST(instantiate_and_call) {
    world w;
    ck_assert_int_eq(world_new(&w, (void *)host_double, 16), HW_OK);
    hwasm_vmctx *vm = hw_instance_vmctx(w.inst);
    ck_assert_ptr_eq(vm->host, w.inst);
    ck_assert_ptr_eq(vm->mem_base, hw_instance_memory(w.inst)->base);
    ck_assert_mem_eq(vm->mem_base + 16, "hello", 5);         /* offset from the imported global */
    ck_assert_int_eq(vm->globals[1]->i32, 16);               /* global.get of an import */
    ck_assert_ptr_eq(vm->globals[2]->ref, vm->funcs[F_GET]); /* ref.func */
    hwasm_table *t = vm->tables[0];
    ck_assert_ptr_null(t->elems[0]);
    ck_assert_ptr_eq(t->elems[1], vm->funcs[F_GET]);
    ck_assert_ptr_eq(t->elems[2], vm->funcs[F_CALL_IMPORT]);
    ck_assert_ptr_null(t->elems[3]);
    /* Defined functions: env is the instance, sig ids agree with the host's interning. */
    ck_assert_ptr_eq(vm->funcs[F_GET]->env, vm);
    ck_assert_uint_eq(vm->funcs[F_GET]->sig_id, vm->sig_ids[T_I_I]);
    ck_assert_uint_eq(vm->funcs[F_IMPORT]->sig_id, vm->sig_ids[T_I_I]);
    ck_assert_uint_ne(vm->sig_ids[T_V], vm->sig_ids[T_I_I]);

    int32_t r;
    ck_assert_int_eq(call(&w, F_GET, 16, &r), HW_OK);
    ck_assert_int_eq(r, 'h' | 'e' << 8 | 'l' << 16 | 'l' << 24);
    ck_assert_int_eq(call(&w, F_CALL_IMPORT, 21, &r), HW_OK);
    ck_assert_int_eq(r, 42);
    ck_assert_int_eq(call(&w, F_IMPORT, 5, &r), HW_OK); /* an import called directly */
    ck_assert_int_eq(r, 10);
    ck_assert_int_eq(hw_call(w.inst, NUM_FUNCS, NULL, &w.err), HW_EINVAL);
    world_free(&w);
}
END_TEST

START_TEST(export_lookup) {
    world w;
    ck_assert_int_eq(world_new(&w, (void *)host_double, 0), HW_OK);
    hw_extern e;
    ck_assert_int_eq(hw_instance_export_func_index(w.inst, "recurse", 7), F_RECURSE);
    ck_assert_int_eq(hw_instance_export_func_index(w.inst, "mem", 3), -1);
    ck_assert_int_eq(hw_instance_export_func_index(w.inst, "nope", 4), -1);
    ck_assert_int_eq(hw_instance_export(w.inst, "nope", 4, &e), HW_ENOENT);
    ck_assert_int_eq(hw_instance_export(w.inst, "ge", 2, &e), HW_ENOENT); /* prefix is no match */
    ck_assert_int_eq(hw_instance_export(w.inst, "imp", 3, &e), HW_OK);
    ck_assert_ptr_eq(e.of.func, w.imp[0].of.func); /* re-export: the import itself */
    ck_assert_int_eq(hw_instance_export(w.inst, "imp_g", 5, &e), HW_OK);
    ck_assert_ptr_eq(e.of.global, w.imp[1].of.global);
    ck_assert_int_eq(hw_instance_export(w.inst, "g", 1, &e), HW_OK);
    ck_assert_int_eq(e.kind, HWASM_EXTERN_GLOBAL);
    ck_assert_int_eq(e.global_type, HWASM_I32);
    ck_assert_int_eq(e.global_mutable, 1);
    ck_assert_int_eq(hw_instance_export(w.inst, "mem", 3, &e), HW_OK);
    ck_assert_ptr_eq(e.of.memory, hw_instance_memory(w.inst));
    ck_assert_int_eq(hw_instance_export(w.inst, "tab", 3, &e), HW_OK);
    ck_assert_ptr_eq(e.of.table, hw_instance_vmctx(w.inst)->tables[0]);
    world_free(&w);
}
END_TEST

START_TEST(link_errors) {
    world w;
    ck_assert_int_eq(world_new(&w, (void *)host_double, 0), HW_OK);
    hw_instance *inst = NULL;
    hw_extern bad[2] = {w.imp[0], w.imp[1]};
    hw_extern f_v;
    ck_assert_int_eq(hw_host_func_new(NULL, 0, NULL, 0, (void *)host_double, NULL, &f_v), HW_OK);
    bad[0] = f_v; /* () -> () where (i32) -> (i32) is wanted */
    ck_assert_int_eq(hw_instance_new(w.mod, bad, 2, NULL, &inst, &w.err), HW_ELINK);
    ck_assert_ptr_null(inst);
    ck_assert_ptr_nonnull(strstr(w.err.message, "incompatible import type"));
    bad[0] = w.imp[1]; /* a global where a function is wanted */
    ck_assert_int_eq(hw_instance_new(w.mod, bad, 2, NULL, &inst, &w.err), HW_ELINK);
    hw_extern g_mut, g_i64;
    ck_assert_int_eq(hw_global_new(HWASM_I32, 1, 0, &g_mut), HW_OK);
    ck_assert_int_eq(hw_global_new(HWASM_I64, 0, 0, &g_i64), HW_OK);
    bad[0] = w.imp[0], bad[1] = g_mut;
    ck_assert_int_eq(hw_instance_new(w.mod, bad, 2, NULL, &inst, &w.err), HW_ELINK);
    bad[1] = g_i64;
    ck_assert_int_eq(hw_instance_new(w.mod, bad, 2, NULL, &inst, &w.err), HW_ELINK);
    ck_assert_int_eq(hw_instance_new(w.mod, w.imp, 1, NULL, &inst, &w.err), HW_ELINK);
    ck_assert_int_eq(hw_instance_new(w.mod, NULL, 2, NULL, &inst, &w.err), HW_ELINK);
    ck_assert_ptr_null(inst);
    hw_extern_free(&f_v);
    hw_extern_free(&g_mut);
    hw_extern_free(&g_i64);
    world_free(&w);
}
END_TEST

/* A module that imports only a memory with limits {2, 3}. */
START_TEST(memory_import_limits) {
    static const hwasm_import imp[] = {{"m", "mem", 1, 3, HWASM_EXTERN_MEMORY, 0, {2, 3, 1}, 0, 0}};
    hwasm_descriptor d = {.abi_version = HWASM_ABI_VERSION,
                          .num_imports = 1,
                          .imports = imp,
                          .has_memory = 1,
                          .memory_imported = 1,
                          .memory_limits = {2, 3, 1},
                          .start_func = -1};
    hw_module *m = fake_module(&d);
    struct {
        uint32_t min, max;
        int has_max, want;
    } cases[] = {
        {1, 3, 1, HW_ELINK}, /* too small */
        {2, 0, 0, HW_ELINK}, /* no max where one is required */
        {2, 4, 1, HW_ELINK}, /* max too large */
        {2, 3, 1, HW_OK},    {3, 3, 1, HW_OK}, {2, 2, 1, HW_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hw_extern mem;
        hw_instance *inst = NULL;
        hw_error err;
        ck_assert_int_eq(hw_memory_new(cases[i].min, cases[i].max, cases[i].has_max, &mem), HW_OK);
        ck_assert_msg(hw_instance_new(m, &mem, 1, NULL, &inst, &err) == cases[i].want, "case %zu",
                      i);
        if (inst)
            ck_assert_ptr_eq(hw_instance_memory(inst), mem.of.memory); /* shared, not copied */
        hw_instance_free(inst);
        hw_extern_free(&mem);
    }
    /* The current size counts, not the declared minimum: a memory grown to 2 pages matches. */
    hw_extern mem;
    hw_instance *inst = NULL;
    hw_error err;
    ck_assert_int_eq(hw_memory_new(1, 3, 1, &mem), HW_OK);
    ck_assert_int_eq(rt_memory_grow(mem.of.memory, 1), 1);
    ck_assert_int_eq(hw_instance_new(m, &mem, 1, NULL, &inst, &err), HW_OK);
    hw_instance_free(inst);
    hw_extern_free(&mem);
    /* Guard-mode code cannot use a memory reserved only for explicit bounds checks. */
    rt_memory *small;
    ck_assert_int_eq(rt_memory_create(2, 3, 1, 0, false, &small, &err), HW_OK);
    mem = (hw_extern){.kind = HWASM_EXTERN_MEMORY, .of.memory = &small->pub};
    ck_assert_int_eq(hw_instance_new(m, &mem, 1, NULL, &inst, &err), HW_ELINK);
    d.flags = HWASM_FLAG_BOUNDS_EXPLICIT;
    ck_assert_int_eq(hw_instance_new(m, &mem, 1, NULL, &inst, &err), HW_OK);
    hw_instance_free(inst);
    rt_memory_free(small);
    hw_module_free(m);
}
END_TEST

START_TEST(table_import_limits) {
    static const hwasm_import imp[] = {
        {"m", "t", 1, 1, HWASM_EXTERN_TABLE, 0, {2, 5, 1}, HWASM_FUNCREF, 0}};
    static const hwasm_table_def tabs[] = {{HWASM_FUNCREF, {2, 5, 1}}};
    hwasm_descriptor d = {.abi_version = HWASM_ABI_VERSION,
                          .num_imports = 1,
                          .imports = imp,
                          .num_imported_tables = 1,
                          .num_tables = 1,
                          .tables = tabs,
                          .start_func = -1};
    hw_module *m = fake_module(&d);
    struct {
        uint8_t type;
        uint32_t min, max;
        int has_max, want;
    } cases[] = {
        {HWASM_FUNCREF, 1, 5, 1, HW_ELINK}, {HWASM_FUNCREF, 2, 0, 0, HW_ELINK},
        {HWASM_FUNCREF, 2, 6, 1, HW_ELINK}, {HWASM_EXTERNREF, 2, 5, 1, HW_ELINK},
        {HWASM_FUNCREF, 2, 5, 1, HW_OK},    {HWASM_FUNCREF, 4, 4, 1, HW_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hw_extern t;
        hw_instance *inst = NULL;
        hw_error err;
        ck_assert_int_eq(
            hw_table_new(cases[i].type, cases[i].min, cases[i].max, cases[i].has_max, &t), HW_OK);
        ck_assert_msg(hw_instance_new(m, &t, 1, NULL, &inst, &err) == cases[i].want, "case %zu", i);
        hw_instance_free(inst);
        hw_extern_free(&t);
    }
    hw_module_free(m);
}
END_TEST

START_TEST(segment_out_of_bounds_traps) {
    world w;
    ck_assert_int_eq(world_new(&w, (void *)host_double, HWASM_PAGE_SIZE - 4),
                     HW_ETRAP); /* "hello" crosses the end */
    ck_assert_ptr_null(w.inst);
    ck_assert_uint_eq(w.err.trap, HWASM_TRAP_MEMORY_OOB);
    ck_assert_str_eq(w.err.message, "out of bounds memory access");
    world_free(&w);
    ck_assert_int_eq(world_new(&w, (void *)host_double, HWASM_PAGE_SIZE - 5),
                     HW_OK); /* exactly at the end */
    world_free(&w);

    static hwasm_elem_segment bad[3];
    memcpy(bad, elems, sizeof bad);
    bad[0].offset.value = 3; /* two items at 3 in a table of 4 */
    world_new(&w, (void *)host_double, 0);
    hw_instance_free(w.inst);
    w.d.elems = bad;
    ck_assert_int_eq(hw_instance_new(w.mod, w.imp, 2, NULL, &w.inst, &w.err), HW_ETRAP);
    ck_assert_uint_eq(w.err.trap, HWASM_TRAP_TABLE_OOB);
    ck_assert_str_eq(w.err.message, "out of bounds table access");
    world_free(&w);
}
END_TEST

/* Spec 2.0 (linking.wast): writes of segments before the failing one persist in an
 * imported table, and the functions they reference stay callable. */
START_TEST(trapped_instantiation_keeps_shared_effects) {
    static const hwasm_import imp[] = {
        {"env", "f", 3, 1, HWASM_EXTERN_FUNC, T_I_I, {0}, 0, 0},
        {"env", "g", 3, 1, HWASM_EXTERN_GLOBAL, 0, {0}, HWASM_I32, 0},
        {"env", "t", 3, 1, HWASM_EXTERN_TABLE, 0, {2, 0, 0}, HWASM_FUNCREF, 0},
    };
    static const hwasm_const items[] = {{HWASM_CONST_REF_FUNC, F_GET, 0, 0},
                                        {HWASM_CONST_REF_FUNC, F_GET, 0, 0}};
    static const hwasm_elem_segment segs[] = {
        {HWASM_SEGMENT_ACTIVE, 0, {HWASM_CONST_I32, 0, 0, 0}, HWASM_FUNCREF, 1, items},
        {HWASM_SEGMENT_ACTIVE, 0, {HWASM_CONST_I32, 0, 1, 0}, HWASM_FUNCREF, 2, items}, /* 1..3 of 2 */
    };
    world w;
    world_new(&w, (void *)host_double, 0);
    hwasm_descriptor d = base_descriptor();
    d.num_imports = 3, d.imports = imp;
    d.num_imported_tables = 1;
    d.num_elems = 2, d.elems = segs;
    hw_module *m = fake_module(&d);
    ck_assert_int_eq(hw_table_new(HWASM_FUNCREF, 2, 0, 0, &w.imp[2]), HW_OK);
    hw_instance *inst = NULL;
    ck_assert_int_eq(hw_instance_new(m, w.imp, 3, NULL, &inst, &w.err), HW_ETRAP);
    ck_assert_uint_eq(w.err.trap, HWASM_TRAP_TABLE_OOB);
    ck_assert_ptr_null(inst);
    hwasm_table *t = w.imp[2].of.table;
    ck_assert_ptr_nonnull(t->elems[0]);
    ck_assert_ptr_null(t->elems[1]); /* the failing segment wrote nothing */
    ck_assert_ptr_nonnull(m->zombies);
    /* Call the orphaned function from another instance's guest call. */
    hwasm_funcref *f = t->elems[0];
    hwasm_vmctx *vm = hw_instance_vmctx(w.inst);
    ck_assert_uint_eq(f->sig_id, vm->sig_ids[T_I_I]);
    uint64_t slot = 0;
    tramp_i_i(f->code, f->env, vm, &slot); /* reads its own (zeroed) memory */
    ck_assert_uint_eq(slot, 0);
    hw_module_free(m); /* frees the parked instance */
    world_free(&w);
}
END_TEST

/* A world whose module has a start function (F_START) and no instance yet: the start
 * function writes 'S' at memory[100], or traps (unreachable) once start_traps is called. */
static void start_world(world *w) {
    static hwasm_descriptor d;
    ck_assert_int_eq(world_new(w, (void *)host_double, 1), HW_OK);
    hw_instance_free(w->inst);
    w->inst = NULL;
    d = base_descriptor();
    d.start_func = F_START;
    w->mod->d = &d;
}

/* Frees w's instance and gives the start function the global that makes it trap. */
static void start_traps(world *w) {
    hw_instance_free(w->inst);
    w->inst = NULL;
    hw_extern_free(&w->imp[1]);
    hw_global_new(HWASM_I32, 0, 99, &w->imp[1]);
}

START_TEST(start_function) {
    world w;
    start_world(&w);
    ck_assert_int_eq(hw_instance_new(w.mod, w.imp, 2, NULL, &w.inst, &w.err), HW_OK);
    ck_assert_int_eq(hw_instance_vmctx(w.inst)->mem_base[100], 'S');
    start_traps(&w);
    ck_assert_int_eq(hw_instance_new(w.mod, w.imp, 2, NULL, &w.inst, &w.err), HW_ETRAP);
    ck_assert_uint_eq(w.err.trap, HWASM_TRAP_UNREACHABLE);
    ck_assert_ptr_null(w.inst);
    ck_assert_ptr_null(w.mod->zombies); /* no reference could escape: freed at once */
    world_free(&w);
}
END_TEST

/* defer_start: hw_instance_new runs no guest code; hw_instance_start runs the start
 * function once, and a trap there comes back from it, the instance still the caller's. */
START_TEST(deferred_start_function) {
    world w;
    start_world(&w);
    hw_instance_options opts = {.defer_start = 1};
    ck_assert_int_eq(hw_instance_new(w.mod, w.imp, 2, &opts, &w.inst, &w.err), HW_OK);
    ck_assert_int_eq(hw_instance_vmctx(w.inst)->mem_base[100], 0); /* not run yet */
    ck_assert_int_eq(hw_instance_start(w.inst, &w.err), HW_OK);
    ck_assert_int_eq(hw_instance_vmctx(w.inst)->mem_base[100], 'S');
    hw_instance_vmctx(w.inst)->mem_base[100] = 0;
    ck_assert_int_eq(hw_instance_start(w.inst, &w.err), HW_OK); /* once only */
    ck_assert_int_eq(hw_instance_vmctx(w.inst)->mem_base[100], 0);
    start_traps(&w);
    ck_assert_int_eq(hw_instance_new(w.mod, w.imp, 2, &opts, &w.inst, &w.err), HW_OK);
    ck_assert_int_eq(hw_instance_start(w.inst, &w.err), HW_ETRAP);
    ck_assert_uint_eq(w.err.trap, HWASM_TRAP_UNREACHABLE);
    ck_assert_int_eq(hw_instance_start(w.inst, NULL), HW_OK); /* it does not run again */
    world_free(&w);
}
END_TEST

START_TEST(instance_memory_cap) {
    world w;
    world_new(&w, (void *)host_double, 0);
    hw_instance_free(w.inst);
    hw_instance_options opts = {.max_memory_pages = 2};
    ck_assert_int_eq(hw_instance_new(w.mod, w.imp, 2, &opts, &w.inst, &w.err), HW_OK);
    int32_t r;
    ck_assert_int_eq(call(&w, F_GROW, 1, &r), HW_OK);
    ck_assert_int_eq(r, 1);
    ck_assert_int_eq(call(&w, F_GROW, 1, &r), HW_OK);
    ck_assert_int_eq(r, -1);
    ck_assert_int_eq(call(&w, F_GET, 2 * HWASM_PAGE_SIZE - 4, &r), HW_OK);
    world_free(&w);
}
END_TEST

/* --- Calls and traps ------------------------------------------------------------------- */

START_TEST(explicit_traps) {
    world w;
    world_new(&w, (void *)host_fail, 0);
    int32_t r;
    assert_trap(&w, call(&w, F_TRAP, HWASM_TRAP_UNREACHABLE, &r), HWASM_TRAP_UNREACHABLE);
    assert_trap(&w, call(&w, F_TRAP, HWASM_TRAP_INT_DIV_ZERO, &r), HWASM_TRAP_INT_DIV_ZERO);
    ck_assert_int_eq(call(&w, F_CALL_IMPORT, 7, &r), HW_OK); /* still usable after a trap */
    ck_assert_int_eq(r, 7);
    ck_assert_int_eq(call(&w, F_CALL_IMPORT, -1, &r), HW_ETRAP);
    ck_assert_uint_eq(w.err.trap, HWASM_TRAP_HOST);
    ck_assert_str_eq(w.err.message, "boom: negative argument");
    ck_assert_ptr_null(rt_top_frame); /* every frame popped */
    world_free(&w);
}
END_TEST

START_TEST(guard_page_fault_is_a_trap) {
    world w;
    world_new(&w, (void *)host_double, 0);
    int32_t r;
    ck_assert_int_eq(call(&w, F_GET, HWASM_PAGE_SIZE - 4, &r), HW_OK);
    assert_trap(&w, call(&w, F_GET, HWASM_PAGE_SIZE - 3, &r), HWASM_TRAP_MEMORY_OOB);
    assert_trap(&w, call(&w, F_GET, HWASM_PAGE_SIZE, &r), HWASM_TRAP_MEMORY_OOB);
    assert_trap(&w, call(&w, F_GET, -1, &r), HWASM_TRAP_MEMORY_OOB); /* 4 GiB - 1 */
    ck_assert_int_eq(call(&w, F_GROW, 1, &r), HW_OK);
    ck_assert_int_eq(r, 1);
    ck_assert_int_eq(call(&w, F_GET, HWASM_PAGE_SIZE, &r), HW_OK); /* mapped now */
    for (int i = 0; i < 1000; i++) /* the handler leaves nothing blocked or leaked */
        ck_assert_int_eq(call(&w, F_GET, 3 * HWASM_PAGE_SIZE, &r), HW_ETRAP);
    world_free(&w);
}
END_TEST

static void *recurse_thread(void *arg) {
    world *w = arg;
    int32_t r;
    int rc = call(w, F_RECURSE, -1, &r);
    return (void *)(intptr_t)(rc == HW_ETRAP && w->err.trap == HWASM_TRAP_STACK_EXHAUSTED);
}

static void recurse_on_thread(world *w, size_t stack_size) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (stack_size) pthread_attr_setstacksize(&attr, stack_size);
    pthread_t t;
    void *ok;
    ck_assert_int_eq(pthread_create(&t, &attr, recurse_thread, w), 0);
    pthread_join(t, &ok);
    pthread_attr_destroy(&attr);
    ck_assert_msg(ok, "no stack exhaustion trap on a thread with stack size %zu", stack_size);
}

START_TEST(stack_exhaustion) {
    world w;
    world_new(&w, (void *)host_double, 0);
    int32_t r;
    ck_assert_int_eq(call(&w, F_RECURSE, 1000, &r), HW_OK);
    assert_trap(&w, call(&w, F_RECURSE, -1, &r), HWASM_TRAP_STACK_EXHAUSTED); /* main thread */
    assert_trap(&w, call(&w, F_RECURSE, -1, &r), HWASM_TRAP_STACK_EXHAUSTED); /* and again */
    recurse_on_thread(&w, 0);
    recurse_on_thread(&w, 256 * 1024);
    recurse_on_thread(&w, 16 << 20);
    world_free(&w);
}
END_TEST

static void *interrupter(void *arg) {
    usleep(20000);
    hw_instance_interrupt(arg);
    return NULL;
}

START_TEST(interrupt) {
    world w;
    world_new(&w, (void *)host_double, 0);
    pthread_t t;
    pthread_create(&t, NULL, interrupter, w.inst);
    assert_trap(&w, call(&w, F_LOOP, 0, NULL), HWASM_TRAP_INTERRUPTED);
    pthread_join(t, NULL);
    ck_assert_uint_eq(hw_instance_vmctx(w.inst)->interrupt, 0); /* consumed */
    world_free(&w);
}
END_TEST

typedef struct nested {
    world *w;
    int inner_rc;
    hw_error inner_err;
} nested;

static void nested_body(void *arg) {
    nested *n = arg;
    uint64_t slot = HWASM_TRAP_INT_OVERFLOW;
    n->inner_rc = hw_call(n->w->inst, F_TRAP, &slot, &n->inner_err);
}

static void raising_body(void *arg) {
    hw_trap_raise(hw_instance_vmctx(arg), HWASM_TRAP_HOST, "raised by the body");
}

START_TEST(guarded_calls_nest) {
    world w;
    world_new(&w, (void *)host_double, 0);
    nested n = {.w = &w};
    hw_error outer = {0};
    ck_assert_int_eq(hw_call_guarded(w.inst, nested_body, &n, &outer), HW_OK);
    ck_assert_int_eq(n.inner_rc, HW_ETRAP);
    ck_assert_uint_eq(n.inner_err.trap, HWASM_TRAP_INT_OVERFLOW);
    ck_assert_int_eq(hw_call_guarded(w.inst, raising_body, w.inst, &outer), HW_ETRAP);
    ck_assert_str_eq(outer.message, "raised by the body");
    ck_assert_int_eq(hw_call_guarded(w.inst, raising_body, w.inst, NULL),
                     HW_ETRAP); /* err optional */
    world_free(&w);
}
END_TEST

/* --- Bulk operations through vm->rt, as generated code calls them ------------------------- */

typedef struct op {
    int kind;
    uint32_t a, b, c, d;
    void *ref;
    int32_t result;
} op;
enum { MEM_INIT, DATA_DROP, MEM_COPY, MEM_FILL, TAB_INIT, ELEM_DROP, TAB_FILL, TAB_COPY, TAB_GROW };

static hw_instance *op_inst;

static void op_body(void *arg) {
    op *o = arg;
    hwasm_vmctx *vm = hw_instance_vmctx(op_inst);
    const hwasm_runtime_calls *rt = vm->rt;
    switch (o->kind) {
    case MEM_INIT: rt->memory_init(vm, o->a, o->b, o->c, o->d); break;
    case DATA_DROP: rt->data_drop(vm, o->a); break;
    case MEM_COPY: rt->memory_copy(vm, o->a, o->b, o->c); break;
    case MEM_FILL: rt->memory_fill(vm, o->a, o->b, o->c); break;
    case TAB_INIT: rt->table_init(vm, 0, o->a, o->b, o->c, o->d); break;
    case ELEM_DROP: rt->elem_drop(vm, o->a); break;
    case TAB_FILL: rt->table_fill(vm, 0, o->a, o->ref, o->b); break;
    case TAB_COPY: rt->table_copy(vm, 0, 0, o->a, o->b, o->c); break;
    case TAB_GROW: o->result = rt->table_grow(vm, 0, o->ref, o->a); break;
    }
}

/* Runs one operation; returns the trap code (0 = none). */
static uint32_t run_op(int kind, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    op o = {kind, a, b, c, d, NULL, 0};
    hw_error err = {0};
    int rc = hw_call_guarded(op_inst, op_body, &o, &err);
    return rc == HW_OK ? 0 : err.trap;
}

START_TEST(bulk_memory) {
    world w;
    world_new(&w, (void *)host_double, 0);
    op_inst = w.inst;
    uint8_t *mem = hw_instance_vmctx(w.inst)->mem_base;
    const uint32_t end = HWASM_PAGE_SIZE;
    ck_assert_uint_eq(run_op(MEM_INIT, 1, 200, 0, 3), 0);
    ck_assert_mem_eq(mem + 200, "abc", 3);
    ck_assert_uint_eq(run_op(MEM_INIT, 1, end, 3, 0), 0); /* n = 0 exactly at both ends */
    ck_assert_uint_eq(run_op(MEM_INIT, 1, end + 1, 0, 0), HWASM_TRAP_MEMORY_OOB);
    ck_assert_uint_eq(run_op(MEM_INIT, 1, 0, 4, 0), HWASM_TRAP_MEMORY_OOB);
    ck_assert_uint_eq(run_op(MEM_INIT, 1, end - 2, 0, 3), HWASM_TRAP_MEMORY_OOB);
    ck_assert_int_eq(mem[end - 2], 0); /* nothing written before the trap */
    ck_assert_uint_eq(run_op(MEM_INIT, 1, 0xfffffffe, 0, 3),
                      HWASM_TRAP_MEMORY_OOB);           /* no 32-bit wrap */
    ck_assert_uint_eq(run_op(MEM_INIT, 0, 0, 0, 0), 0); /* active segment: dropped, length 0 */
    ck_assert_uint_eq(run_op(MEM_INIT, 0, 0, 0, 1), HWASM_TRAP_MEMORY_OOB);
    ck_assert_uint_eq(run_op(DATA_DROP, 1, 0, 0, 0), 0);
    ck_assert_uint_eq(run_op(DATA_DROP, 1, 0, 0, 0), 0); /* dropping twice is fine */
    ck_assert_uint_eq(run_op(MEM_INIT, 1, 0, 0, 0), 0);
    ck_assert_uint_eq(run_op(MEM_INIT, 1, 0, 0, 1), HWASM_TRAP_MEMORY_OOB);

    ck_assert_uint_eq(run_op(MEM_FILL, end - 1, 0x1ff, 1, 0), 0);
    ck_assert_int_eq(mem[end - 1], 0xff);
    ck_assert_uint_eq(run_op(MEM_FILL, end, 7, 0, 0), 0);
    ck_assert_uint_eq(run_op(MEM_FILL, end - 2, 7, 3, 0), HWASM_TRAP_MEMORY_OOB);
    ck_assert_int_eq(mem[end - 2], 0);
    ck_assert_uint_eq(run_op(MEM_FILL, end + 1, 7, 0, 0), HWASM_TRAP_MEMORY_OOB);

    memcpy(mem + 300, "0123456789", 10);
    ck_assert_uint_eq(run_op(MEM_COPY, 302, 300, 5, 0), 0); /* overlapping, forward */
    ck_assert_mem_eq(mem + 300, "0101234789", 10);
    ck_assert_uint_eq(run_op(MEM_COPY, 300, 302, 5, 0), 0); /* overlapping, backward */
    ck_assert_mem_eq(mem + 300, "0123434789", 10);
    ck_assert_uint_eq(run_op(MEM_COPY, end, 0, 0, 0), 0);
    ck_assert_uint_eq(run_op(MEM_COPY, 0, end, 0, 0), 0);
    ck_assert_uint_eq(run_op(MEM_COPY, end - 1, 300, 2, 0), HWASM_TRAP_MEMORY_OOB);
    ck_assert_int_eq(mem[end - 1], 0xff);
    ck_assert_uint_eq(run_op(MEM_COPY, 300, end - 1, 2, 0), HWASM_TRAP_MEMORY_OOB);
    ck_assert_uint_eq(run_op(MEM_COPY, 0, end + 1, 0, 0), HWASM_TRAP_MEMORY_OOB);
    world_free(&w);
}
END_TEST

START_TEST(bulk_tables) {
    world w;
    world_new(&w, (void *)host_double, 0);
    op_inst = w.inst;
    hwasm_vmctx *vm = hw_instance_vmctx(w.inst);
    hwasm_table *t = vm->tables[0];
    ck_assert_uint_eq(run_op(TAB_INIT, 1, 0, 0, 2), 0);
    ck_assert_ptr_eq(t->elems[0], vm->funcs[F_TRAP]);
    ck_assert_ptr_null(t->elems[1]);                    /* ref.null item */
    ck_assert_uint_eq(run_op(TAB_INIT, 1, 4, 2, 0), 0); /* n = 0 at both ends */
    ck_assert_uint_eq(run_op(TAB_INIT, 1, 5, 0, 0), HWASM_TRAP_TABLE_OOB);
    ck_assert_uint_eq(run_op(TAB_INIT, 1, 3, 0, 2), HWASM_TRAP_TABLE_OOB);
    ck_assert_ptr_null(t->elems[3]);
    ck_assert_uint_eq(run_op(TAB_INIT, 0, 0, 0, 1), HWASM_TRAP_TABLE_OOB); /* active: dropped */
    ck_assert_uint_eq(run_op(TAB_INIT, 2, 0, 0, 1),
                      HWASM_TRAP_TABLE_OOB); /* declarative: dropped */
    ck_assert_uint_eq(run_op(ELEM_DROP, 1, 0, 0, 0), 0);
    ck_assert_uint_eq(run_op(TAB_INIT, 1, 0, 0, 0), 0);
    ck_assert_uint_eq(run_op(TAB_INIT, 1, 0, 0, 1), HWASM_TRAP_TABLE_OOB);

    /* table = [trap, NULL, call_import, NULL] */
    ck_assert_uint_eq(run_op(TAB_COPY, 1, 0, 3, 0), 0);
    ck_assert_ptr_eq(t->elems[1], vm->funcs[F_TRAP]);
    ck_assert_ptr_null(t->elems[2]);
    ck_assert_ptr_eq(t->elems[3], vm->funcs[F_CALL_IMPORT]);
    ck_assert_uint_eq(run_op(TAB_COPY, 4, 0, 0, 0), 0);
    ck_assert_uint_eq(run_op(TAB_COPY, 3, 0, 2, 0), HWASM_TRAP_TABLE_OOB);
    ck_assert_ptr_eq(t->elems[3], vm->funcs[F_CALL_IMPORT]);

    op o = {TAB_FILL, 2, 2, 0, 0, vm->funcs[F_GET], 0};
    ck_assert_int_eq(hw_call_guarded(w.inst, op_body, &o, NULL), HW_OK);
    ck_assert_ptr_eq(t->elems[3], vm->funcs[F_GET]);
    o.a = 3;
    o.ref = NULL;
    ck_assert_int_eq(hw_call_guarded(w.inst, op_body, &o, NULL), HW_ETRAP);
    ck_assert_ptr_eq(t->elems[3], vm->funcs[F_GET]);
    o.a = 4, o.b = 0;
    ck_assert_int_eq(hw_call_guarded(w.inst, op_body, &o, NULL), HW_OK);

    o = (op){TAB_GROW, 6, 0, 0, 0, vm->funcs[F_GET], 0};
    ck_assert_int_eq(hw_call_guarded(w.inst, op_body, &o, NULL), HW_OK);
    ck_assert_int_eq(o.result, 4);
    ck_assert_uint_eq(t->size, 10);
    ck_assert_ptr_eq(vm->tables[0]->elems[9], vm->funcs[F_GET]);
    o.a = 1;
    ck_assert_int_eq(hw_call_guarded(w.inst, op_body, &o, NULL), HW_OK);
    ck_assert_int_eq(o.result, -1); /* declared max 10 */
    world_free(&w);
}
END_TEST

/* --- Faults that are not the guest's: a crash stays a crash ---------------------------------- */

static void touch_guard(world *w) {
    volatile uint8_t *p = hw_instance_vmctx(w->inst)->mem_base + 2 * HWASM_PAGE_SIZE;
    (void)*p;
}

START_TEST(fault_outside_guest_call_crashes) {
    world w;
    world_new(&w, (void *)host_double, 0);
    touch_guard(&w); /* not inside any guest call */
}
END_TEST

static void host_code_faults(void *arg) {
    touch_guard(arg);
}

START_TEST(fault_in_host_code_crashes) {
    world w;
    world_new(&w, (void *)host_double, 0);
    hw_call_guarded(w.inst, host_code_faults, &w, NULL); /* PC is not module code */
}
END_TEST

static void sends_sigsegv(void *arg) {
    (void)arg;
    raise(SIGSEGV); /* not from the kernel */
}

START_TEST(user_sigsegv_crashes) {
    world w;
    world_new(&w, (void *)host_double, 0);
    hw_call_guarded(w.inst, sends_sigsegv, NULL, NULL);
}
END_TEST

static void previous_handler(int sig, siginfo_t *si, void *ctx) {
    (void)sig, (void)si, (void)ctx;
    _exit(42);
}

START_TEST(fault_chains_to_previous_handler) {
    struct sigaction sa = {.sa_sigaction = previous_handler, .sa_flags = SA_SIGINFO};
    sigaction(SIGSEGV, &sa, NULL);
    world w;
    world_new(&w, (void *)host_double, 0); /* installs libhwasm's handler on top */
    touch_guard(&w);
}
END_TEST

int main(void) {
    /* The fake module's code section is "loaded module code" for the fault handler. */
    rt_ranges_add(&rt_fault_code, (uintptr_t)__start_hwasm_fake_text,
                  (uintptr_t)__stop_hwasm_fake_text);
    Suite *s = suite_create("runtime_instance");
    TCase *tc = tcase_create("instance");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, instantiate_and_call);
    tcase_add_test(tc, export_lookup);
    tcase_add_test(tc, link_errors);
    tcase_add_test(tc, memory_import_limits);
    tcase_add_test(tc, table_import_limits);
    tcase_add_test(tc, segment_out_of_bounds_traps);
    tcase_add_test(tc, trapped_instantiation_keeps_shared_effects);
    tcase_add_test(tc, start_function);
    tcase_add_test(tc, deferred_start_function);
    tcase_add_test(tc, instance_memory_cap);
    tcase_add_test(tc, explicit_traps);
    tcase_add_test(tc, guard_page_fault_is_a_trap);
    tcase_add_test(tc, stack_exhaustion);
    tcase_add_test(tc, interrupt);
    tcase_add_test(tc, guarded_calls_nest);
    tcase_add_test(tc, bulk_memory);
    tcase_add_test(tc, bulk_tables);
#ifdef __SANITIZE_ADDRESS__
    /* ASan's handler sits below ours: a real crash is its report and exit status 1. */
    tcase_add_exit_test(tc, fault_outside_guest_call_crashes, 1);
    tcase_add_exit_test(tc, fault_in_host_code_crashes, 1);
    tcase_add_exit_test(tc, user_sigsegv_crashes, 1);
#else
    tcase_add_test_raise_signal(tc, fault_outside_guest_call_crashes, SIGSEGV);
    tcase_add_test_raise_signal(tc, fault_in_host_code_crashes, SIGSEGV);
    tcase_add_test_raise_signal(tc, user_sigsegv_crashes, SIGSEGV);
#endif
    tcase_add_exit_test(tc, fault_chains_to_previous_handler, 42);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

/*
 * spec_host.c — the `spectest` host module of the spec interpreter (print functions,
 * global_i32/i64 = 666, global_f32/f64 = 666.6, a funcref table of 10 (max 20), a memory
 * of 1 page (max 2)). The print functions are silent: their output is not checked.
 */
#include "spec_host.h"

#include <stdlib.h>
#include <string.h>

static void print(void *env, hwasm_vmctx *caller) { (void)env, (void)caller; }
static void print_i32(void *env, hwasm_vmctx *caller, int32_t a) { (void)env, (void)caller, (void)a; }
static void print_i64(void *env, hwasm_vmctx *caller, int64_t a) { (void)env, (void)caller, (void)a; }
static void print_f32(void *env, hwasm_vmctx *caller, float a) { (void)env, (void)caller, (void)a; }
static void print_f64(void *env, hwasm_vmctx *caller, double a) { (void)env, (void)caller, (void)a; }
static void print_i32_f32(void *env, hwasm_vmctx *caller, int32_t a, float b) {
    (void)env, (void)caller, (void)a, (void)b;
}
static void print_f64_f64(void *env, hwasm_vmctx *caller, double a, double b) {
    (void)env, (void)caller, (void)a, (void)b;
}

typedef struct host_func {
    const char *name;
    void *code;
    uint8_t num_params;
    uint8_t params[2];
} host_func;

static const host_func funcs[] = {
    {"print", (void *)print, 0, {0}},
    {"print_i32", (void *)print_i32, 1, {HWASM_I32}},
    {"print_i64", (void *)print_i64, 1, {HWASM_I64}},
    {"print_f32", (void *)print_f32, 1, {HWASM_F32}},
    {"print_f64", (void *)print_f64, 1, {HWASM_F64}},
    {"print_i32_f32", (void *)print_i32_f32, 2, {HWASM_I32, HWASM_F32}},
    {"print_f64_f64", (void *)print_f64_f64, 2, {HWASM_F64, HWASM_F64}},
};
#define NUM_FUNCS (sizeof funcs / sizeof funcs[0])

enum { G_I32, G_I64, G_F32, G_F64, NUM_GLOBALS };
static const char *const global_names[NUM_GLOBALS] = {"global_i32", "global_i64", "global_f32",
                                                      "global_f64"};

struct spec_host {
    hw_extern funcs[NUM_FUNCS];
    hw_extern globals[NUM_GLOBALS];
    hw_extern table;
    hw_extern memory;
    size_t num_made; /* objects made so far, in the order above: frees a partial host */
};

static hw_extern *object(spec_host *h, size_t i) {
    if (i < NUM_FUNCS)
        return &h->funcs[i];
    i -= NUM_FUNCS;
    if (i < NUM_GLOBALS)
        return &h->globals[i];
    return i == NUM_GLOBALS ? &h->table : &h->memory;
}
#define NUM_OBJECTS (NUM_FUNCS + NUM_GLOBALS + 2)

static int make(spec_host *h, size_t i) {
    hw_extern *out = object(h, i);
    if (i < NUM_FUNCS)
        return hw_host_func_new(funcs[i].params, funcs[i].num_params, NULL, 0, funcs[i].code, h, out);
    i -= NUM_FUNCS;
    float f32 = 666.6f;
    double f64 = 666.6;
    uint32_t f32_bits;
    uint64_t f64_bits;
    memcpy(&f32_bits, &f32, 4);
    memcpy(&f64_bits, &f64, 8);
    switch (i) {
    case G_I32: return hw_global_new(HWASM_I32, 0, 666, out);
    case G_I64: return hw_global_new(HWASM_I64, 0, 666, out);
    case G_F32: return hw_global_new(HWASM_F32, 0, f32_bits, out);
    case G_F64: return hw_global_new(HWASM_F64, 0, f64_bits, out);
    case NUM_GLOBALS: return hw_table_new(HWASM_FUNCREF, 10, 20, 1, out);
    default: return hw_memory_new(1, 2, 1, out);
    }
}

spec_host *spec_host_new(void) {
    spec_host *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    for (; h->num_made < NUM_OBJECTS; h->num_made++) {
        if (make(h, h->num_made) != HW_OK) {
            spec_host_free(h);
            return NULL;
        }
    }
    return h;
}

void spec_host_free(spec_host *h) {
    if (!h)
        return;
    for (size_t i = 0; i < h->num_made; i++)
        hw_extern_free(object(h, i));
    free(h);
}

static const char *object_name(size_t i) {
    if (i < NUM_FUNCS)
        return funcs[i].name;
    i -= NUM_FUNCS;
    if (i < NUM_GLOBALS)
        return global_names[i];
    return i == NUM_GLOBALS ? "table" : "memory";
}

const hw_extern *spec_host_lookup(spec_host *h, const char *name, size_t len) {
    for (size_t i = 0; i < NUM_OBJECTS; i++) {
        const char *n = object_name(i);
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return object(h, i);
    }
    return NULL;
}

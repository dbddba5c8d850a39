/*
 * fuzz_exec.c — hwasm-fuzz-exec: runs a module compiled by hwasmc the way binaryen's
 * `wasm-opt m.wasm --fuzz-exec-before` runs it (every exported function, in export order,
 * with zero arguments, `hangLimitInitializer` first) and prints in binaryen's format, so
 * tests/fuzz/run-diff can compare the two. Provides the `fuzzing-support` log imports.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwasm/hwasm.h>

/* --- Printing values as binaryen's Literal printer does (run-diff normalises the rest) -- */

static void print_double(double d)
{
    if (isnan(d)) {
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        uint64_t payload = bits & 0xfffffffffffffull;
        printf("%snan", signbit(d) ? "-" : "");
        if (payload)
            printf(":0x%" PRIx64, payload);
        return;
    }
    if (isinf(d)) {
        printf("%s", d < 0 ? "-inf" : "inf");
        return;
    }
    if (d == 0) {
        printf("%s", signbit(d) ? "-0" : "0");
        return;
    }
    /* The shortest text that reads back as the same double. */
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    printf("%s", buf);
}

static void print_float(float f)
{
    if (isnan(f)) {
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        uint32_t payload = bits & 0x7fffffu;
        printf("%snan", signbit(f) ? "-" : "");
        if (payload)
            printf(":0x%" PRIx32, payload);
        return;
    }
    print_double((double)f); /* binaryen prints an f32 as the double it converts to */
}

/* One value from its slot (a v128 from two), as binaryen prints it. */
static void print_slot(uint8_t type, const uint64_t *slots)
{
    uint64_t slot = slots[0];
    switch (type) {
    case HWASM_V128: /* binaryen prints a v128 as four hex i32 lanes */
        printf("i32x4 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32, (uint32_t)slots[0],
               (uint32_t)(slots[0] >> 32), (uint32_t)slots[1], (uint32_t)(slots[1] >> 32));
        break;
    case HWASM_I32:
        printf("%" PRId32, (int32_t)(uint32_t)slot);
        break;
    case HWASM_I64:
        printf("%" PRId64, (int64_t)slot);
        break;
    case HWASM_F32: {
        uint32_t bits = (uint32_t)slot;
        float f;
        memcpy(&f, &bits, sizeof f);
        print_float(f);
        break;
    }
    case HWASM_F64: {
        double d;
        memcpy(&d, &slot, sizeof d);
        print_double(d);
        break;
    }
    case HWASM_FUNCREF:
        /* binaryen prints the function's name; run-diff drops it */
        printf(slot ? "funcref(?)" : "funcref(null)");
        break;
    case HWASM_EXTERNREF:
        printf(slot ? "anyref(?)" : "anyref(null)");
        break;
    default:
        printf("?");
    }
}

/* --- The fuzzing-support imports ------------------------------------------------------- */

static void log_i32(void *env, hwasm_vmctx *caller, int32_t v)
{
    (void)env, (void)caller;
    printf("[LoggingExternalInterface logging %" PRId32 "]\n", v);
}

static void log_i64(void *env, hwasm_vmctx *caller, int64_t v)
{
    (void)env, (void)caller;
    /* binaryen logs an i64 as its low and high halves */
    printf("[LoggingExternalInterface logging %" PRId32 " %" PRId32 "]\n", (int32_t)(uint32_t)v,
           (int32_t)(uint32_t)((uint64_t)v >> 32));
}

static void log_f32(void *env, hwasm_vmctx *caller, float v)
{
    (void)env, (void)caller;
    printf("[LoggingExternalInterface logging ");
    print_float(v);
    printf("]\n");
}

static void log_f64(void *env, hwasm_vmctx *caller, double v)
{
    (void)env, (void)caller;
    printf("[LoggingExternalInterface logging ");
    print_double(v);
    printf("]\n");
}

/* A v128 argument arrives as hwasm_module.h says: a 16-byte vector in an SSE register. */
typedef int64_t v128_t __attribute__((vector_size(16)));

static void log_v128(void *env, hwasm_vmctx *caller, v128_t v)
{
    (void)env, (void)caller;
    uint64_t slots[2] = {(uint64_t)v[0], (uint64_t)v[1]};
    printf("[LoggingExternalInterface logging ");
    print_slot(HWASM_V128, slots);
    printf("]\n");
}

static const struct {
    const char *name;
    uint8_t param;
    void *code;
} log_funcs[] = {
    {"log-i32", HWASM_I32, (void *)log_i32},
    {"log-i64", HWASM_I64, (void *)log_i64},
    {"log-f32", HWASM_F32, (void *)log_f32},
    {"log-f64", HWASM_F64, (void *)log_f64},
    {"log-v128", HWASM_V128, (void *)log_v128},
};

static int name_is(const char *s, uint32_t len, const char *want)
{
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* Makes the host object for import i, or reports why it cannot. */
static int bind_import(const hwasm_descriptor *d, uint32_t i, hw_extern *out)
{
    const hwasm_import *im = &d->imports[i];
    if (im->kind == HWASM_EXTERN_FUNC && name_is(im->module, im->module_len, "fuzzing-support")) {
        const hwasm_functype *t = &d->types[im->type_index];
        for (size_t k = 0; k < sizeof log_funcs / sizeof log_funcs[0]; k++) {
            if (!name_is(im->name, im->name_len, log_funcs[k].name))
                continue;
            if (t->num_params != 1 || t->num_results != 0 || t->types[0] != log_funcs[k].param)
                break;
            return hw_host_func_new(t->types, 1, NULL, 0, log_funcs[k].code, NULL, out);
        }
    }
    fprintf(stderr, "hwasm-fuzz-exec: unsupported import %.*s.%.*s\n", (int)im->module_len,
            im->module, (int)im->name_len, im->name);
    return HW_ELINK;
}

/* --- Calling the exports --------------------------------------------------------------- */

/* Calls func with zero arguments; prints the trap if any. Returns 1 when it trapped. */
static int call_func(hw_instance *inst, const hwasm_descriptor *d, uint32_t func, uint64_t *slots)
{
    const hwasm_functype *t = &d->types[d->func_types[func]];
    uint32_t in = hwasm_slot_count(t->types, t->num_params);
    uint32_t out = hwasm_slot_count(t->types + t->num_params, t->num_results);
    uint32_t n = in > out ? in : out;
    memset(slots, 0, (n ? n : 1) * sizeof *slots);
    hw_error err = {0};
    int rc = hw_call(inst, func, slots, &err);
    if (rc == HW_ETRAP) {
        printf("[trap %s]\n", hw_trap_message(err.trap));
        return 1;
    }
    if (rc != HW_OK) {
        printf("[hwasm error %s: %s]\n", hw_strerror(rc), err.message);
        return 1;
    }
    return 0;
}

static void note_result(const hwasm_descriptor *d, const hwasm_export *e, const uint64_t *slots)
{
    const hwasm_functype *t = &d->types[d->func_types[e->index]];
    const uint8_t *res = t->types + t->num_params;
    if (t->num_results == 0)
        return;
    printf("[fuzz-exec] note result: %.*s => ", (int)e->name_len, e->name);
    if (t->num_results == 1) {
        /* binaryen prints only the type of a single reference result */
        if (res[0] == HWASM_FUNCREF || res[0] == HWASM_EXTERNREF)
            printf("%s", res[0] == HWASM_FUNCREF ? "funcref" : "anyref");
        else
            print_slot(res[0], slots);
    } else {
        printf("(");
        for (uint32_t i = 0, k = 0; i < t->num_results; k += hwasm_slot_width(res[i]), i++) {
            if (i)
                printf(", ");
            print_slot(res[i], slots + k);
        }
        printf(")");
    }
    printf("\n");
}

static int run_exports(hw_instance *inst, const hwasm_descriptor *d)
{
    uint32_t max_slots = 1;
    for (uint32_t i = 0; i < d->num_types; i++) {
        uint32_t n = hwasm_slot_count(d->types[i].types, d->types[i].num_params + d->types[i].num_results);
        if (n > max_slots)
            max_slots = n;
    }
    uint64_t *slots = calloc(max_slots, sizeof *slots);
    if (!slots)
        return 2;
    int64_t hang = hw_instance_export_func_index(inst, "hangLimitInitializer",
                                                 strlen("hangLimitInitializer"));
    for (uint32_t i = 0; i < d->num_exports; i++) {
        const hwasm_export *e = &d->exports[i];
        if (e->kind != HWASM_EXTERN_FUNC)
            continue;
        printf("[fuzz-exec] calling %.*s\n", (int)e->name_len, e->name);
        if (hang >= 0 && call_func(inst, d, (uint32_t)hang, slots))
            continue;
        if (!call_func(inst, d, e->index, slots))
            note_result(d, e, slots);
        fflush(stdout);
    }
    free(slots);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hwasm-fuzz-exec MODULE.so\n");
        return 2;
    }
    hw_error err = {0};
    hw_module *m = NULL;
    if (hw_module_load(argv[1], NULL, &m, &err) != HW_OK) {
        fprintf(stderr, "hwasm-fuzz-exec: %s\n", err.message);
        return 2;
    }
    const hwasm_descriptor *d = hw_module_descriptor(m);
    hw_extern *imports = calloc(d->num_imports ? d->num_imports : 1, sizeof *imports);
    int rc = imports ? 0 : 2;
    uint32_t bound = 0;
    while (rc == 0 && bound < d->num_imports) {
        if (bind_import(d, bound, &imports[bound]) != HW_OK)
            rc = 2;
        else
            bound++;
    }
    hw_instance *inst = NULL;
    if (rc == 0) {
        int st = hw_instance_new(m, imports, d->num_imports, NULL, &inst, &err);
        if (st == HW_OK) {
            rc = run_exports(inst, d);
            hw_instance_free(inst);
        } else if (st != HW_ETRAP) { /* binaryen prints nothing when instantiation traps */
            fprintf(stderr, "hwasm-fuzz-exec: %s\n", err.message);
            rc = 2;
        }
    }
    for (uint32_t i = 0; i < bound; i++)
        hw_extern_free(&imports[i]);
    free(imports);
    hw_module_free(m);
    return rc;
}

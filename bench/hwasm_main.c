/*
 * hwasm_main.c — driver for the hwasm variants: `kernel-hwasm KERNEL.so N [WARM]` loads a
 * module compiled by hwasmc, instantiates it (no imports), and calls its `run` export
 * through the typed entry point inside hw_call_guarded: once with WARM (not timed), then
 * with N. Prints "<checksum> <wall s> <CPU s>" for the timed call; a trap is an error.
 */
#include <stdio.h>
#include <stdlib.h>

#include <hwasm/hwasm.h>
#include "stopwatch.h"

typedef int64_t (*run_fn)(void *env, hwasm_vmctx *caller, int32_t n);

typedef struct call {
    hwasm_funcref *fr;
    hwasm_vmctx *vm;
    int32_t n;
    int64_t result;
} call;

static void body(void *arg) {
    call *c = arg;
    c->result = ((run_fn)c->fr->code)(c->fr->env, c->vm, c->n);
}

/* Runs the export with WARM (untimed, when > 0) and then N; 0 on success. */
static int measure(hw_instance *inst, int64_t fi, int32_t n, int32_t warm, hw_error *err) {
    hwasm_vmctx *vm = hw_instance_vmctx(inst);
    call c = {vm->funcs[fi], vm, warm, 0};
    if (warm > 0 && hw_call_guarded(inst, body, &c, err) != 0) return -1;
    c.n = n;
    stopwatch w;
    stopwatch_start(&w);
    if (hw_call_guarded(inst, body, &c, err) != 0) return -1;
    stopwatch_report(&w, (long long)c.result);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s KERNEL.so N [WARM]\n", argv[0]);
        return 2;
    }
    hw_error err = {0};
    hw_module *mod = NULL;
    hw_instance *inst = NULL;
    if (hw_module_load(argv[1], NULL, &mod, &err) != 0 ||
        hw_instance_new(mod, NULL, 0, NULL, &inst, &err) != 0) {
        fprintf(stderr, "kernel-hwasm: %s\n", err.message);
        if (mod) hw_module_free(mod);
        return 1;
    }
    int rc = 1;
    int64_t fi = hw_instance_export_func_index(inst, "run", 3);
    if (fi < 0)
        fprintf(stderr, "kernel-hwasm: %s has no export 'run'\n", argv[1]);
    else if (measure(inst, fi, atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 0, &err) != 0)
        fprintf(stderr, "kernel-hwasm: %s\n", err.message);
    else
        rc = 0;
    hw_instance_free(inst);
    hw_module_free(mod);
    return rc;
}

/*
 * driver.c — hwasmc_compile: splits the defined functions over LLVM modules ("units"),
 * declares every function in every unit, lowers and emits each unit on one of -j threads
 * (one LLVMContext per unit), puts the descriptor and trampolines in unit 0, and links the
 * objects into the .so.
 *
 * Deterministic: the split depends only on the module (never on -j, so the .so is the same
 * byte for byte on any number of cores), a unit's content only on its functions, and
 * objects are linked and IR is written in unit order. -j only sets how many threads take
 * the units in turn.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "descriptor.h"
#include "emit.h"
#include "link.h"
#include "lower.h"

/* Below these sizes one unit is best: a second one costs its own declarations, passes,
 * object and link input, and the module compiles in well under 0.3 s anyway. From 16 KB of
 * code on, two units cost no more CPU than one and halve the wait on two cores (-O2,
 * medians of 5: TinyGo, Zig and wazero test modules of 24-64 KB of code took 0.48-1.08 s
 * of CPU in one unit, 0.44-1.09 s in two; tck.wasm, 64 KB of code, executes 3.6% fewer
 * instructions in two units: the inliner has fewer calls to weigh and inlines a little
 * less). Splitting costs the inlining of calls between units, and the IPO of a single
 * unit (internal linkage). Measured before: a 1,254-function module (280 KB of code) took
 * 8.9 s of CPU at -O2 in one unit and 9.7 s in two. */
#define SPLIT_MIN_FUNCS 50
#define SPLIT_MIN_BODY_BYTES (16u * 1024)
/* Above that, one unit per UNIT_BODY_BYTES of code rounded down to a power of two (so two
 * or four cores share the units evenly), from 2 to MAX_UNITS: enough for the cores to
 * finish together, few enough that the fixed cost per unit stays small. */
#define UNIT_BODY_BYTES (128u * 1024)
#define MAX_UNITS 8u
/* A function's fixed cost in the balance, in body bytes (prologue, passes per function). */
#define FUNC_WEIGHT 64
/* LLVM's code generator recurses over deep expression trees: give it room. */
#define THREAD_STACK_SIZE ((size_t)64 << 20)

typedef struct unit_job {
    const wasm_module *m;
    const hwasmc_options *opts;
    const uint32_t *owner; /* [num_funcs]: the unit of each defined function */
    uint32_t index, num_units;
    LLVMMemoryBufferRef obj; /* out */
    char *ir;                /* out, with --emit-llvm */
    int rc;
    wasm_error err;
} unit_job;

/* How many units the module is split into: a function of the module alone. */
static uint32_t num_units(const wasm_module *m) {
    uint32_t defined = m->num_funcs - m->num_imported_funcs;
    size_t bytes = 0;
    for (uint32_t i = m->num_imported_funcs; i < m->num_funcs; i++)
        bytes += m->funcs[i].body_len;
    if (defined < SPLIT_MIN_FUNCS || bytes < SPLIT_MIN_BODY_BYTES) return 1;
    uint32_t n = 2;
    while (n < MAX_UNITS && (size_t)n * 2 * UNIT_BODY_BYTES <= bytes)
        n *= 2;
    return n;
}

static int by_size_desc(const void *a, const void *b, void *arg) {
    const wasm_module *m = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    size_t sx = m->funcs[x].body_len, sy = m->funcs[y].body_len;
    if (sx != sy) return sx > sy ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Balances body bytes over the units: largest function first, each to the least loaded
 * unit (lowest index on ties), which is deterministic and within 4/3 of the best split. */
static uint32_t *split(const wasm_module *m, uint32_t units) {
    uint32_t defined = m->num_funcs - m->num_imported_funcs;
    uint32_t *owner = calloc(m->num_funcs ? m->num_funcs : 1, sizeof *owner);
    uint32_t *order = malloc((defined ? defined : 1) * sizeof *order);
    uint64_t *load = calloc(units, sizeof *load);
    if (!owner || !order || !load) return free(owner), free(order), free(load), NULL;
    for (uint32_t i = 0; i < defined; i++)
        order[i] = m->num_imported_funcs + i;
    if (units > 1) qsort_r(order, defined, sizeof *order, by_size_desc, (void *)m);
    for (uint32_t i = 0; i < defined && units > 1; i++) {
        uint32_t best = 0;
        for (uint32_t k = 1; k < units; k++)
            if (load[k] < load[best]) best = k;
        owner[order[i]] = best;
        load[best] += m->funcs[order[i]].body_len + FUNC_WEIGHT;
    }
    free(order);
    free(load);
    return owner;
}

static void add_string_attr(LLVMContextRef ctx, LLVMValueRef fn, const char *k, const char *v) {
    LLVMAddAttributeAtIndex(
        fn, LLVMAttributeFunctionIndex,
        LLVMCreateStringAttribute(ctx, k, (unsigned)strlen(k), v, (unsigned)strlen(v)));
}

static void add_enum_attr(LLVMContextRef ctx, LLVMValueRef fn, const char *k, uint64_t v) {
    LLVMAddAttributeAtIndex(
        fn, LLVMAttributeFunctionIndex,
        LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName(k, strlen(k)), v));
}

/* Declares every defined function in the unit (the ones it owns become definitions when
 * lowered): internal with a single unit, hidden across units so only the linker sees them. */
static int declare_functions(lower_unit *u, unit_job *j) {
    const wasm_module *m = u->m;
    u->funcs = calloc(m->num_funcs ? m->num_funcs : 1, sizeof *u->funcs);
    if (!u->funcs) return wasm_error_set(&j->err, -1, 0, "out of memory"), -1;
    for (uint32_t i = m->num_imported_funcs; i < m->num_funcs; i++) {
        char name[32];
        snprintf(name, sizeof name, "hwasm_f%u", i);
        LLVMValueRef fn = LLVMAddFunction(u->mod, name, u->wasm_fn_types[m->funcs[i].type_index]);
        if (j->num_units == 1)
            LLVMSetLinkage(fn, LLVMInternalLinkage);
        else
            LLVMSetVisibility(fn, LLVMHiddenVisibility);
        add_enum_attr(u->ctx, fn, "nounwind", 0);
        if (j->owner[i] == j->index) {
            /* Runaway recursion must reach the stack check, never become a loop. */
            add_string_attr(u->ctx, fn, "disable-tail-calls", "true");
            add_string_attr(u->ctx, fn, "target-cpu", target_info_of(u->opts->target)->cpu);
            /* Without a tuning target LLVM schedules for the old CPU the triple implies
             * and turns rotates into slow shld sequences (2x on the sha256 kernel). */
            add_string_attr(u->ctx, fn, "tune-cpu", "generic");
            /* Unwind tables let debuggers and profilers walk through guest frames. */
            add_enum_attr(u->ctx, fn, "uwtable", 2 /* async */);
            /* A frame larger than a page is touched page by page as it is allocated, so
             * one too large for the stack faults on the thread's guard page (a trap, see
             * runtime/core/rt_signal.c) instead of writing past it. */
            add_string_attr(u->ctx, fn, "probe-stack", "inline-asm");
        }
        u->funcs[i] = fn;
    }
    return 0;
}

static int lower_owned(lower_unit *u, unit_job *j) {
    for (uint32_t i = u->m->num_imported_funcs; i < u->m->num_funcs; i++)
        if (j->owner[i] == j->index && lower_function(u, i, &j->err) != 0) return -1;
    return 0;
}

/* Everything for one unit, from an empty LLVMContext to an object in memory. */
static void *run_unit(void *arg) {
    unit_job *j = arg;
    j->rc = -1;
    LLVMTargetMachineRef tm = emit_target_machine(j->opts->target, j->opts->opt_level, &j->err);
    if (!tm) return NULL;
    lower_unit u = {.m = j->m, .opts = j->opts};
    char name[32];
    snprintf(name, sizeof name, "hwasm_unit%u", j->index);
    u.ctx = LLVMContextCreate();
    u.mod = LLVMModuleCreateWithNameInContext(name, u.ctx);
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(u.mod, triple);
    LLVMDisposeMessage(triple);
    u.data_layout = LLVMCreateTargetDataLayout(tm);
    LLVMSetModuleDataLayout(u.mod, u.data_layout);
    lower_unit_init_types(&u);

    if (declare_functions(&u, j) == 0 && lower_owned(&u, j) == 0 &&
        (j->index != 0 || descriptor_emit(&u, &j->err) == 0))
        j->rc = emit_unit(&u, tm, &j->obj, j->opts->emit_llvm ? &j->ir : NULL, &j->err);

    LLVMDisposeModule(u.mod);
    LLVMDisposeTargetData(u.data_layout);
    LLVMContextDispose(u.ctx);
    LLVMDisposeTargetMachine(tm);
    free(u.funcs);
    free(u.wasm_fn_types);
    return NULL;
}

/* The units still to compile, taken in index order by whichever worker is free. */
typedef struct unit_queue {
    unit_job *jobs;
    uint32_t n;
    atomic_uint next;
} unit_queue;

static void *worker(void *arg) {
    unit_queue *q = arg;
    for (uint32_t i; (i = atomic_fetch_add(&q->next, 1)) < q->n;)
        run_unit(&q->jobs[i]);
    return NULL;
}

/* Compiles the n units on min(threads, n) threads of their own (LLVM needs their large
 * stacks); if none can be started, on the caller's. */
static void run_units(unit_job *jobs, uint32_t n, int threads) {
    unit_queue q = {.jobs = jobs, .n = n};
    atomic_init(&q.next, 0);
    uint32_t want = threads < 1 ? 1 : (uint32_t)threads < n ? (uint32_t)threads : n;
    pthread_t *tids = calloc(want, sizeof *tids);
    uint32_t started = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
    while (tids && started < want && pthread_create(&tids[started], &attr, worker, &q) == 0)
        started++;
    pthread_attr_destroy(&attr);
    if (started == 0) worker(&q);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
}

/* The error to report when several units failed: the lowest function index, so the
 * message does not depend on thread timing. */
static const unit_job *first_failure(const unit_job *jobs, uint32_t n) {
    const unit_job *worst = NULL;
    for (uint32_t i = 0; i < n; i++)
        if (jobs[i].rc != 0 &&
            (!worst || (uint64_t)jobs[i].err.func_index < (uint64_t)worst->err.func_index))
            worst = &jobs[i];
    return worst;
}

static int write_ir(const char *path, const unit_job *jobs, uint32_t n, wasm_error *err) {
    FILE *f = fopen(path, "w");
    bool ok = f != NULL;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = fputs(jobs[i].ir, f) >= 0;
    if (f && fclose(f) != 0) ok = false;
    if (!ok) wasm_error_set(err, -1, 0, "cannot write the LLVM IR to %s", path);
    return ok ? 0 : -1;
}

int hwasmc_compile(const wasm_module *m, const hwasmc_options *opts, const char *out_path,
                   wasm_error *err) {
    uint32_t n = num_units(m);
    uint32_t *owner = split(m, n);
    unit_job *jobs = calloc(n, sizeof *jobs);
    link_object *objs = calloc(n, sizeof *objs);
    int rc = -1;
    if (!owner || !jobs || !objs) {
        wasm_error_set(err, -1, 0, "out of memory");
        goto done;
    }
    emit_init(opts->opt_level); /* before any thread touches LLVM */
    for (uint32_t i = 0; i < n; i++)
        jobs[i] = (unit_job){.m = m,
                             .opts = opts,
                             .owner = owner,
                             .index = i,
                             .num_units = n,
                             .err = {.func_index = -1}};
    run_units(jobs, n, opts->jobs);

    const unit_job *failed = first_failure(jobs, n);
    if (failed) {
        *err = failed->err;
        goto done;
    }
    if (opts->emit_llvm && write_ir(opts->emit_llvm, jobs, n, err) != 0) goto done;
    for (uint32_t i = 0; i < n; i++)
        objs[i] = (link_object){LLVMGetBufferStart(jobs[i].obj), LLVMGetBufferSize(jobs[i].obj)};
    rc = link_shared(objs, n, out_path, err);
done:
    for (uint32_t i = 0; jobs && i < n; i++) {
        if (jobs[i].obj) LLVMDisposeMemoryBuffer(jobs[i].obj);
        if (jobs[i].ir) LLVMDisposeMessage(jobs[i].ir);
    }
    free(jobs);
    free(objs);
    free(owner);
    return rc;
}

/*
 * http_instance.c — one instance of a middleware's guest: created with its host functions
 * bound, under the memory and table caps, started (start section, _start, _initialize)
 * and, with the reset policy, snapshotted; registered for the deadline timer; freed. And
 * what a guest call leaves to settle (http_call.h has the call). Below the pool
 * (http_pool.c), which lends instances, and the middleware (http_middleware.c), which
 * owns them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_call.h"

/* --- guarded guest calls ---------------------------------------------------------------- */

void http_call_end(struct http_inst *hi, int timed) {
    if (timed) deadline_disarm(hi);
    if (hi->console_used) {
        hi->console_used = 0;
        console_flush(hi);
    }
}

/* --- instances ------------------------------------------------------------------------ */

/* The list of every live instance, which the deadline timer scans. */
static void inst_register(struct http_mw *mw, struct http_inst *hi) {
    pthread_mutex_lock(&mw->lock);
    hi->all_next = mw->all;
    if (mw->all) mw->all->all_prev = hi;
    mw->all = hi;
    pthread_mutex_unlock(&mw->lock);
}

void http_inst_free(struct http_inst *hi) {
    struct http_mw *mw = hi->mw;
    pthread_mutex_lock(&mw->lock);
    if (hi->all_prev) hi->all_prev->all_next = hi->all_next;
    else mw->all = hi->all_next;
    if (hi->all_next) hi->all_next->all_prev = hi->all_prev;
    pthread_mutex_unlock(&mw->lock);
    http_snapshot_free(hi);
    if (hi->inst) hw_instance_free(hi->inst);
    for (uint32_t i = 0; i < hi->num_imports; i++)
        hw_extern_free(&hi->imports[i]);
    free(hi->imports);
    free(hi->scratch);
    free(hi);
}

static int export_func(struct http_inst *hi, const char *name, hwasm_funcref *out, hw_error *err) {
    hw_extern e;
    int rc = hw_instance_export(hi->inst, name, strlen(name), &e);
    if (rc != HW_OK || e.kind != HWASM_EXTERN_FUNC || !e.of.func)
        return rt_error(err, rc ? rc : HW_ENOENT, "no export %s", name);
    *out = *e.of.func;
    return HW_OK;
}

/* Appends the guest's console output to an initialisation error. */
static void add_console(struct http_inst *hi, hw_error *err) {
    char tail[256];
    console_tail(hi, tail, sizeof tail);
    if (err && tail[0]) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, " (guest output: %s)", tail);
    }
}

/* Runs the module's start function (hw_instance_start) as a guest call: under the
 * deadline, its console flushed. A trap fails the instance, its message prefixed. */
static int start_section(struct http_inst *hi, hw_error *err) {
    int timed = hi->mw->deadline_on;
    if (timed) deadline_arm(hi);
    int rc = hw_instance_start(hi->inst, err);
    http_call_end(hi, timed);
    hi->exited = 0;
    if (rc != HW_OK && err) {
        static const char pre[] = "start function: ";
        size_t n = strnlen(err->message, sizeof err->message - sizeof pre);
        memmove(err->message + sizeof pre - 1, err->message, n);
        memcpy(err->message, pre, sizeof pre - 1);
        err->message[sizeof pre - 1 + n] = 0;
    }
    return rc;
}

int http_inst_create(struct http_mw *mw, struct http_inst **out, hw_error *err) {
    struct http_inst *hi = calloc(1, sizeof *hi);
    if (!hi) return rt_error(err, HW_ENOMEM, "out of memory");
    hi->mw = mw;
    hi->phase = PHASE_INIT;
    inst_register(mw, hi);
    hi->imports = calloc(mw->num_binds ? mw->num_binds : 1, sizeof *hi->imports);
    if (!hi->imports) {
        http_inst_free(hi);
        return rt_error(err, HW_ENOMEM, "out of memory");
    }
    int rc = HW_OK;
    for (uint32_t i = 0; i < mw->num_binds && rc == HW_OK; i++) {
        const struct import_bind *b = &mw->binds[i];
        rc = hw_host_func_new(b->params, b->num_params, b->results, b->num_results, b->code, hi,
                              &hi->imports[i]);
        if (rc == HW_OK)
            hi->num_imports++;
        else
            rt_error(err, rc, "cannot create host function");
    }
    /* The start section runs below, under the deadline as _start and _initialize do:
     * inside hw_instance_new nothing could interrupt a start that never returns. */
    hw_instance_options opts = {.max_memory_pages = mw->cfg.max_memory_pages,
                                .max_table_elements = mw->cfg.max_table_elements,
                                .defer_start = 1,
                                .memory_budget = &mw->budget};
    if (rc == HW_OK)
        rc = hw_instance_new(mw->mod, hi->imports, hi->num_imports, &opts, &hi->inst, err);
    if (rc == HW_OK) {
        hi->vm = hw_instance_vmctx(hi->inst);
        hi->memory = hi->vm->memory;
        rc = start_section(hi, err);
    }
    if (rc == HW_OK) rc = export_func(hi, "handle_request", &hi->handle_request, err);
    if (rc == HW_OK) rc = export_func(hi, "handle_response", &hi->handle_response, err);
    const char *entries[] = {mw->start_index >= 0 ? "_start" : NULL,
                             mw->initialize_index >= 0 ? "_initialize" : NULL};
    for (int i = 0; i < 2 && rc == HW_OK; i++) {
        hwasm_funcref f;
        if (!entries[i]) continue;
        rc = export_func(hi, entries[i], &f, err);
        if (rc == HW_OK) rc = http_guest_call(hi, &f, 0, 0, NULL, err);
        /* A WASI command may end _start with proc_exit(0): initialised, not failed. */
        if (rc == HW_ETRAP && hi->exited && hi->exit_code == 0) rc = HW_OK;
        hi->exited = 0;
    }
    if (rc == HW_OK && mw->cfg.policy == HW_HTTP_RESET && http_snapshot_take(hi) != HW_OK)
        rc = rt_error(err, HW_ENOMEM, "cannot snapshot the instance");
    if (rc != HW_OK) {
        console_flush(hi);
        add_console(hi, err);
        http_inst_free(hi);
        return rc;
    }
    hi->phase = PHASE_IDLE;
    *out = hi;
    return HW_OK;
}

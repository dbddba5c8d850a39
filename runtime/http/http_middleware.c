/*
 * http_middleware.c — the middleware object: load and validate a compiled guest, create
 * and destroy its instances (start section, _start, _initialize) under the memory and
 * table caps, and make guarded guest calls under the deadline. The pool that lends one
 * instance per request is http_pool.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"

/* --- guarded guest calls ---------------------------------------------------------------- */

struct gcall {
    const hwasm_funcref *f;
    hwasm_vmctx *vm;
    int32_t a, b;
    int64_t ret;
};

/* One body per kind of call: the guest function's native signature. */
static void call_void(void *p) {
    struct gcall *c = p;
    ((void (*)(void *, hwasm_vmctx *))c->f->code)(c->f->env, c->vm);
}

static void call_request(void *p) {
    struct gcall *c = p;
    c->ret = ((int64_t(*)(void *, hwasm_vmctx *))c->f->code)(c->f->env, c->vm);
}

static void call_response(void *p) {
    struct gcall *c = p;
    ((void (*)(void *, hwasm_vmctx *, int32_t, int32_t))c->f->code)(c->f->env, c->vm, c->a, c->b);
}

static void (*const call_bodies[])(void *) = {
    [CALL_VOID] = call_void, [CALL_REQUEST] = call_request, [CALL_RESPONSE] = call_response};

/* What a guest call leaves to settle: an armed deadline, printed or logged output. Rare,
 * so kept out of the request path's registers. */
static __attribute__((noinline)) void call_end(struct http_inst *hi, int timed) {
    if (timed) deadline_disarm(hi);
    if (hi->console_used) {
        hi->console_used = 0;
        console_flush(hi);
    }
}

int http_guest_call(struct http_inst *hi, int kind, const hwasm_funcref *f, int32_t a,
                    int32_t b, int64_t *ret, hw_error *err) {
    struct gcall c = {f, hi->vm, a, b, 0};
    int timed = hi->mw->timer_running;
    if (timed) deadline_arm(hi);
    int rc = hw_call_guarded(hi->inst, call_bodies[kind], &c, err);
    if (__builtin_expect(timed | hi->console_used, 0)) /* most calls print and log nothing */
        call_end(hi, timed);
    if (ret) *ret = c.ret;
    return rc;
}

/* --- validation ----------------------------------------------------------------------- */

static int64_t find_export(const hwasm_descriptor *d, const char *name, uint32_t kind) {
    size_t len = strlen(name);
    for (uint32_t i = 0; i < d->num_exports; i++) {
        const hwasm_export *e = &d->exports[i];
        if (e->kind == kind && e->name_len == len && !memcmp(e->name, name, len)) return e->index;
    }
    return -1;
}

static int func_type_is(const hwasm_descriptor *d, uint32_t func, const char *params,
                        const char *results) {
    const hwasm_functype *t = &d->types[d->func_types[func]];
    size_t np = strlen(params), nr = strlen(results);
    if (t->num_params != np || t->num_results != nr) return 0;
    for (size_t i = 0; i < np + nr; i++) {
        char c = i < np ? params[i] : results[i - np];
        if (t->types[i] != (c == 'I' ? HWASM_I64 : HWASM_I32)) return 0;
    }
    return 1;
}

static int validate_exports(struct http_mw *mw, hw_error *err) {
    const hwasm_descriptor *d = hw_module_descriptor(mw->mod);
    if (find_export(d, "memory", HWASM_EXTERN_MEMORY) < 0)
        return rt_error(err, HW_ELINK, "guest doesn't export memory[memory]");
    int64_t req = find_export(d, "handle_request", HWASM_EXTERN_FUNC);
    int64_t resp = find_export(d, "handle_response", HWASM_EXTERN_FUNC);
    if (req < 0 || resp < 0)
        return rt_error(err, HW_ELINK, "guest doesn't export func[%s]",
                        req < 0 ? "handle_request" : "handle_response");
    if (!func_type_is(d, (uint32_t)req, "", "I"))
        return rt_error(err, HW_ELINK, "func[handle_request] should be () -> (i64)");
    if (!func_type_is(d, (uint32_t)resp, "ii", ""))
        return rt_error(err, HW_ELINK, "func[handle_response] should be (i32, i32) -> ()");
    mw->start_index = find_export(d, "_start", HWASM_EXTERN_FUNC);
    mw->initialize_index = find_export(d, "_initialize", HWASM_EXTERN_FUNC);
    if ((mw->start_index >= 0 && !func_type_is(d, (uint32_t)mw->start_index, "", "")) ||
        (mw->initialize_index >= 0 && !func_type_is(d, (uint32_t)mw->initialize_index, "", "")))
        return rt_error(err, HW_ELINK, "func[_start] and func[_initialize] should be () -> ()");
    return HW_OK;
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
    hw_instance_options opts = {.max_memory_pages = mw->cfg.max_memory_pages,
                                .max_table_elements = mw->cfg.max_table_elements};
    if (rc == HW_OK)
        rc = hw_instance_new(mw->mod, hi->imports, hi->num_imports, &opts, &hi->inst, err);
    if (rc == HW_OK) {
        hi->vm = hw_instance_vmctx(hi->inst);
        hi->memory = hi->vm->memory;
        rc = export_func(hi, "handle_request", &hi->handle_request, err);
    }
    if (rc == HW_OK) rc = export_func(hi, "handle_response", &hi->handle_response, err);
    const char *entries[] = {mw->start_index >= 0 ? "_start" : NULL,
                             mw->initialize_index >= 0 ? "_initialize" : NULL};
    for (int i = 0; i < 2 && rc == HW_OK; i++) {
        hwasm_funcref f;
        if (!entries[i]) continue;
        rc = export_func(hi, entries[i], &f, err);
        if (rc == HW_OK) rc = http_guest_call(hi, CALL_VOID, &f, 0, 0, NULL, err);
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

/* --- the middleware ----------------------------------------------------------------------- */

static int copy_config(struct http_mw *mw, const hw_http_config *cfg) {
    if (cfg) mw->cfg = *cfg;
    if (!mw->cfg.pool_size) mw->cfg.pool_size = 16;
    if (!mw->cfg.pool_wait_ms) mw->cfg.pool_wait_ms = 1000;
    if (!mw->cfg.max_memory_pages) mw->cfg.max_memory_pages = HW_HTTP_DEFAULT_MEMORY_PAGES;
    if (!mw->cfg.max_table_elements) mw->cfg.max_table_elements = HW_HTTP_DEFAULT_TABLE_ELEMENTS;
    if (!mw->cfg.keep_bytes) mw->cfg.keep_bytes = HW_HTTP_DEFAULT_KEEP_BYTES;
    if (!mw->cfg.max_header_bytes) mw->cfg.max_header_bytes = HW_HTTP_DEFAULT_HEADER_BYTES;
    mw->cfg.features &= HTTP_FEATURES_ALL;
    if (!mw->cfg.features) mw->cfg.features = HTTP_FEATURES_ALL;
    mw->cfg.environ = NULL;
    mw->cfg.guest_config = NULL;
    if (cfg && cfg->guest_config_len) {
        mw->guest_config = malloc(cfg->guest_config_len);
        if (!mw->guest_config) return HW_ENOMEM;
        memcpy(mw->guest_config, cfg->guest_config, cfg->guest_config_len);
    }
    uint32_t n = 0;
    while (cfg && cfg->environ && cfg->environ[n])
        n++;
    mw->environ = calloc(n + 1, sizeof *mw->environ);
    if (!mw->environ) return HW_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        mw->environ[i] = strdup(cfg->environ[i]);
        if (!mw->environ[i]) return HW_ENOMEM;
        mw->num_environ++;
        mw->environ_bytes += strlen(cfg->environ[i]) + 1;
    }
    return HW_OK;
}

int hw_http_middleware_new(const char *so_path, const hw_http_config *cfg, hw_http_middleware **out,
                           hw_error *err) {
    *out = NULL;
    struct http_mw *mw = calloc(1, sizeof *mw);
    if (!mw) return rt_error(err, HW_ENOMEM, "out of memory");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&mw->lock, NULL);
    pthread_cond_init(&mw->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (http_pool_init(mw) != HW_OK) {
        pthread_cond_destroy(&mw->cond);
        pthread_mutex_destroy(&mw->lock);
        free(mw);
        return rt_error(err, HW_ENOMEM, "out of memory");
    }
    int rc = copy_config(mw, cfg);
    if (rc != HW_OK) {
        rt_error(err, rc, "out of memory");
    } else {
        hw_load_options lo = {.require_sha256 = cfg ? cfg->require_wasm_sha256 : NULL,
                              .require_file_sha256 = cfg ? cfg->require_file_sha256 : NULL};
        rc = hw_module_load(so_path, &lo, &mw->mod, err);
        mw->d = hw_module_descriptor(mw->mod);
        mw->own_tables_from = mw->d ? mw->d->num_imported_tables : 0;
        mw->own_tables_to = mw->d ? mw->d->num_tables : 0;
    }
    if (rc == HW_OK) rc = validate_exports(mw, err);
    if (rc == HW_OK) rc = http_bind_imports(mw, err);
    if (rc == HW_OK && (rc = deadline_start(mw)) != HW_OK)
        rt_error(err, rc, "cannot start the deadline timer");
    struct http_inst *first = NULL;
    if (rc == HW_OK) {
        mw->live = 1;
        rc = http_inst_create(mw, &first, err);
        /* An instance born over keep_bytes would be recreated after every request. */
        uint64_t born = rc == HW_OK ? http_inst_footprint(first) : 0;
        if (born > mw->cfg.keep_bytes)
            rc = rt_error(err, HW_EINVAL,
                                "an instance holds %llu bytes once initialised, more than "
                                "keep_bytes (%u)",
                                (unsigned long long)born, mw->cfg.keep_bytes);
        if (rc == HW_OK) {
            http_pool_put(mw, first);
        } else {
            if (first) http_inst_free(first);
            mw->live = 0;
        }
    }
    if (rc != HW_OK) {
        hw_http_middleware_free((hw_http_middleware *)mw);
        return rc;
    }
    *out = (hw_http_middleware *)mw;
    return HW_OK;
}

void hw_http_middleware_free(hw_http_middleware *m) {
    struct http_mw *mw = (struct http_mw *)m;
    if (!mw) return;
    if (mw->timer_cond_ready) deadline_stop(mw);
    http_pool_free(mw);
    if (mw->mod) hw_module_free(mw->mod);
    free(mw->binds);
    free(mw->guest_config);
    for (uint32_t i = 0; mw->environ && i < mw->num_environ; i++)
        free(mw->environ[i]);
    free(mw->environ);
    pthread_cond_destroy(&mw->cond);
    pthread_mutex_destroy(&mw->lock);
    free(mw);
}

uint32_t hw_http_middleware_features(const hw_http_middleware *m) {
    return __atomic_load_n(&((const struct http_mw *)m)->features, __ATOMIC_RELAXED);
}

uint32_t hw_http_middleware_instances(const hw_http_middleware *m) {
    return __atomic_load_n(&((const struct http_mw *)m)->live, __ATOMIC_RELAXED);
}

uint64_t hw_http_middleware_traps(const hw_http_middleware *m) {
    return __atomic_load_n(&((const struct http_mw *)m)->traps, __ATOMIC_RELAXED);
}

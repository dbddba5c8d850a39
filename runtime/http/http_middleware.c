/*
 * http_middleware.c — the middleware object: load and validate a compiled guest, create
 * and destroy its instances (start section, _start, _initialize) under the memory and
 * table caps, and the bounded pool that lends one instance per request (waiting up to
 * pool_wait_ms when all are busy). The pool keeps idle instances per thread, so workers
 * serving requests in parallel share no lock and no written cache line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"

/* --- guarded guest calls ---------------------------------------------------------------- */

struct gcall {
    hwasm_funcref f;
    hwasm_vmctx *vm;
    int32_t a, b;
    int64_t ret;
};

/* One body per kind of call: the guest function's native signature. */
static void call_void(void *p) {
    struct gcall *c = p;
    ((void (*)(void *, hwasm_vmctx *))c->f.code)(c->f.env, c->vm);
}

static void call_request(void *p) {
    struct gcall *c = p;
    c->ret = ((int64_t(*)(void *, hwasm_vmctx *))c->f.code)(c->f.env, c->vm);
}

static void call_response(void *p) {
    struct gcall *c = p;
    ((void (*)(void *, hwasm_vmctx *, int32_t, int32_t))c->f.code)(c->f.env, c->vm, c->a, c->b);
}

static void (*const call_bodies[])(void *) = {
    [CALL_VOID] = call_void, [CALL_REQUEST] = call_request, [CALL_RESPONSE] = call_response};

/* Did the call leave console output or a log budget to settle? Most calls log nothing. */
static int console_pending(const struct http_inst *hi) {
    return (hi->out.line_len | hi->err.line_len) != 0 ||
           (hi->log_used | hi->log_lines | hi->log_dropped) != 0;
}

int http_guest_call(struct http_inst *hi, int kind, hwasm_funcref f, int32_t a, int32_t b,
                    int64_t *ret, hw_error *err) {
    struct gcall c = {f, hi->vm, a, b, 0};
    int timed = hi->mw->timer_running;
    if (timed) deadline_arm(hi);
    int rc = hw_call_guarded(hi->inst, call_bodies[kind], &c, err);
    if (timed) deadline_disarm(hi);
    if (console_pending(hi)) console_flush(hi);
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

static void inst_free(struct http_inst *hi) {
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

static int inst_create(struct http_mw *mw, struct http_inst **out, hw_error *err) {
    struct http_inst *hi = calloc(1, sizeof *hi);
    if (!hi) return rt_error(err, HW_ENOMEM, "out of memory");
    hi->mw = mw;
    hi->phase = PHASE_INIT;
    inst_register(mw, hi);
    hi->imports = calloc(mw->num_binds ? mw->num_binds : 1, sizeof *hi->imports);
    if (!hi->imports) {
        inst_free(hi);
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
        rc = export_func(hi, "handle_request", &hi->handle_request, err);
    }
    if (rc == HW_OK) rc = export_func(hi, "handle_response", &hi->handle_response, err);
    const char *entries[] = {mw->start_index >= 0 ? "_start" : NULL,
                             mw->initialize_index >= 0 ? "_initialize" : NULL};
    for (int i = 0; i < 2 && rc == HW_OK; i++) {
        hwasm_funcref f;
        if (!entries[i]) continue;
        rc = export_func(hi, entries[i], &f, err);
        if (rc == HW_OK) rc = http_guest_call(hi, CALL_VOID, f, 0, 0, NULL, err);
        /* A WASI command may end _start with proc_exit(0): initialised, not failed. */
        if (rc == HW_ETRAP && hi->exited && hi->exit_code == 0) rc = HW_OK;
        hi->exited = 0;
    }
    if (rc == HW_OK && mw->cfg.policy == HW_HTTP_RESET && http_snapshot_take(hi) != HW_OK)
        rc = rt_error(err, HW_ENOMEM, "cannot snapshot the instance");
    if (rc != HW_OK) {
        console_flush(hi);
        add_console(hi, err);
        inst_free(hi);
        return rc;
    }
    hi->phase = PHASE_IDLE;
    *out = hi;
    return HW_OK;
}

uint64_t http_inst_footprint(const struct http_inst *hi) {
    const hwasm_descriptor *d = hw_module_descriptor(hi->mw->mod);
    uint64_t bytes = (hi->vm->memory ? hi->vm->memory->size : 0) + hi->scratch_cap;
    for (uint32_t i = d->num_imported_tables; i < d->num_tables; i++)
        bytes += (uint64_t)hi->vm->tables[i]->size * sizeof(void *);
    return bytes;
}

/* --- pool ------------------------------------------------------------------------------- */

/* A thread's pool slot, the same in every middleware: threads are numbered as they first
 * use a pool. A worker's requests then take and return instances in its own slot. */
static struct pool_slot *my_slot(struct http_mw *mw) {
    static uint32_t threads;
    static _Thread_local uint32_t mine; /* 0: not numbered yet, else number + 1 */
    if (!mine) mine = __atomic_add_fetch(&threads, 1, __ATOMIC_RELAXED);
    return &mw->slots[(mine - 1) % HTTP_POOL_SLOTS];
}

static struct http_inst *slot_pop(struct pool_slot *s) {
    struct http_inst *hi = NULL;
    if (__atomic_load_n(&s->hot, __ATOMIC_RELAXED) &&
        (hi = __atomic_exchange_n(&s->hot, NULL, __ATOMIC_SEQ_CST)))
        return hi;
    if (!__atomic_load_n(&s->idle, __ATOMIC_RELAXED)) return NULL; /* a hint: no lock needed */
    pthread_mutex_lock(&s->lock);
    hi = s->idle;
    if (hi) __atomic_store_n(&s->idle, hi->idle_next, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->lock);
    return hi;
}

/* An idle instance from another thread's slot (only when this one's is empty). */
static struct http_inst *steal(struct http_mw *mw, struct pool_slot *own) {
    for (uint32_t i = 0; i < HTTP_POOL_SLOTS; i++) {
        struct http_inst *hi = &mw->slots[i] == own ? NULL : slot_pop(&mw->slots[i]);
        if (hi) return hi;
    }
    return NULL;
}

/* One more live instance if that stays within pool_size. */
static int reserve(struct http_mw *mw) {
    uint32_t n = __atomic_load_n(&mw->live, __ATOMIC_RELAXED);
    while (n < mw->cfg.pool_size)
        if (__atomic_compare_exchange_n(&mw->live, &n, n + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return 1;
    return 0;
}

/* Wakes the threads waiting on a full pool. A pool_no_wait pool (hwasmd's) never has any:
 * it answers HW_EBUSY before counting a waiter, so it pays nothing per request. Else the
 * instance was published either by a sequentially consistent exchange (`ordered`) or under
 * a slot lock followed by the fence here; either pairs with the waiter's fence: it sees
 * the instance just freed or is woken. */
static void wake_waiters(struct http_mw *mw, int ordered) {
    if (mw->cfg.pool_no_wait) return;
    if (!ordered) __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&mw->waiters, __ATOMIC_SEQ_CST)) return;
    pthread_mutex_lock(&mw->lock);
    pthread_cond_broadcast(&mw->cond);
    pthread_mutex_unlock(&mw->lock);
}

/* The deadline for waiting on a busy pool, computed only when a wait is needed. */
static struct timespec wait_until(const struct http_mw *mw) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)mw->cfg.pool_wait_ms * 1000000u;
    until.tv_sec += (time_t)(ns / 1000000000u);
    until.tv_nsec = (long)(ns % 1000000000u);
    return until;
}

static int create(struct http_mw *mw, struct http_inst **out, hw_error *err) {
    int rc = inst_create(mw, out, err);
    if (rc != HW_OK) {
        __atomic_sub_fetch(&mw->live, 1, __ATOMIC_RELAXED);
        wake_waiters(mw, 0);
    }
    return rc;
}

int http_pool_get(struct http_mw *mw, struct http_inst **out, hw_error *err) {
    struct pool_slot *own = my_slot(mw);
    /* an idle instance anywhere before a new one: instances move to the workers that need
     * them, and the pool holds no more than the peak of requests in flight */
    if ((*out = slot_pop(own)) || (*out = steal(mw, own))) return HW_OK;
    if (reserve(mw)) return create(mw, out, err);
    if (mw->cfg.pool_no_wait) return rt_error(err, HW_EBUSY, "all %u instances busy", mw->cfg.pool_size);
    struct timespec until = wait_until(mw);
    int timed_out = 0, made = 0;
    pthread_mutex_lock(&mw->lock);
    __atomic_add_fetch(&mw->waiters, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        /* counted as a waiter first: an instance freed from now on wakes this thread */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if ((*out = steal(mw, NULL)) || (made = reserve(mw)) || timed_out) break;
        timed_out = pthread_cond_timedwait(&mw->cond, &mw->lock, &until) == ETIMEDOUT;
    }
    __atomic_sub_fetch(&mw->waiters, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&mw->lock);
    if (*out) return HW_OK;
    if (made) return create(mw, out, err);
    return rt_error(err, HW_ENOMEM, "all %u instances busy for %u ms", mw->cfg.pool_size,
                    mw->cfg.pool_wait_ms);
}

void http_pool_put(struct http_mw *mw, struct http_inst *hi) {
    hi->phase = PHASE_IDLE;
    hi->x = NULL;
    struct pool_slot *s = my_slot(mw);
    struct http_inst *none = NULL;
    if (__atomic_compare_exchange_n(&s->hot, &none, hi, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        wake_waiters(mw, 1);
        return;
    }
    pthread_mutex_lock(&s->lock);
    hi->idle_next = s->idle;
    __atomic_store_n(&s->idle, hi, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->lock);
    wake_waiters(mw, 0);
}

void http_pool_discard(struct http_mw *mw, struct http_inst *hi, int trapped) {
    inst_free(hi);
    __atomic_sub_fetch(&mw->live, 1, __ATOMIC_RELAXED);
    if (trapped) __atomic_add_fetch(&mw->traps, 1, __ATOMIC_RELAXED);
    wake_waiters(mw, 0);
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
    mw->slots = aligned_alloc(128, HTTP_POOL_SLOTS * sizeof *mw->slots);
    if (!mw->slots) {
        pthread_cond_destroy(&mw->cond);
        pthread_mutex_destroy(&mw->lock);
        free(mw);
        return rt_error(err, HW_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < HTTP_POOL_SLOTS; i++) {
        pthread_mutex_init(&mw->slots[i].lock, NULL);
        mw->slots[i].idle = mw->slots[i].hot = NULL;
    }
    int rc = copy_config(mw, cfg);
    if (rc != HW_OK) {
        rt_error(err, rc, "out of memory");
    } else {
        hw_load_options lo = {.require_sha256 = cfg ? cfg->require_wasm_sha256 : NULL,
                              .require_file_sha256 = cfg ? cfg->require_file_sha256 : NULL};
        rc = hw_module_load(so_path, &lo, &mw->mod, err);
    }
    if (rc == HW_OK) rc = validate_exports(mw, err);
    if (rc == HW_OK) rc = http_bind_imports(mw, err);
    if (rc == HW_OK && (rc = deadline_start(mw)) != HW_OK)
        rt_error(err, rc, "cannot start the deadline timer");
    struct http_inst *first = NULL;
    if (rc == HW_OK) {
        mw->live = 1;
        rc = inst_create(mw, &first, err);
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
            if (first) inst_free(first);
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
    for (uint32_t i = 0; i < HTTP_POOL_SLOTS; i++) {
        if (mw->slots[i].hot) inst_free(mw->slots[i].hot);
        while (mw->slots[i].idle) {
            struct http_inst *hi = mw->slots[i].idle;
            mw->slots[i].idle = hi->idle_next;
            inst_free(hi);
        }
        pthread_mutex_destroy(&mw->slots[i].lock);
    }
    free(mw->slots);
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

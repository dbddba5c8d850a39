/*
 * http_middleware.c — the middleware object: loads a compiled guest, checks its exports
 * against the http-wasm ABI, binds its imports, and starts the pool that lends one
 * instance per request (http_pool.c), whose instances http_instance.c makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

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

/* --- the middleware ----------------------------------------------------------------------- */

static int copy_config(struct http_mw *mw, const hw_http_config *cfg) {
    if (cfg) mw->cfg = *cfg;
    if (!mw->cfg.pool_size) mw->cfg.pool_size = 16;
    if (!mw->cfg.pool_wait_ms) mw->cfg.pool_wait_ms = 1000;
    if (!mw->cfg.max_memory_pages) mw->cfg.max_memory_pages = HW_HTTP_DEFAULT_MEMORY_PAGES;
    if (!mw->cfg.max_table_elements) mw->cfg.max_table_elements = HW_HTTP_DEFAULT_TABLE_ELEMENTS;
    if (!mw->cfg.keep_bytes) mw->cfg.keep_bytes = HW_HTTP_DEFAULT_KEEP_BYTES;
    if (!mw->cfg.pool_memory_mb) mw->cfg.pool_memory_mb = HW_HTTP_DEFAULT_POOL_MEMORY_MB;
    mw->budget = (hw_memory_budget){.limit = (uint64_t)mw->cfg.pool_memory_mb << 20};
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

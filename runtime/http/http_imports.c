/*
 * http_imports.c — the import table of the http host: the 19 http_handler functions with
 * their exact wasm types, and the resolution of a module's imports (http_handler, WASI
 * preview1) into bindings. Anything else fails the load with a message naming it.
 */
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

int32_t http_enable_features(void *, hwasm_vmctx *, int32_t);
int32_t http_get_config(void *, hwasm_vmctx *, int32_t, int32_t);
void http_log_fn(void *, hwasm_vmctx *, int32_t, int32_t, int32_t);
int32_t http_log_enabled_fn(void *, hwasm_vmctx *, int32_t);
int32_t http_get_method(void *, hwasm_vmctx *, int32_t, int32_t);
void http_set_method(void *, hwasm_vmctx *, int32_t, int32_t);
int32_t http_get_uri(void *, hwasm_vmctx *, int32_t, int32_t);
void http_set_uri(void *, hwasm_vmctx *, int32_t, int32_t);
int32_t http_get_protocol_version(void *, hwasm_vmctx *, int32_t, int32_t);
int32_t http_get_source_addr(void *, hwasm_vmctx *, int32_t, int32_t);
int64_t http_get_header_names(void *, hwasm_vmctx *, int32_t, int32_t, int32_t);
int64_t http_get_header_values(void *, hwasm_vmctx *, int32_t, int32_t, int32_t, int32_t, int32_t);
void http_set_header_value(void *, hwasm_vmctx *, int32_t, int32_t, int32_t, int32_t, int32_t);
void http_add_header_value(void *, hwasm_vmctx *, int32_t, int32_t, int32_t, int32_t, int32_t);
void http_remove_header(void *, hwasm_vmctx *, int32_t, int32_t, int32_t);
int64_t http_read_body(void *, hwasm_vmctx *, int32_t, int32_t, int32_t);
void http_write_body(void *, hwasm_vmctx *, int32_t, int32_t, int32_t);
int32_t http_get_status_code(void *, hwasm_vmctx *);
void http_set_status_code(void *, hwasm_vmctx *, int32_t);

static const struct host_fn http_fns[] = {
    {"enable_features", "i", "i", (void *)http_enable_features},
    {"get_config", "ii", "i", (void *)http_get_config},
    {"log", "iii", "", (void *)http_log_fn},
    {"log_enabled", "i", "i", (void *)http_log_enabled_fn},
    {"get_method", "ii", "i", (void *)http_get_method},
    {"set_method", "ii", "", (void *)http_set_method},
    {"get_uri", "ii", "i", (void *)http_get_uri},
    {"set_uri", "ii", "", (void *)http_set_uri},
    {"get_protocol_version", "ii", "i", (void *)http_get_protocol_version},
    {"get_source_addr", "ii", "i", (void *)http_get_source_addr},
    {"get_header_names", "iii", "I", (void *)http_get_header_names},
    {"get_header_values", "iiiii", "I", (void *)http_get_header_values},
    {"set_header_value", "iiiii", "", (void *)http_set_header_value},
    {"add_header_value", "iiiii", "", (void *)http_add_header_value},
    {"remove_header", "iii", "", (void *)http_remove_header},
    {"read_body", "iii", "I", (void *)http_read_body},
    {"write_body", "iii", "", (void *)http_write_body},
    {"get_status_code", "", "i", (void *)http_get_status_code},
    {"set_status_code", "i", "", (void *)http_set_status_code},
};

const struct host_fn *http_handler_lookup(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof http_fns / sizeof http_fns[0]; i++)
        if (strlen(http_fns[i].name) == len && !memcmp(http_fns[i].name, name, len))
            return &http_fns[i];
    return NULL;
}

/* Does the module's declared type equal the host function's? */
static int same_type(const hwasm_functype *t, const struct host_fn *f) {
    size_t np = strlen(f->params), nr = strlen(f->results);
    if (t->num_params != np || t->num_results != nr) return 0;
    for (size_t i = 0; i < np + nr; i++) {
        char c = i < np ? f->params[i] : f->results[i - np];
        if (t->types[i] != (c == 'I' ? HWASM_I64 : HWASM_I32)) return 0;
    }
    return 1;
}

static int name_is(const char *s, uint32_t len, const char *lit) {
    return strlen(lit) == len && !memcmp(s, lit, len);
}

int http_bind_imports(struct http_mw *mw, hw_error *err) {
    const hwasm_descriptor *d = hw_module_descriptor(mw->mod);
    mw->binds = calloc(d->num_imports ? d->num_imports : 1, sizeof *mw->binds);
    if (!mw->binds) return rt_error(err, HW_ENOMEM, "out of memory");
    mw->num_binds = d->num_imports;
    for (uint32_t i = 0; i < d->num_imports; i++) {
        const hwasm_import *im = &d->imports[i];
        int mod_http = name_is(im->module, im->module_len, HTTP_HANDLER_MODULE);
        int mod_wasi = name_is(im->module, im->module_len, "wasi_snapshot_preview1");
        if (!mod_http && !mod_wasi)
            return rt_error(err, HW_ELINK, "unsupported import module \"%.*s\" (import %.*s.%.*s)",
                            (int)im->module_len, im->module, (int)im->module_len, im->module,
                            (int)im->name_len, im->name);
        if (im->kind != HWASM_EXTERN_FUNC)
            return rt_error(err, HW_ELINK, "import %.*s.%.*s is not a function",
                            (int)im->module_len, im->module, (int)im->name_len, im->name);
        const hwasm_functype *t = &d->types[im->type_index];
        int enosys = 0;
        const struct host_fn *f = mod_http ? http_handler_lookup(im->name, im->name_len)
                                           : wasi_lookup(im->name, im->name_len, &enosys);
        if (!f)
            return rt_error(err, HW_ELINK, "unknown import %.*s.%.*s", (int)im->module_len,
                            im->module, (int)im->name_len, im->name);
        struct import_bind *b = &mw->binds[i];
        if (enosys) {
            /* The stub answers ENOSYS whatever the parameters; it needs the i32 result. */
            if (t->num_results != 1 || t->types[t->num_params] != HWASM_I32)
                return rt_error(err, HW_ELINK, "import %.*s.%.*s has an unexpected type",
                                (int)im->module_len, im->module, (int)im->name_len, im->name);
            f = NULL;
        } else if (!same_type(t, f)) {
            return rt_error(err, HW_ELINK, "import %.*s.%.*s has the wrong type",
                            (int)im->module_len, im->module, (int)im->name_len, im->name);
        }
        /* Types equal the host function's, so the module's own type bytes describe it. */
        *b = (struct import_bind){f ? f->code : (void *)wasi_enosys, t->types,
                                  t->types + t->num_params, t->num_params, t->num_results};
    }
    return HW_OK;
}

/*
 * hwasmd_dapr.c — runs an existing Dapr setup unchanged: reads the `Component` files of
 * type middleware.http.wasm in a folder and the `Configuration` file's pipeline (the app
 * pipeline, spec.appHttpPipeline, unless told otherwise), and builds the same struct
 * hwd_config a hwasmd YAML file gives: one route "/" with that chain. Every field Dapr
 * defines is either implemented, warned about (one line naming the field, file and line:
 * it changes nothing here) or refused; none is dropped silently (docs/dapr.md lists them),
 * and no document either, but those of the kinds that configure daprd alone.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hwasmd.h"
#include "hwasmd_buf.h"
#include "hwasmd_fetch.h"
#include "hwasmd_upstream.h"
#include "hwasmd_yaml.h"
#include "sha256.h"

/* A Component read from the folder; only wasm ones carry a module. */
struct component {
    char *name, *type, *url, *guest_config, *file;
    size_t guest_config_len, line, url_line;
    int strict_sandbox, has_sha256;
    uint8_t sha256[32];
    struct hwd_middleware *m; /* made when the pipeline first names it */
};

struct dapr {
    struct component *comps;
    size_t n, cap;
    const char *pipeline; /* "appHttpPipeline" or "httpPipeline" */
    int found_config;
    char *msg;
    size_t msg_cap;
};

static int fail(struct dapr *d, const char *file, size_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hwd_yaml_vfail(d->msg, d->msg_cap, file, line, fmt, ap);
    va_end(ap);
    return -1;
}

/* One line on stderr, "hwasmd: FILE:LINE: LEVEL: what" (line counted from 0). */
static void say(const char *level, const char *file, size_t line, const char *fmt, va_list ap) {
    char what[400];
    vsnprintf(what, sizeof what, fmt, ap);
    char line_msg[sizeof what + 256];
    snprintf(line_msg, sizeof line_msg, "hwasmd: %s:%zu: %s: %s", file, line + 1, level, what);
    hwd_msg_oneline(line_msg, sizeof line_msg);
    fprintf(stderr, "%s\n", line_msg);
}

/* A field hwasmd reads but does not act on, or a document it cannot tell the purpose of:
 * said once per load, on stderr. */
static void warn(const char *file, size_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say("warning", file, line, fmt, ap);
    va_end(ap);
}

/* What hwasmd leaves to daprd (a Component of another type): said once per load. */
static void note(const char *file, size_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say("note", file, line, fmt, ap);
    va_end(ap);
}

/* The value of key in a mapping node, or NULL. */
static yaml_node_t *get(yaml_document_t *doc, yaml_node_t *map, const char *key) {
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
        yaml_node_t *k = yaml_document_get_node(doc, kv->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
            return yaml_document_get_node(doc, kv->value);
    }
    return NULL;
}

static const char *str(yaml_node_t *n) {
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Warns of each key of a mapping that is not in known (NULL-ended): "KIND NAME: field
 * WHERE.KEY is not a Dapr field ..." (where "" for a document's top level). */
static void warn_unknown(yaml_document_t *doc, yaml_node_t *map, const char *const *known, const char *kind,
                         const char *name, const char *where, const char *file) {
    if (!map || map->type != YAML_MAPPING_NODE) return;
    for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
        yaml_node_t *k = yaml_document_get_node(doc, kv->key);
        const char *key = str(k);
        int ok = 0;
        for (const char *const *s = known; *s && !ok; s++) ok = key && !strcmp(key, *s);
        if (!ok)
            warn(file, k->start_mark.line, "%s %s: field %s%s%s is not a Dapr field hwasmd knows: ignored", kind, name,
                 where, *where ? "." : "", key ? key : "?");
    }
}

/* url as the component gives it: file:// (relative to the component file's folder) or a
 * plain path become a path; http://, https://, oci:// stay urls (fetched at load). */
static char *module_of(const char *url, const char *file) {
    if (hwd_is_url(url)) return strdup(url);
    const char *p = strncmp(url, "file://", 7) ? url : url + 7;
    if (p[0] == '/') return strdup(p);
    const char *slash = strrchr(file, '/');
    char *full;
    if (!slash) return strdup(p);
    return asprintf(&full, "%.*s/%s", (int)(slash - file), file, p) < 0 ? NULL : full;
}

/* A pin: 64 hex digits, "sha256:" before them or not. */
static int pin_parse(const char *s, uint8_t out[32]) {
    return sha256_hex_parse(strncmp(s, "sha256:", 7) ? s : s + 7, out);
}

/* One spec.metadata item of a wasm component. */
static int metadata_item(struct dapr *d, yaml_document_t *doc, yaml_node_t *e, struct component *c) {
    static const char *const item_keys[] = {"name", "value", "secretKeyRef", NULL};
    const char *file = c->file, *k = str(get(doc, e, "name"));
    size_t line = e->start_mark.line;
    yaml_node_t *v = get(doc, e, "value");
    if (!k) return fail(d, file, line, "component %s: spec.metadata: an item without a name", c->name);
    warn_unknown(doc, e, item_keys, "component", c->name, "spec.metadata[]", file);
    if (get(doc, e, "secretKeyRef"))
        return fail(d, file, line, "component %s: %s: secretKeyRef is not supported (hwasmd reads no secret store): give value", c->name, k);
    if (!v) return fail(d, file, line, "component %s: %s: missing value", c->name, k);
    const char *s = str(v);
    char why[128];
    if (!strcmp(k, "guestConfig")) {
        /* Dapr's metadata takes strings, numbers and YAML/JSON maps and lists; a guest gets
         * a string as is and the rest as its JSON text */
        free(c->guest_config);
        c->guest_config = NULL;
        if (hwd_yaml_bytes(doc, v, &c->guest_config, &c->guest_config_len, why, sizeof why))
            return fail(d, file, v->start_mark.line, "component %s: guestConfig: %s", c->name, why);
        return 0;
    }
    if (!s) return fail(d, file, v->start_mark.line, "component %s: %s: expected a string value", c->name, k);
    if (!strcmp(k, "url") || !strcmp(k, "path")) {
        free(c->url);
        c->url = strdup(s);
        c->url_line = v->start_mark.line;
    } else if (!strcmp(k, "strictSandbox")) {
        if (strcmp(s, "true") && strcmp(s, "false"))
            return fail(d, file, v->start_mark.line, "component %s: strictSandbox: expected \"true\" or \"false\"", c->name);
        c->strict_sandbox = !strcmp(s, "true");
    } else if (!strcmp(k, "sha256")) { /* hwasmd's own: Dapr ignores it */
        if (pin_parse(s, c->sha256))
            return fail(d, file, v->start_mark.line, "component %s: sha256: expected 64 hex digits (sha256: prefix allowed)", c->name);
        c->has_sha256 = 1;
    } else {
        warn(file, line, "component %s: metadata %s is not a middleware.http.wasm field: ignored", c->name, k);
    }
    return 0;
}

static struct component *find(struct dapr *d, const char *name) {
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->comps[i].name, name)) return &d->comps[i];
    return NULL;
}

/* The other kinds Dapr reads from a resources folder (its loaders each take one kind and
 * pass over the rest): they configure daprd, so hwasmd passes over them without a word. */
static const char *const daprd_kinds[] = {"Configuration", "Subscription",         "Resiliency", "HTTPEndpoint",
                                          "MCPServer",     "WorkflowAccessPolicy", NULL};

/* A document that is not a Component: skipped, and said unless Dapr defines its kind (a
 * kind misspelt, or none, would otherwise leave a component out without a trace). */
static int other_document(yaml_document_t *doc, yaml_node_t *root, const char *file) {
    yaml_node_t *kind_node = get(doc, root, "kind");
    const char *kind = str(kind_node);
    for (const char *const *k = daprd_kinds; kind && *k; k++)
        if (!strcmp(kind, *k)) return 0;
    if (!kind)
        warn(file, root->start_mark.line, "skipped: a document without a kind (hwasmd reads kind: Component)");
    else
        warn(file, kind_node->start_mark.line, "skipped: kind \"%s\" is not a Dapr resource kind (hwasmd reads Component)",
             kind);
    return 0;
}

/* One document of a component file: every Component is noted (a handler may name one of
 * another type: that is an error then); wasm ones are read whole. */
static int component(struct dapr *d, yaml_document_t *doc, const char *file) {
    static const char *const top[] = {"apiVersion", "kind", "metadata", "spec", "scopes", "auth", NULL};
    static const char *const meta[] = {"name", "namespace", "labels", "annotations", NULL};
    static const char *const spec_keys[] = {"type", "version", "metadata", "initTimeout", "ignoreErrors", NULL};
    yaml_node_t *root = yaml_document_get_root_node(doc);
    const char *kind = str(get(doc, root, "kind"));
    if (!kind || strcmp(kind, "Component")) return other_document(doc, root, file);
    yaml_node_t *spec = get(doc, root, "spec"), *md_node = get(doc, root, "metadata");
    const char *type = str(get(doc, spec, "type")), *name = str(get(doc, md_node, "name"));
    size_t line = root->start_mark.line;
    if (!name) return fail(d, file, line, "Component: missing metadata.name");
    if (!hwd_name_ok(name))
        return fail(d, file, line, "Component: metadata.name: expected 1 to %d bytes and no control character", HWD_NAME_MAX);
    if (!type) return fail(d, file, spec ? spec->start_mark.line : line, "component %s: missing spec.type", name);
    struct component *dup = find(d, name);
    if (dup) return fail(d, file, line, "component %s is defined twice (also in %s)", name, dup->file);
    if (d->n == d->cap) {
        struct component *nc = realloc(d->comps, (d->cap = d->cap ? d->cap * 2 : 8) * sizeof *nc);
        if (!nc) return fail(d, file, 0, "out of memory");
        d->comps = nc;
    }
    struct component *c = &d->comps[d->n++];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    c->type = strdup(type);
    c->file = strdup(file);
    c->line = line;
    if (strcmp(type, "middleware.http.wasm")) { /* daprd's, unless a handler names it (an error then) */
        note(file, get(doc, spec, "type")->start_mark.line,
             "skipped: component %s has type %s (hwasmd runs middleware.http.wasm components, daprd the others)",
             name, type);
        return 0;
    }
    const char *api = str(get(doc, root, "apiVersion")), *version = str(get(doc, spec, "version"));
    if (api && strcmp(api, "dapr.io/v1alpha1"))
        warn(file, line, "component %s: apiVersion %s: read as dapr.io/v1alpha1", name, api);
    if (version && strcmp(version, "v1"))
        warn(file, get(doc, spec, "version")->start_mark.line, "component %s: spec.version %s: read as v1", name, version);
    warn_unknown(doc, root, top, "component", name, "", file);
    warn_unknown(doc, md_node, meta, "component", name, "metadata", file);
    warn_unknown(doc, spec, spec_keys, "component", name, "spec", file);
    static const struct {
        const char *key, *why;
    } ignored[] = {
        {"scopes", "hwasmd serves one app: the component applies to it"},
        {"auth", "hwasmd reads no secret store"},
        {"initTimeout", "a module is loaded (and compiled) before hwasmd listens, whatever it takes"},
        {"ignoreErrors", "a module that fails to load is an error: hwasmd does not start without it"},
    };
    for (size_t i = 0; i < sizeof ignored / sizeof *ignored; i++) {
        yaml_node_t *n = get(doc, i < 2 ? root : spec, ignored[i].key);
        if (n) warn(file, n->start_mark.line, "component %s: %s%s is not implemented: %s", name, i < 2 ? "" : "spec.",
                    ignored[i].key, ignored[i].why);
    }
    yaml_node_t *ns = get(doc, md_node, "namespace");
    if (ns) warn(file, ns->start_mark.line, "component %s: metadata.namespace is not implemented: hwasmd serves the one app it fronts", name);
    yaml_node_t *items = get(doc, spec, "metadata");
    if (items && items->type != YAML_SEQUENCE_NODE)
        return fail(d, file, items->start_mark.line, "component %s: spec.metadata: expected a list of {name, value}", name);
    for (yaml_node_item_t *it = items ? items->data.sequence.items.start : NULL; items && it < items->data.sequence.items.top; it++)
        if (metadata_item(d, doc, yaml_document_get_node(doc, *it), c)) return -1;
    if (!c->url) return fail(d, file, spec ? spec->start_mark.line : line, "component %s: missing url in spec.metadata", name);
    const char *u = c->url;
    char shown[600]; /* credentials in it are never printed */
    hwd_url_redact(u, shown, sizeof shown);
    if (!hwd_is_url(u) && strncmp(u, "file://", 7) && strchr(u, ':'))
        return fail(d, file, c->url_line, "component %s: url \"%s\": expected file://, http://, https:// or oci://", name, shown);
    size_t ul = strlen(u);
    if (ul > 3 && !strcmp(u + ul - 3, ".so"))
        return fail(d, file, c->url_line, "component %s: url \"%s\": a .so cannot be pinned or signed in Dapr files: use the .wasm", name, shown);
    return 0;
}

/* Calls each(d, doc, path, arg) for every document of a YAML file. */
static int each_doc(struct dapr *d, const char *path, int (*each)(struct dapr *, yaml_document_t *, const char *, void *),
                    void *arg) {
    struct hwd_yaml y;
    if (hwd_yaml_open(&y, path, d->msg, d->msg_cap)) return -1;
    int rc = 0;
    for (;;) {
        yaml_document_t doc;
        if ((rc = hwd_yaml_next(&y, &doc, d->msg, d->msg_cap))) break;
        int empty = !yaml_document_get_root_node(&doc);
        if (!empty) rc = each(d, &doc, path, arg);
        yaml_document_delete(&doc);
        if (empty || rc) break;
    }
    hwd_yaml_close(&y);
    return rc;
}

static int comp_doc(struct dapr *d, yaml_document_t *doc, const char *file, void *arg) {
    (void)arg;
    return component(d, doc, file);
}

/* The middleware of a component, made once however often the pipeline names it. */
static struct hwd_middleware *middleware_of(struct hwd_config *c, struct component *comp) {
    if (comp->m) return comp->m;
    struct hwd_middleware *m = &c->mws[c->n_mws++];
    hwd_middleware_defaults(m);
    m->name = strdup(comp->name);
    m->module = module_of(comp->url, comp->file);
    m->file = strdup(comp->file);
    m->line = (int)comp->url_line + 1;
    if (comp->guest_config) {
        m->guest_config = malloc(comp->guest_config_len + 1);
        if (m->guest_config) memcpy(m->guest_config, comp->guest_config, comp->guest_config_len + 1);
        m->guest_config_len = comp->guest_config_len;
    }
    m->strict_sandbox = comp->strict_sandbox;
    m->has_sha256 = comp->has_sha256;
    memcpy(m->sha256, comp->sha256, 32);
    return comp->m = m;
}

static size_t handlers_count(yaml_node_t *h) {
    return h && h->type == YAML_SEQUENCE_NODE ? (size_t)(h->data.sequence.items.top - h->data.sequence.items.start) : 0;
}

/* The Configuration's pipeline (the selected one), as the chain of the single route. */
static int pipeline_doc(struct dapr *d, yaml_document_t *doc, const char *file, void *arg) {
    static const char *const handler_keys[] = {"name", "type", "version", NULL};
    struct hwd_config *c = arg;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    const char *kind = str(get(doc, root, "kind"));
    if (!kind || strcmp(kind, "Configuration")) return 0;
    if (d->found_config++) return fail(d, file, root->start_mark.line, "a second Configuration: give one per file");
    const char *other = strcmp(d->pipeline, "httpPipeline") ? "httpPipeline" : "appHttpPipeline";
    yaml_node_t *spec = get(doc, root, "spec"), *pipe = get(doc, spec, d->pipeline);
    yaml_node_t *h = get(doc, pipe, "handlers"), *oh = get(doc, get(doc, spec, other), "handlers");
    const char *flag = strcmp(d->pipeline, "httpPipeline") ? "app" : "http";
    if (!h || !handlers_count(h)) {
        if (handlers_count(oh))
            return fail(d, file, oh->start_mark.line,
                        "spec.%s has %zu handlers but hwasmd applies spec.%s (--dapr-pipeline %s): "
                        "in front of the app it is the app pipeline; pass --dapr-pipeline %s to apply spec.%s",
                        other, handlers_count(oh), d->pipeline, flag, strcmp(flag, "app") ? "app" : "http", other);
        return fail(d, file, (h ? h : pipe ? pipe : spec ? spec : root)->start_mark.line,
                    "no handlers in spec.%s.handlers: hwasmd would run no middleware", d->pipeline);
    }
    if (h->type != YAML_SEQUENCE_NODE) return fail(d, file, h->start_mark.line, "spec.%s.handlers: expected a list", d->pipeline);
    if (handlers_count(oh))
        warn(file, oh->start_mark.line, "spec.%s (%zu handlers) is not applied: hwasmd applies spec.%s (--dapr-pipeline %s)",
             other, handlers_count(oh), d->pipeline, flag);
    struct hwd_route *r = &c->routes[0];
    for (yaml_node_item_t *it = h->data.sequence.items.start; it < h->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(doc, *it);
        const char *name = str(get(doc, e, "name")), *type = str(get(doc, e, "type"));
        size_t line = e->start_mark.line;
        if (!name || !type) return fail(d, file, line, "handler: expected name and type");
        if (get(doc, e, "selector"))
            return fail(d, file, get(doc, e, "selector")->start_mark.line,
                        "handler %s: selector is not supported (hwasmd applies a handler to every request)", name);
        warn_unknown(doc, e, handler_keys, "handler", name, "", file);
        if (strcmp(type, "middleware.http.wasm"))
            return fail(d, file, line, "handler %s: type %s is not supported (only middleware.http.wasm)", name, type);
        struct component *comp = find(d, name);
        if (!comp) return fail(d, file, line, "handler %s: no middleware.http.wasm component of that name", name);
        if (strcmp(comp->type, "middleware.http.wasm"))
            return fail(d, file, line, "handler %s: its component (%s:%zu) has type %s, not middleware.http.wasm", name,
                        comp->file, comp->line + 1, comp->type);
        if (r->n == HWD_MAX_CHAIN) return fail(d, file, line, "more than %d handlers", HWD_MAX_CHAIN);
        struct hwd_middleware *m = middleware_of(c, comp);
        if (!m->name || !m->module) return fail(d, file, line, "out of memory");
        r->chain[r->n++] = m;
    }
    return 0;
}

static int yaml_name(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return (n > 5 && !strcmp(e->d_name + n - 5, ".yaml")) || (n > 4 && !strcmp(e->d_name + n - 4, ".yml"));
}

int hwd_dapr_load(const char *dir, const char *config, const char *pipeline, const char *upstream,
                  struct hwd_config *c, char *msg, size_t cap) {
    struct dapr d = {.msg = msg, .msg_cap = cap, .pipeline = pipeline};
    hwd_config_defaults(c, config);
    c->listen = strdup("127.0.0.1:3500");
    struct dirent **names;
    int n = scandir(dir, &names, yaml_name, alphasort), rc = 0;
    if (n < 0) return snprintf(msg, cap, "hwasmd: %s: %s", dir, strerror(errno)), hwd_msg_oneline(msg, cap), -1;
    for (int i = 0; i < n; i++) {
        char *path;
        if (!rc && asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0) {
            rc = each_doc(&d, path, comp_doc, NULL);
            free(path);
        }
        free(names[i]);
    }
    free(names);
    struct hwd_upstream *u = upstream ? hwd_upstream_parse(upstream) : NULL;
    if (!rc && !u) {
        snprintf(msg, cap, "hwasmd: --upstream: expected http://HOST:PORT, unix:/PATH or builtin:echo");
        rc = -1;
    }
    if (u) c->upstreams[c->n_upstreams++] = u;
    if (!rc) {
        c->mws = calloc(HWD_MAX_CHAIN, sizeof *c->mws);
        c->routes = calloc(1, sizeof *c->routes);
        c->mws_alloc = HWD_MAX_CHAIN;
        c->n_routes = 1;
        if (!c->mws || !c->routes) rc = fail(&d, config, 0, "out of memory");
    }
    if (!rc) {
        c->routes[0].prefix = strdup("/");
        c->routes[0].prefix_len = 1;
        c->routes[0].up = u;
        rc = each_doc(&d, config, pipeline_doc, c);
        if (!rc && !d.found_config) rc = fail(&d, config, 0, "no kind: Configuration document in this file");
    }
    for (size_t i = 0; i < d.n; i++) {
        free(d.comps[i].name);
        free(d.comps[i].type);
        free(d.comps[i].url);
        free(d.comps[i].guest_config);
        free(d.comps[i].file);
    }
    free(d.comps);
    if (rc) hwd_msg_oneline(msg, cap);
    return rc;
}

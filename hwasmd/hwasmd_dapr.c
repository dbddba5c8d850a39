/*
 * hwasmd_dapr.c — runs an existing Dapr setup unchanged: reads the `Component` files of
 * type middleware.http.wasm in a folder (url: file://..., guestConfig) and the
 * `Configuration` file's spec.httpPipeline.handlers order, and builds the same
 * struct hwd_config a hwasmd YAML file gives: one route "/" with that chain.
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
#include "hwasmd_upstream.h"
#include "hwasmd_yaml.h"

struct component {
    char *name, *url, *guest_config, *file;
    size_t line;
};

struct dapr {
    struct component *comps;
    size_t n, cap;
    char *msg;
    size_t msg_cap;
};

static int fail(struct dapr *d, const char *file, size_t line, const char *fmt, ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(d->msg, d->msg_cap, "hwasmd: %s:%zu: %s", file, line + 1, what);
    return -1;
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

/* One document: a wasm middleware Component is kept; anything else is not our business. */
static int component(struct dapr *d, yaml_document_t *doc, const char *file) {
    yaml_node_t *root = yaml_document_get_root_node(doc);
    const char *kind = str(get(doc, root, "kind"));
    yaml_node_t *spec = get(doc, root, "spec");
    const char *type = str(get(doc, spec, "type"));
    if (!kind || strcmp(kind, "Component") || !type || strcmp(type, "middleware.http.wasm")) return 0;
    const char *name = str(get(doc, get(doc, root, "metadata"), "name"));
    if (!name) return fail(d, file, root->start_mark.line, "Component: missing metadata.name");
    const char *url = NULL, *gc = NULL;
    yaml_node_t *md = get(doc, spec, "metadata");
    if (md && md->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = md->data.sequence.items.start; it < md->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(doc, *it);
            const char *k = str(get(doc, e, "name")), *v = str(get(doc, e, "value"));
            if (!k) continue;
            if (!v) return fail(d, file, e->start_mark.line, "component %s: %s: expected a string value", name, k);
            if (!strcmp(k, "url") || !strcmp(k, "path")) url = v;
            else if (!strcmp(k, "guestConfig")) gc = v;
        }
    if (!url) return fail(d, file, spec->start_mark.line, "component %s: missing url", name);
    if (strncmp(url, "file://", 7) && strchr(url, ':'))
        return fail(d, file, spec->start_mark.line, "component %s: only file:// urls are supported, got \"%s\"", name, url);
    if (d->n == d->cap) {
        struct component *nc = realloc(d->comps, (d->cap = d->cap ? d->cap * 2 : 8) * sizeof *nc);
        if (!nc) return fail(d, file, 0, "out of memory");
        d->comps = nc;
    }
    struct component *c = &d->comps[d->n++];
    c->name = strdup(name);
    c->url = strdup(strncmp(url, "file://", 7) ? url : url + 7);
    c->guest_config = gc ? strdup(gc) : NULL;
    c->file = strdup(file);
    c->line = root->start_mark.line + 1;
    return 0;
}

/* Calls each(d, doc, path) for every document of a YAML file. */
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

/* The Configuration's pipeline, as the chain of the single route. */
static int pipeline_doc(struct dapr *d, yaml_document_t *doc, const char *file, void *arg) {
    struct hwd_config *c = arg;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    const char *kind = str(get(doc, root, "kind"));
    if (!kind || strcmp(kind, "Configuration")) return 0;
    yaml_node_t *h = get(doc, get(doc, get(doc, root, "spec"), "httpPipeline"), "handlers");
    if (!h) return 0;
    if (h->type != YAML_SEQUENCE_NODE) return fail(d, file, h->start_mark.line, "httpPipeline.handlers: expected a list");
    struct hwd_route *r = &c->routes[0];
    for (yaml_node_item_t *it = h->data.sequence.items.start; it < h->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(doc, *it);
        const char *name = str(get(doc, e, "name")), *type = str(get(doc, e, "type"));
        size_t line = e->start_mark.line;
        if (!name || !type) return fail(d, file, line, "handler: expected name and type");
        if (strcmp(type, "middleware.http.wasm"))
            return fail(d, file, line, "handler %s: type %s is not supported (only middleware.http.wasm)", name, type);
        size_t i = 0;
        while (i < d->n && strcmp(d->comps[i].name, name)) i++;
        if (i == d->n) return fail(d, file, line, "handler %s: no middleware.http.wasm component of that name", name);
        if (r->n == HWD_MAX_CHAIN) return fail(d, file, line, "more than %d handlers", HWD_MAX_CHAIN);
        struct hwd_middleware *m = &c->mws[c->n_mws++];
        struct component *comp = &d->comps[i];
        m->name = strdup(comp->name);
        m->module = strdup(comp->url);
        m->guest_config = comp->guest_config ? strdup(comp->guest_config) : NULL;
        m->line = (int)comp->line;
        hwd_middleware_defaults(m);
        r->chain[r->n++] = m;
    }
    return 0;
}

static int yaml_name(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return (n > 5 && !strcmp(e->d_name + n - 5, ".yaml")) || (n > 4 && !strcmp(e->d_name + n - 4, ".yml"));
}

int hwd_dapr_load(const char *dir, const char *config, const char *upstream, struct hwd_config *c,
                  char *msg, size_t cap) {
    struct dapr d = {.msg = msg, .msg_cap = cap};
    hwd_config_defaults(c, config);
    c->listen = strdup("127.0.0.1:3500");
    struct dirent **names;
    int n = scandir(dir, &names, yaml_name, alphasort), rc = 0;
    if (n < 0) return snprintf(msg, cap, "hwasmd: %s: %s", dir, strerror(errno)), -1;
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
    }
    for (size_t i = 0; i < d.n; i++) {
        free(d.comps[i].name);
        free(d.comps[i].url);
        free(d.comps[i].guest_config);
        free(d.comps[i].file);
    }
    free(d.comps);
    return rc;
}

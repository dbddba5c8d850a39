/*
 * hwasmd_oci.c — pulls a wasm module stored as an OCI artifact (Dapr's `url: oci://...`)
 * through the OCI distribution API: the manifest (OCI image manifest or Docker v2
 * schema 2), then its one wasm layer (media type application/vnd.wasm.content.layer.v1+wasm
 * as wasm-to-oci pushes it, or application/vnd.module.wasm.content.layer.v1+wasm as Dapr's
 * docs push it with oras). A manifest named by digest must have that digest, and the layer
 * must have the digest its manifest gives. Registries on loopback are spoken to over plain
 * http, others over https; a registry that asks for a bearer token gets an anonymous one.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sha256.h"
#include "hwasmd_oci.h"

#define MANIFEST_MAX (4u << 20)

static const char *const manifest_types[] = {"application/vnd.oci.image.manifest.v1+json",
                                             "application/vnd.docker.distribution.manifest.v2+json", NULL};
static const char *const layer_types[] = {"application/vnd.wasm.content.layer.v1+wasm",
                                          "application/vnd.module.wasm.content.layer.v1+wasm", NULL};

static int one_of(const char *s, const char *const *list) {
    for (; *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

/* --- just enough JSON: strings at known places, everything else skipped ------------------ */

struct js {
    const char *p, *e;
    int depth;
};

static void ws(struct js *j) {
    while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

/* A string at p (simple escapes kept as the escaped byte, \u as '?'); 0 or -1. */
static int jstr(struct js *j, char *out, size_t cap) {
    ws(j);
    if (j->p >= j->e || *j->p != '"') return -1;
    size_t o = 0;
    for (j->p++; j->p < j->e && *j->p != '"'; j->p++) {
        char c = *j->p;
        if (c == '\\') {
            if (++j->p >= j->e) return -1;
            c = *j->p == 'n' ? '\n' : *j->p == 't' ? '\t' : *j->p;
            if (*j->p == 'u') {
                if (j->e - j->p < 5) return -1;
                j->p += 4;
                c = '?';
            }
        }
        if (o + 1 < cap) out[o++] = c;
    }
    if (j->p >= j->e) return -1;
    j->p++;
    if (cap) out[o < cap ? o : cap - 1] = 0;
    return 0;
}

static int jskip(struct js *j) {
    ws(j);
    if (j->p >= j->e || ++j->depth > 64) return -1;
    int rc = 0;
    if (*j->p == '"') {
        char tmp[1];
        rc = jstr(j, tmp, 0);
    } else if (*j->p == '{' || *j->p == '[') {
        char close = *j->p == '{' ? '}' : ']';
        int obj = close == '}';
        j->p++;
        ws(j);
        if (j->p < j->e && *j->p == close) j->p++;
        else
            for (;;) {
                char tmp[1];
                if (obj && (jstr(j, tmp, 0) || (ws(j), j->p >= j->e || *j->p++ != ':'))) return -1;
                if (jskip(j)) return -1;
                ws(j);
                if (j->p < j->e && *j->p == ',') {
                    j->p++;
                    continue;
                }
                if (j->p < j->e && *j->p == close) {
                    j->p++;
                    break;
                }
                return -1;
            }
    } else {
        while (j->p < j->e && !strchr(",}] \t\r\n", *j->p)) j->p++;
    }
    j->depth--;
    return rc;
}

/* Calls each(j, key, arg) at every member of the object at p (each reads the value). */
static int jobject(struct js *j, int (*each)(struct js *, const char *, void *), void *arg) {
    ws(j);
    if (j->p >= j->e || *j->p != '{') return -1;
    j->p++;
    ws(j);
    if (j->p < j->e && *j->p == '}') return j->p++, 0;
    for (;;) {
        char key[64];
        if (jstr(j, key, sizeof key)) return -1;
        ws(j);
        if (j->p >= j->e || *j->p++ != ':') return -1;
        if (each(j, key, arg)) return -1;
        ws(j);
        if (j->p < j->e && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->e && *j->p == '}') return j->p++, 0;
        return -1;
    }
}

struct layer {
    char type[128], digest[80];
};
struct manifest {
    char type[128];
    struct layer wasm;
    int n_wasm, n_layers;
    char other[128]; /* a layer type that is not wasm, for the message */
};

static int layer_member(struct js *j, const char *key, void *arg) {
    struct layer *l = arg;
    if (!strcmp(key, "mediaType")) return jstr(j, l->type, sizeof l->type);
    if (!strcmp(key, "digest")) return jstr(j, l->digest, sizeof l->digest);
    return jskip(j);
}

static int manifest_member(struct js *j, const char *key, void *arg) {
    struct manifest *m = arg;
    if (!strcmp(key, "mediaType")) return jstr(j, m->type, sizeof m->type);
    if (strcmp(key, "layers")) return jskip(j);
    ws(j);
    if (j->p >= j->e || *j->p++ != '[') return -1;
    ws(j);
    if (j->p < j->e && *j->p == ']') return j->p++, 0;
    for (;;) {
        struct layer l = {0};
        if (jobject(j, layer_member, &l)) return -1;
        m->n_layers++;
        if (one_of(l.type, layer_types)) m->wasm = l, m->n_wasm++;
        else snprintf(m->other, sizeof m->other, "%s", l.type);
        ws(j);
        if (j->p < j->e && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->e && *j->p == ']') return j->p++, 0;
        return -1;
    }
}

static int token_member(struct js *j, const char *key, void *arg) {
    if (!strcmp(key, "token") || !strcmp(key, "access_token")) return jstr(j, arg, 4096);
    return jskip(j);
}

/* --- the registry ----------------------------------------------------------------------- */

/* The value of NAME="..." in a WWW-Authenticate challenge. */
static int param(const char *ch, const char *name, char *out, size_t cap) {
    size_t n = strlen(name);
    for (const char *p = ch; (p = strstr(p, name)); p++)
        if ((p == ch || p[-1] == ' ' || p[-1] == ',') && p[n] == '=' && p[n + 1] == '"') {
            const char *v = p + n + 2, *end = strchr(v, '"');
            if (!end) return -1;
            snprintf(out, cap, "%.*s", (int)(end - v), v);
            return 0;
        }
    return -1;
}

/* An anonymous bearer token for the challenge's realm, service and scope; 0 or -1. */
static int anonymous_token(const char *challenge, char *token, char *why, size_t cap) {
    char realm[512], service[256] = "", scope[512] = "", url[1400];
    if (strncasecmp(challenge, "Bearer ", 7) || param(challenge, "realm", realm, sizeof realm))
        return snprintf(why, cap, "the registry needs credentials (%.200s), which hwasmd does not send", challenge), -1;
    param(challenge, "service", service, sizeof service);
    param(challenge, "scope", scope, sizeof scope);
    snprintf(url, sizeof url, "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", service, scope);
    struct hwd_blob b;
    if (hwd_http_get(url, NULL, 1u << 20, &b, why, cap)) return -1;
    struct js j = {(const char *)b.p, (const char *)b.p + b.len, 0};
    token[0] = 0;
    int rc = b.status == 200 && b.p && !jobject(&j, token_member, token) && token[0] ? 0 : -1;
    free(b.p);
    char shown[300];
    if (rc) snprintf(why, cap, "the registry's token service (%s) gave no anonymous token",
                     hwd_url_redact(realm, shown, sizeof shown));
    return rc;
}

/* GET base + path with the Accept line; retried once with an anonymous token on 401. */
static int registry_get(const char *url, const char *accept, uint64_t max, char *token, struct hwd_blob *b,
                        char *why, size_t cap) {
    for (int attempt = 0;; attempt++) {
        char auth[4200];
        const char *h[3] = {accept, NULL, NULL};
        if (token[0]) snprintf(auth, sizeof auth, "Authorization: Bearer %s", token), h[accept ? 1 : 0] = auth;
        if (hwd_http_get(url, h, max, b, why, cap)) return -1;
        if (b->status == 401 && !attempt && !token[0]) {
            char ch[sizeof b->challenge];
            memcpy(ch, b->challenge, sizeof ch);
            free(b->p);
            if (anonymous_token(ch, token, why, cap)) return -1;
            continue;
        }
        if (b->status == 200) return 0;
        char shown[400];
        snprintf(why, cap, "%s: the registry answered %ld", hwd_url_redact(url, shown, sizeof shown), b->status);
        free(b->p);
        b->p = NULL;
        return -1;
    }
}

static int digest_is(const uint8_t *p, size_t n, const char *digest) {
    uint8_t d[32];
    char h[72] = "sha256:";
    sha256(p ? p : (const uint8_t *)"", n, d);
    sha256_hex(d, h + 7);
    return !strcmp(h, digest);
}

static int loopback(const char *host) {
    return !strncmp(host, "localhost", 9) || !strncmp(host, "127.", 4) || !strncmp(host, "[::1]", 5);
}

/* Puts "SHOWN: " (the reference as messages print it) before the message in why. */
static int blame(const char *shown, char *why, size_t cap) {
    char *copy = strdup(why);
    snprintf(why, cap, "%s: %s", shown, copy ? copy : "");
    free(copy);
    return -1;
}

int hwd_oci_pull(const char *ref, struct hwd_blob *out, char *why, size_t cap) {
    memset(out, 0, sizeof *out);
    char full[1200], shown[400];
    snprintf(full, sizeof full, "oci://%s", ref);
    hwd_url_redact(full, shown, sizeof shown); /* a registry's credentials in it are never printed */
    const char *slash = strchr(ref, '/');
    if (!slash || slash == ref) return snprintf(why, cap, "%s: expected oci://REGISTRY/REPOSITORY:TAG or @sha256:DIGEST", shown), -1;
    char host[256], repo[512], reference[160];
    snprintf(host, sizeof host, "%.*s", (int)(slash - ref), ref);
    const char *rest = slash + 1, *at = strchr(rest, '@'), *last = strrchr(rest, '/');
    const char *colon = strrchr(last ? last : rest, ':');
    if (at) {
        snprintf(repo, sizeof repo, "%.*s", (int)(at - rest), rest);
        snprintf(reference, sizeof reference, "%s", at + 1);
        if (strncmp(reference, "sha256:", 7) || strlen(reference) != 71 || strspn(reference + 7, "0123456789abcdef") != 64)
            return snprintf(why, cap, "%s: a digest is sha256: and 64 lowercase hex digits", shown), -1;
    } else if (colon) {
        snprintf(repo, sizeof repo, "%.*s", (int)(colon - rest), rest);
        snprintf(reference, sizeof reference, "%s", colon + 1);
    } else {
        snprintf(repo, sizeof repo, "%s", rest);
        snprintf(reference, sizeof reference, "latest");
    }
    if (!repo[0] || !reference[0] || strspn(repo, "abcdefghijklmnopqrstuvwxyz0123456789._-/") != strlen(repo))
        return snprintf(why, cap, "%s: not a repository name (lowercase letters, digits, . _ - /)", shown), -1;
    char base[800], url[1400], token[4096] = "";
    snprintf(base, sizeof base, "%s://%s/v2/%s", loopback(host) ? "http" : "https", host, repo);
    snprintf(url, sizeof url, "%s/manifests/%s", base, reference);
    struct hwd_blob m;
    uint64_t mmax = hwd_fetch_max_bytes() < MANIFEST_MAX ? hwd_fetch_max_bytes() : MANIFEST_MAX;
    if (registry_get(url,
                     "Accept: application/vnd.oci.image.manifest.v1+json, "
                     "application/vnd.docker.distribution.manifest.v2+json",
                     mmax, token, &m, why, cap))
        return blame(shown, why, cap);
    if (at && !digest_is(m.p, m.len, reference)) {
        free(m.p);
        return snprintf(why, cap, "%s: the manifest does not have the digest asked for", shown), -1;
    }
    struct manifest man = {0};
    struct js j = {(const char *)m.p, (const char *)m.p + m.len, 0};
    int bad = !m.p || jobject(&j, manifest_member, &man);
    char ctype[128];
    snprintf(ctype, sizeof ctype, "%.*s", (int)strcspn(m.ctype, "; "), m.ctype);
    free(m.p);
    if (bad) return snprintf(why, cap, "%s: the manifest is not valid JSON", shown), -1;
    const char *type = man.type[0] ? man.type : ctype;
    if (!one_of(type, manifest_types))
        return snprintf(why, cap, "%s: manifest type \"%.100s\" is not an image manifest (%s or %s)", shown,
                        type, manifest_types[0], manifest_types[1]), -1;
    if (man.n_wasm != 1)
        return snprintf(why, cap, "%s: expected one wasm layer (%s or %s), found %d of %d layers%s%.100s", shown,
                        layer_types[0], layer_types[1], man.n_wasm, man.n_layers, man.other[0] ? ", another is " : "",
                        man.other), -1;
    snprintf(url, sizeof url, "%s/blobs/%s", base, man.wasm.digest);
    if (registry_get(url, NULL, hwd_fetch_max_bytes(), token, out, why, cap)) return blame(shown, why, cap);
    if (!digest_is(out->p, out->len, man.wasm.digest)) {
        free(out->p);
        out->p = NULL;
        return snprintf(why, cap, "%s: the layer does not have its manifest's digest %.80s", shown,
                        man.wasm.digest), -1;
    }
    return 0;
}

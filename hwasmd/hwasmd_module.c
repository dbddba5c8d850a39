/*
 * hwasmd_module.c — turns each configured module into a loaded middleware: a .so is loaded
 * as is; a .wasm is compiled by hwasmc (a child process, so a compiler crash cannot take the
 * sidecar down) into a cache folder, keyed by the wasm's sha256 and hwasmc's version.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sha256.h"
#include "hwasmd.h"

extern char **environ;

static int read_file(const char *path, uint8_t **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!nb) break;
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    int bad = ferror(f) || (n == cap && !feof(f));
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Runs argv, waits; 0 iff it exited with 0. stdout goes to out (or is inherited). */
static int run(char *const argv[], char *out, size_t cap) {
    int fds[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out && pipe(fds) == 0) {
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
    }
    /* the server blocks its stop signals and ignores SIGPIPE: the child gets neither */
    posix_spawnattr_t at;
    sigset_t none, pipe_sig;
    sigemptyset(&none);
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    posix_spawnattr_init(&at);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &pipe_sig);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (fds[1] >= 0) close(fds[1]);
    if (rc == 0 && fds[0] >= 0) {
        size_t n = 0;
        ssize_t r;
        while (n + 1 < cap && (r = read(fds[0], out + n, cap - 1 - n)) > 0) n += (size_t)r;
        out[n] = 0;
    }
    if (fds[0] >= 0) close(fds[0]);
    if (rc != 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static char *default_cache(void) {
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    char *d = NULL;
    if (x && *x) return asprintf(&d, "%s/hwasmd", x) < 0 ? NULL : d;
    if (h && *h) return asprintf(&d, "%s/.cache/hwasmd", h) < 0 ? NULL : d;
    return asprintf(&d, "/tmp/hwasmd-cache-%u", (unsigned)getuid()) < 0 ? NULL : d;
}

static int mkdirs(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(buf, 0755) && errno != EEXIST) return -1;
            *s = '/';
        }
    return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* The cached .so for a .wasm, compiling it first when the cache lacks it. */
static int compile(const char *wasm, const char *hwasmc, const char *version, const char *dir,
                   char *so, size_t so_cap, char *why, size_t why_cap) {
    uint8_t *bytes, *keyed;
    size_t n, vl = strlen(version);
    if (read_file(wasm, &bytes, &n)) return snprintf(why, why_cap, "%s: %s", wasm, strerror(errno)), -1;
    if (!(keyed = realloc(bytes, n + vl + 1))) return free(bytes), snprintf(why, why_cap, "out of memory"), -1;
    memcpy(keyed + n, version, vl + 1);
    uint8_t d[32];
    sha256(keyed, n + vl, d);
    free(keyed);
    char hex[65];
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", d[i]);
    snprintf(so, so_cap, "%s/%s.so", dir, hex);
    if (access(so, R_OK) == 0) return 0;
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", so, (int)getpid());
    char *argv[] = {(char *)hwasmc, (char *)wasm, "-o", tmp, NULL};
    if (run(argv, NULL, 0)) {
        unlink(tmp);
        return snprintf(why, why_cap, "%s: hwasmc (%s) failed", wasm, hwasmc), -1;
    }
    if (rename(tmp, so)) return snprintf(why, why_cap, "%.300s: %s", so, strerror(errno)), -1;
    return 0;
}

static void guest_log(void *ctx, int32_t level, const char *msg, size_t len) {
    const struct hwd_middleware *m = ctx;
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const char *lv = level >= -1 && level <= 2 ? names[level + 1] : "?";
    fprintf(stderr, "hwasmd: [%s] %s: %.*s\n", m->name, lv, (int)len, msg);
}

int hwd_modules_load(struct hwd_config *c, const char *hwasmc, char *msg, size_t cap) {
    char version[256] = "", *dir = c->cache_dir ? strdup(c->cache_dir) : default_cache();
    int rc = 0, need_compiler = 0;
    for (uint32_t i = 0; i < c->n_mws; i++)
        need_compiler |= strcmp(c->mws[i].module + strlen(c->mws[i].module) - 3, ".so") != 0;
    if (need_compiler) {
        char *argv[] = {(char *)hwasmc, "--version", NULL};
        if (!dir || mkdirs(dir)) {
            snprintf(msg, cap, "hwasmd: %s: cache folder %s: %s", c->path, dir ? dir : "?", strerror(errno));
            free(dir);
            return -1;
        }
        if (run(argv, version, sizeof version)) {
            snprintf(msg, cap, "hwasmd: %s: cannot run hwasmc (%s); give its path with --hwasmc",
                     c->path, hwasmc);
            free(dir);
            return -1;
        }
    }
    for (uint32_t i = 0; i < c->n_mws && rc == 0; i++) {
        struct hwd_middleware *m = &c->mws[i];
        char so[4200], why[512];
        const char *path = m->module;
        if (strcmp(m->module + strlen(m->module) - 3, ".so")) {
            if (compile(m->module, hwasmc, version, dir, so, sizeof so, why, sizeof why)) {
                snprintf(msg, cap, "hwasmd: %s:%d: middleware %s: %s", c->path, m->line, m->name, why);
                rc = -1;
                break;
            }
            path = so;
        }
        hw_http_config hc = {
            .guest_config = (const uint8_t *)m->guest_config,
            .guest_config_len = m->guest_config ? strlen(m->guest_config) : 0,
            .log = guest_log,
            .log_ctx = m,
            .pool_size = m->pool_size,
            .pool_no_wait = 1, /* a worker's loop parks the request instead (hwasmd_chain.c) */
            .max_memory_pages = m->memory_pages,
            .max_table_elements = m->table_elements,
            .keep_bytes = m->keep_bytes,
            .max_header_bytes = m->header_write_bytes,
            .deadline_ms = m->budget_ms,
            .policy = m->policy,
        };
        hw_error err;
        if (hw_http_middleware_new(path, &hc, &m->mw, &err) != HW_OK) {
            snprintf(msg, cap, "hwasmd: %s:%d: middleware %s: %s", c->path, m->line, m->name, err.message);
            m->mw = NULL;
            rc = -1;
        }
    }
    free(dir);
    return rc;
}

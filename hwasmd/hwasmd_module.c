/*
 * hwasmd_module.c — turns each configured module into a loaded middleware, and decides which
 * files may become code (docs/hwasmd.md, "Which files become code"): a .so only when the
 * config pins its sha256 or a trusted key signed it; a .wasm is compiled by hwasmc (a child
 * process, so a compiler crash cannot take the sidecar down; what it says on stderr goes
 * into hwasmd's one-line message, never beside it) into a private cache folder, keyed by the
 * wasm's sha256 and hwasmc's version, and a cached .so is loaded only when its bytes still
 * have the sha256 recorded when hwasmd compiled it (one that does, but that libhwasm refuses
 * as a file, is a miss: compiled again). Every file is read once through one descriptor;
 * libhwasm maps exactly the bytes that were checked.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io_util.h"
#include "sha256.h"
#include "hwasmd.h"
#include "hwasmd_buf.h"
#include "hwasmd_fetch.h"

extern char **environ;

/* All of fd's bytes (from its current offset) into a malloc'd buffer, at most max of them
 * (a file that grew since open_regular checked its size); 0 or -1 (errno: EFBIG past max). */
static int read_fd(int fd, uint64_t max, uint8_t **out, size_t *len) {
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (n > max) return free(buf), errno = EFBIG, -1;
            uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!nb) return free(buf), errno = ENOMEM, -1;
            buf = nb;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return free(buf), -1;
        if (got == 0) break;
        n += (size_t)got;
    }
    if (n > max) return free(buf), errno = EFBIG, -1;
    *out = buf;
    *len = n;
    return 0;
}

/* Reads fd until its end: the first cap - 1 bytes into out (NUL-ended), the rest read and
 * dropped, so a child that says more than we keep is never blocked or killed by SIGPIPE. */
static void read_all_kept(int fd, char *out, size_t cap) {
    size_t n = 0;
    char sink[4096];
    for (;;) {
        char *at = n + 1 < cap ? out + n : sink;
        size_t room = n + 1 < cap ? cap - 1 - n : sizeof sink;
        ssize_t r = read(fd, at, room);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (at != sink) n += (size_t)r;
    }
    out[n] = 0;
}

/* Runs argv (argv[0] a path, never searched), waits: 0 when it exited with 0, the signal
 * that killed it, else -1. What it writes on its descriptor out_fd (1 or 2) goes to out
 * (out NULL: out_fd is inherited); env NULL: hwasmd's own. */
static int run(char *const argv[], char *const env[], int out_fd, char *out, size_t cap) {
    int fds[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out && cap && pipe2(fds, O_CLOEXEC) == 0) posix_spawn_file_actions_adddup2(&fa, fds[1], out_fd);
    else if (out && cap) out[0] = 0;
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
    int rc = posix_spawn(&pid, argv[0], &fa, &at, argv, env ? env : environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (fds[1] >= 0) close(fds[1]);
    if (fds[0] >= 0) {
        if (rc == 0) read_all_kept(fds[0], out, cap);
        else out[0] = 0;
        close(fds[0]);
    }
    if (rc != 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFSIGNALED(st)) return WTERMSIG(st);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* What hwasmc said about the module, for hwasmd's own one-line message: its first
 * "hwasmc: error: " line (else its first line that is not empty), without that prefix and
 * without the name of the private copy it compiled (meaningless to the operator, who is
 * told the module's name instead). "" when it said nothing. */
static void hwasmc_said(const char *text, const char *copy_path, char *out, size_t cap) {
    static const char tag[] = "hwasmc: error: ";
    const char *said = NULL;
    for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
        if (!strncmp(l, tag, sizeof tag - 1)) {
            said = l + sizeof tag - 1;
            break;
        }
        if (!said && *l != '\n') said = l;
    }
    if (!said) said = "";
    size_t copy_len = strlen(copy_path);
    if (!strncmp(said, copy_path, copy_len) && !strncmp(said + copy_len, ": ", 2)) said += copy_len + 2;
    snprintf(out, cap, "%.*s", (int)strcspn(said, "\n"), said);
}

/* What hwasmc may spend on one module (--compile-limit): the .wasm's author is not trusted,
 * and LLVM's memory and time grow with what they wrote. */
static unsigned long compile_memory_mb = 4096, compile_cpu_s = 600;

int hwd_compile_limit_set(const char *kv) {
    const char *eq = strchr(kv, '=');
    char *end;
    if (!eq) return -1;
    unsigned long n = strtoul(eq + 1, &end, 10);
    if (*end || eq[1] == 0 || n == 0 || n > 1000000) return -1;
    if (!strncmp(kv, "memory_mb=", 10) && n >= 64) compile_memory_mb = n;
    else if (!strncmp(kv, "cpu_s=", 6)) compile_cpu_s = n;
    else return -1;
    return 0;
}

static char *default_cache(void) {
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    char *d = NULL;
    if (x && *x) return asprintf(&d, "%s/hwasmd", x) < 0 ? NULL : d;
    if (h && *h) return asprintf(&d, "%s/.cache/hwasmd", h) < 0 ? NULL : d;
    return asprintf(&d, "/tmp/hwasmd-cache-%u", (unsigned)getuid()) < 0 ? NULL : d;
}

/* A directory is safe to trust when only this user (or root) can change what is in it. */
static const char *unsafe_dir(const struct stat *st, char *why, size_t cap) {
    if (st->st_uid != geteuid() && st->st_uid != 0)
        return snprintf(why, cap, "owned by uid %u, not by hwasmd's uid %u", (unsigned)st->st_uid,
                        (unsigned)geteuid()), why;
    if (st->st_mode & 022)
        return snprintf(why, cap, "writable by group or others (mode %04o)", (unsigned)(st->st_mode & 07777)), why;
    return NULL;
}

/* Creates the cache folder (and missing parents) 0700, opens it without following a
 * symbolic link and refuses it unless hwasmd's user owns it and nobody else may write
 * there: whoever can write in it chooses the code hwasmd runs. Returns its fd or -1. */
static int cache_open(const char *dir, char *why, size_t cap) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return snprintf(why, cap, "path too long"), -1;
    for (char *s = buf + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(buf, 0700) && errno != EEXIST) return snprintf(why, cap, "%.300s: %s", buf, strerror(errno)), -1;
            *s = '/';
        }
    if (mkdir(buf, 0700) && errno != EEXIST) return snprintf(why, cap, "%s", strerror(errno)), -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return snprintf(why, cap, "%s", errno == ELOOP || errno == ENOTDIR ? "is a symbolic link or not a folder" : strerror(errno)), -1;
    struct stat st;
    if (fstat(fd, &st)) return snprintf(why, cap, "%s", strerror(errno)), close(fd), -1;
    if (st.st_uid != geteuid()) {
        snprintf(why, cap, "owned by uid %u, not by hwasmd's uid %u: refused, another user could plant code there",
                 (unsigned)st.st_uid, (unsigned)geteuid());
        return close(fd), -1;
    }
    if (st.st_mode & 022) {
        snprintf(why, cap, "writable by group or others (mode %04o): refused, make it private (chmod 700)",
                 (unsigned)(st.st_mode & 07777));
        return close(fd), -1;
    }
    return fd;
}

/* The process id in a temporary cache file's name (KEY.PID.wasm, KEY.so.PID.tmp,
 * KEY.sha256.PID.tmp, NAME.PID.tmp of a fetch), or 0 when the name is not one. */
static long temp_owner(const char *name) {
    const char *end = strrchr(name, '.');
    if (!end || (strcmp(end, ".wasm") && strcmp(end, ".tmp"))) return 0;
    const char *dot = end;
    while (dot > name && dot[-1] >= '0' && dot[-1] <= '9') dot--;
    if (dot == end || dot == name || dot[-1] != '.' || end - dot > 10) return 0;
    return strtol(dot, NULL, 10);
}

/* Removes the temporary files of compiles and fetches whose hwasmd is gone (killed while
 * hwasmc ran: a --check stopped with ^C, an OOM kill), which would otherwise stay in the
 * cache for good. A live process's files, another hwasmd's compiling now, are left. */
static void cache_sweep(int dirfd) {
    int fd = dup(dirfd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0) close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(dir));) {
        long pid = temp_owner(e->d_name);
        if (pid > 0 && kill((pid_t)pid, 0) && errno == ESRCH) unlinkat(dirfd, e->d_name, 0);
    }
    closedir(dir);
}

/* The sha256 recorded in <key>.sha256 when hwasmd compiled <key>.so; 0 or -1. */
static int cache_record(int dirfd, const char *key, uint8_t d[32]) {
    char name[128], text[80] = "";
    snprintf(name, sizeof name, "%s.sha256", key);
    int fd = open_regular(dirfd, name, O_NOFOLLOW, sizeof text, NULL, NULL, text, sizeof text);
    if (fd < 0) return -1;
    memset(text, 0, sizeof text);
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n < 64 || strspn(text, "0123456789abcdef") != 64) return -1;
    text[64] = 0; /* a line: its end may follow */
    return sha256_hex_parse(text, d);
}

/* Opens <key>.so (never through a symbolic link) when its bytes have the recorded sha256;
 * its fd, or -1 when the entry is missing, a link, not a regular file, larger than libhwasm
 * loads, changed or has no record. */
static int cache_lookup(int dirfd, const char *key, uint8_t d[32]) {
    char name[128], why[160];
    snprintf(name, sizeof name, "%s.so", key);
    int fd = open_regular(dirfd, name, O_NOFOLLOW, HW_MODULE_MAX_BYTES, " (HW_MODULE_MAX_BYTES)", NULL, why, sizeof why);
    if (fd < 0) {
        if (errno == ELOOP)
            fprintf(stderr, "hwasmd: cache entry %s is a symbolic link: not followed, recompiling\n", name);
        else if (errno != ENOENT)
            fprintf(stderr, "hwasmd: cache entry %s: %s: not loaded, recompiling\n", name, why);
        return -1;
    }
    uint8_t *b, got[32];
    size_t n;
    if (read_fd(fd, HW_MODULE_MAX_BYTES, &b, &n)) return close(fd), -1;
    sha256(b, n, got);
    free(b);
    if (cache_record(dirfd, key, d)) {
        fprintf(stderr, "hwasmd: cache entry %s has no sha256 record (an older hwasmd's?): not loaded, recompiling\n", name);
        return close(fd), -1;
    }
    if (memcmp(got, d, 32)) {
        fprintf(stderr, "hwasmd: cache entry %s does not have the sha256 recorded when it was compiled: "
                        "not loaded, recompiling\n", name);
        return close(fd), -1;
    }
    return fd;
}

/* Only absolute PATH entries that nobody but their owner (this user or root) can write:
 * hwasmc looks for its linker there, and the first ld.lld found would write our modules. */
static char *safe_path(void) {
    const char *p = getenv("PATH");
    char *copy = strdup(p ? p : "/usr/bin:/bin"), *out = calloc(1, strlen(copy) + 6), *save = NULL;
    if (!copy || !out) return free(copy), free(out), NULL;
    strcpy(out, "PATH=");
    for (char *e = strtok_r(copy, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
        struct stat st;
        char why[128];
        if (e[0] != '/' || stat(e, &st) || unsafe_dir(&st, why, sizeof why)) continue;
        if (out[5]) strcat(out, ":");
        strcat(out, e);
    }
    free(copy);
    return out;
}

/* hwasmd's environment with PATH made safe (safe_path); NULL-ended, malloc'd, *path_var
 * owns the new PATH entry. */
static char **compiler_env(char **path_var) {
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 2, sizeof *env);
    if (!env || !(*path_var = safe_path())) return free(env), NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "PATH=", 5)) env[k++] = environ[i];
    env[k++] = *path_var;
    env[k] = NULL;
    return env;
}

/* hwasmc as a path: as given when it holds a '/', else found in a safe PATH entry (one
 * that another user cannot write), so no one but the operator chooses the compiler. */
static char *resolve_hwasmc(const char *hwasmc) {
    if (strchr(hwasmc, '/')) return strdup(hwasmc);
    char *env = safe_path(), *save = NULL, *found = NULL;
    if (!env) return NULL;
    for (char *e = strtok_r(env + 5, ":", &save); e && !found; e = strtok_r(NULL, ":", &save)) {
        char *c;
        if (asprintf(&c, "%s/%s", e, hwasmc) < 0) break;
        if (access(c, X_OK) == 0) found = c;
        else free(c);
    }
    free(env);
    return found;
}

struct compiler {
    const char *path; /* hwasmc, resolved */
    char version[256];
    char **env;
    int dirfd;
    const char *dir;
};

/* Writes name (a temporary in the cache) with bytes, never through a link; 0 or -1. */
static int write_new(int dirfd, const char *name, const void *bytes, size_t n) {
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    if (write_all(fd, bytes, n)) return close(fd), unlinkat(dirfd, name, 0), -1;
    return close(fd);
}

/* Why hwasmc, ended as run() says (rc: a signal or -1) after saying said about the module
 * (hwasmc_said), did not compile wasm: one line for hwasmd's message. Always -1. */
static int compile_failure(const struct compiler *cc, const char *wasm, int rc, const char *said, char *why,
                           size_t cap) {
    char also[1100] = "";
    if (said[0]) snprintf(also, sizeof also, " (it said: %s)", said);
    if (rc == SIGXCPU || rc == SIGKILL)
        snprintf(why, cap, "%s: hwasmc (%s) used up its %lu s of CPU (--compile-limit cpu_s=N)%s", wasm, cc->path,
                 compile_cpu_s, also);
    else if (rc > 0)
        snprintf(why, cap, "%s: hwasmc (%s) was killed by signal %d (%s; its memory is capped at %lu MiB: "
                 "--compile-limit memory_mb=N)%s", wasm, cc->path, rc, strsignal(rc), compile_memory_mb, also);
    else if (said[0])
        snprintf(why, cap, "%s: hwasmc: %s", wasm, said);
    else
        snprintf(why, cap, "%s: hwasmc (%s) failed, saying nothing", wasm, cc->path);
    return -1;
}

/* The cache key of wasm bytes: the sha256 of the bytes followed by hwasmc's --version, in
 * hex (65 bytes with its NUL); 0, or -1 and why. */
static int cache_key(const struct compiler *cc, const uint8_t *bytes, size_t n, char key[65], char *why,
                     size_t why_cap) {
    size_t vl = strlen(cc->version);
    uint8_t *keyed = malloc(n + vl + 1), d[32];
    if (!keyed) return snprintf(why, why_cap, "out of memory"), -1;
    memcpy(keyed, bytes, n);
    memcpy(keyed + n, cc->version, vl);
    sha256(keyed, n + vl, d);
    free(keyed);
    sha256_hex(d, key);
    return 0;
}

/* Compiles exactly these wasm bytes (hwasmc reads a private copy: the file named in the
 * config may change meanwhile) into the cache as KEY.so with its KEY.sha256 record, each
 * renamed over what was there (a reader sees the old entry or the new one, never a part):
 * an fd of the new .so and the sha256 of its bytes, or -1 and why. */
static int compile_into_cache(const struct compiler *cc, const char *wasm, const char *key, const uint8_t *bytes,
                              size_t n, uint8_t so_digest[32], char *why, size_t why_cap) {
    char in[128], tmp[128], rec[128], so[128], path_in[4400], path_tmp[4400];
    snprintf(in, sizeof in, "%s.%d.wasm", key, (int)getpid());
    snprintf(tmp, sizeof tmp, "%s.so.%d.tmp", key, (int)getpid());
    snprintf(rec, sizeof rec, "%s.sha256.%d.tmp", key, (int)getpid());
    snprintf(so, sizeof so, "%s.so", key);
    snprintf(path_in, sizeof path_in, "%s/%s", cc->dir, in);
    snprintf(path_tmp, sizeof path_tmp, "%s/%s", cc->dir, tmp);
    unlinkat(cc->dirfd, in, 0);
    if (write_new(cc->dirfd, in, bytes, n))
        return snprintf(why, why_cap, "%.200s: %s", path_in, strerror(errno)), -1;
    char mem[48], cpu[48];
    snprintf(mem, sizeof mem, "--max-memory=%lu", compile_memory_mb);
    snprintf(cpu, sizeof cpu, "--max-cpu=%lu", compile_cpu_s);
    /* the import modules libhwasm's http host provides: a module for another host
     * (proxy-wasm's "env") is refused before a compile that could take a minute */
    char *argv[] = {(char *)cc->path, path_in, "-o", path_tmp, mem, cpu,
                    "--import-modules=" HTTP_HANDLER_MODULE ",wasi_snapshot_preview1", NULL};
    char err_text[4096], said[1024];
    int rc = run(argv, cc->env, 2, err_text, sizeof err_text);
    unlinkat(cc->dirfd, in, 0);
    if (rc) {
        unlinkat(cc->dirfd, tmp, 0);
        hwasmc_said(err_text, path_in, said, sizeof said);
        return compile_failure(cc, wasm, rc, said, why, why_cap);
    }
    uint8_t *b;
    size_t bn;
    char digest_hex[66];
    char kind[160];
    int fd = open_regular(cc->dirfd, tmp, O_NOFOLLOW, HW_MODULE_MAX_BYTES, " (HW_MODULE_MAX_BYTES)", NULL, kind,
                          sizeof kind);
    if (fd >= 0 && read_fd(fd, HW_MODULE_MAX_BYTES, &b, &bn)) snprintf(kind, sizeof kind, "%s", strerror(errno));
    else if (fd >= 0) kind[0] = 0;
    if (kind[0]) {
        snprintf(why, why_cap, "%.200s: %s", path_tmp, kind);
        if (fd >= 0) close(fd);
        unlinkat(cc->dirfd, tmp, 0);
        return -1;
    }
    sha256(b, bn, so_digest);
    free(b);
    sha256_hex(so_digest, digest_hex);
    digest_hex[64] = '\n';
    unlinkat(cc->dirfd, rec, 0);
    /* the .so goes in first: a record without its .so never exists, a .so whose record is
     * missing or stale is recompiled */
    char rec_final[128];
    snprintf(rec_final, sizeof rec_final, "%s.sha256", key);
    if (write_new(cc->dirfd, rec, digest_hex, 65) || renameat(cc->dirfd, tmp, cc->dirfd, so) ||
        renameat(cc->dirfd, rec, cc->dirfd, rec_final)) {
        snprintf(why, why_cap, "%.300s: cannot store the compiled module: %s", cc->dir, strerror(errno));
        close(fd);
        unlinkat(cc->dirfd, tmp, 0);
        unlinkat(cc->dirfd, rec, 0);
        return -1;
    }
    return fd;
}

/* The cached .so for the wasm bytes under key (compiled first when the cache lacks a good
 * entry): an fd of it and the sha256 of its bytes, *cached saying whether it was found in
 * the cache; or -1 and why. */
static int compile(const struct compiler *cc, const char *wasm, const char *key, const uint8_t *bytes, size_t n,
                   uint8_t so_digest[32], int *cached, char *why, size_t why_cap) {
    int fd = cache_lookup(cc->dirfd, key, so_digest);
    *cached = fd >= 0;
    return fd >= 0 ? fd : compile_into_cache(cc, wasm, key, bytes, n, so_digest, why, why_cap);
}

/* A guest's log line on stderr: time (UTC, ms), level and middleware, then the text as
 * the guest wrote it, one line (control bytes, DEL and bytes that are not well-formed
 * UTF-8 shown as \xNN by hwd_log_text, so a guest cannot forge a line of its own). */
static void guest_log(void *ctx, int32_t level, const char *msg, size_t len) {
    const struct hwd_middleware *m = ctx;
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const char *lv = level >= -1 && level <= 2 ? names[level + 1] : "?";
    struct timespec now;
    struct tm tm;
    char when[40];
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    flockfile(stderr);
    fprintf(stderr, "hwasmd: %s.%03ldZ [%s] %s: ", when, now.tv_nsec / 1000000, m->name, lv);
    hwd_log_text(stderr, msg, len);
    fputc('\n', stderr);
    funlockfile(stderr);
}

static int ends_so(const char *p) {
    size_t l = strlen(p);
    return l > 3 && !strcmp(p + l - 3, ".so");
}

/* A file named in the config (shown: its name in messages), read once; with a pin, its
 * bytes must have that sha256. Its fd, bytes (malloc'd) and sha256, or -1 and why. Only a
 * regular file within the download bound is read (open_regular): a FIFO blocked the load
 * for ever, /dev/zero or a sparse file was read until the kernel killed hwasmd. */
static int read_module(const struct hwd_middleware *m, const char *path, const char *shown, uint8_t **b, size_t *n,
                       uint8_t d[32], char *why, size_t cap) {
    char kind[160];
    uint64_t max = hwd_fetch_max_bytes();
    int fd = open_regular(AT_FDCWD, path, 0, max, " (--fetch-limit bytes=N)", NULL, kind, sizeof kind);
    if (fd >= 0 && read_fd(fd, max, b, n)) {
        snprintf(kind, sizeof kind, "%s", strerror(errno));
        fd = (close(fd), -1);
    }
    if (fd < 0) return snprintf(why, cap, "%s: %s", shown, kind), -1;
    sha256(*b, *n, d);
    if (m->has_sha256 && memcmp(d, m->sha256, 32)) {
        char have[65], want[65];
        sha256_hex(d, have);
        sha256_hex(m->sha256, want);
        snprintf(why, cap, "%s: refused: its sha256 is %s, the config pins %s", shown, have, want);
        free(*b);
        *b = NULL;
        return close(fd), -1;
    }
    return fd;
}

/* A .so named in the config becomes code only when the config pins its sha256 or a key in
 * trusted_keys signed it (MODULE.sig): the config's author says so, nobody else. */
static int trust_so(const struct hwd_config *c, const struct hwd_middleware *m, const uint8_t d[32], char *why,
                    size_t cap) {
    if (m->has_sha256) return 0; /* checked by read_module */
    char sig[4200], sig_why[600];
    snprintf(sig, sizeof sig, "%s%s", m->module, HWD_SIG_SUFFIX);
    int r = hwd_sig_verify(d, sig, c->trusted_keys, c->n_trusted_keys, sig_why, sizeof sig_why);
    if (r == -1)
        snprintf(why, cap,
                 "%.300s: refused: a .so runs as native code inside hwasmd, so the config must pin it "
                 "(sha256: the output of sha256sum) or a key in trusted_keys must sign it (%.300s)",
                 m->module, sig);
    else if (r)
        snprintf(why, cap, "%.300s: refused: %.600s", m->module, sig_why);
    return r ? -1 : 0;
}

int hwd_compiler_version(const char *hwasmc, char *path, size_t path_cap, char *line, size_t line_cap) {
    char *resolved = resolve_hwasmc(hwasmc), *path_var = NULL;
    char **env = compiler_env(&path_var);
    char *argv[] = {resolved, "--version", NULL};
    int rc = resolved && env ? run(argv, env, 1, line, line_cap) : -1;
    if (!rc) {
        line[strcspn(line, "\n")] = 0;
        snprintf(path, path_cap, "%s", resolved);
    }
    free(resolved);
    free(env);
    free(path_var);
    return rc;
}

/* m's middleware, made from the module file fd whose bytes were checked to have file_d
 * (and, a compiled .wasm, to record wasm_d): libhwasm reads the very file checked here and
 * maps it only if its bytes still have those digests. HW_OK, or the status with err (its
 * message without libhwasm's name for fd). */
static int middleware_new(struct hwd_middleware *m, int fd, const uint8_t file_d[32], const uint8_t *wasm_d,
                          hw_error *err) {
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    hw_http_config hc = {
        .guest_config = (const uint8_t *)m->guest_config,
        .guest_config_len = m->guest_config_len,
        /* all three are honoured: trailers reach the app and the client as trailers
         * (hwasmd_trailers.c) */
        .features = HTTP_FEATURE_BUFFER_REQUEST | HTTP_FEATURE_BUFFER_RESPONSE | HTTP_FEATURE_TRAILERS,
        .strict_sandbox = (uint32_t)m->strict_sandbox,
        .log = guest_log,
        .log_ctx = m,
        .pool_size = m->pool_size,
        .pool_no_wait = 1, /* a worker's loop parks the request instead (hwasmd_chain.c) */
        .max_memory_pages = m->memory_pages,
        .max_table_elements = m->table_elements,
        .keep_bytes = m->keep_bytes,
        .pool_memory_mb = m->pool_memory_mb,
        .pool_idle_ms = m->pool_idle_ms,
        .pool_min = m->pool_min,
        .max_header_bytes = m->header_write_bytes,
        .deadline_ms = m->budget_ms,
        .policy = m->policy,
        .require_file_sha256 = file_d,
        .require_wasm_sha256 = wasm_d,
    };
    int st = hw_http_middleware_new(self, &hc, &m->mw, err);
    if (st == HW_OK) return st;
    m->mw = NULL;
    size_t sl = strlen(self);
    if (!strncmp(err->message, self, sl) && !strncmp(err->message + sl, ": ", 2))
        memmove(err->message, err->message + sl + 2, strlen(err->message + sl + 2) + 1);
    return st;
}

/* Whether libhwasm refused a module for the file itself: it cannot be read or mapped, is not
 * an ELF shared object as hwasmc writes them, or records another wasm digest, ABI or
 * machine. A cached .so refused so is a miss (the cache's fault: a truncated write, a
 * broken disk, an older hwasmc's output), as wasmtime's cache takes an entry it cannot
 * deserialize; a trap or a cap the guest breaks is the module's own error. */
static int file_refused(int status) {
    return status == HW_EIO || status == HW_EABI || status == HW_EREFUSED;
}

/* Loads m: reads (or, a url, fetches) its module, compiles a .wasm through the cache, makes
 * the middleware. 0, or -1 and the one-line FILE:LINE message in msg. */
static int middleware_load(const struct hwd_config *c, const struct compiler *cc, struct hwd_middleware *m,
                           char *msg, size_t cap) {
    uint8_t *bytes = NULL, file_d[32], wasm_d[32];
    size_t n = 0;
    char why[1200], key[65], shown[600]; /* a url's credentials are never printed */
    const char *where = m->file ? m->file : c->path;
    hwd_url_redact(m->module, shown, sizeof shown);
    /* a url (Dapr mode) is fetched into the cache first; what it gives is wasm, never a .so */
    char *fetched = NULL;
    int url = hwd_is_url(m->module), is_so = !url && ends_so(m->module), fd = -1, cached = 0, st = HW_OK;
    if (!url || !hwd_fetch(m->module, cc->dirfd, cc->dir, m->has_sha256 ? m->sha256 : NULL, &fetched, why, sizeof why))
        fd = read_module(m, fetched ? fetched : m->module, shown, &bytes, &n, file_d, why, sizeof why);
    free(fetched);
    if (fd >= 0 && is_so && trust_so(c, m, file_d, why, sizeof why)) fd = (close(fd), -1);
    if (fd >= 0 && !is_so) {
        close(fd);
        memcpy(wasm_d, file_d, 32);
        fd = cache_key(cc, bytes, n, key, why, sizeof why) ? -1
             : compile(cc, shown, key, bytes, n, file_d, &cached, why, sizeof why);
    }
    hw_error err;
    if (fd >= 0) st = middleware_new(m, fd, file_d, is_so ? NULL : wasm_d, &err);
    if (st != HW_OK && cached && file_refused(st)) {
        char note[800];
        snprintf(note, sizeof note, "hwasmd: cache entry %s.so: %s: not loaded, recompiling", key, err.message);
        hwd_msg_oneline(note, sizeof note);
        fprintf(stderr, "%s\n", note);
        close(fd);
        fd = compile_into_cache(cc, shown, key, bytes, n, file_d, why, sizeof why);
        st = fd >= 0 ? middleware_new(m, fd, file_d, wasm_d, &err) : HW_OK;
    }
    free(bytes);
    if (fd < 0) return snprintf(msg, cap, "hwasmd: %s:%d: middleware %s: %s", where, m->line, m->name, why), -1;
    close(fd);
    if (st == HW_OK) return 0;
    /* a start that fails on its config says which config it was given */
    snprintf(msg, cap, "hwasmd: %s:%d: middleware %s: %s: %s (guest config: %zu bytes)", where, m->line, m->name,
             shown, err.message, m->guest_config_len);
    return -1;
}

int hwd_modules_load(struct hwd_config *c, const char *hwasmc, char *msg, size_t cap) {
    struct compiler cc = {.dirfd = -1};
    char *dir = c->cache_dir ? strdup(c->cache_dir) : default_cache(), *path_var = NULL, *resolved = NULL;
    char why[1200];
    int rc = 0, need_compiler = 0;
    for (uint32_t i = 0; i < c->n_mws; i++) need_compiler |= !ends_so(c->mws[i].module) || hwd_is_url(c->mws[i].module);
    if (need_compiler) {
        if (!dir || (cc.dirfd = cache_open(dir, why, sizeof why)) < 0) {
            snprintf(msg, cap, "hwasmd: %s: cache folder %s: %s", c->path, dir ? dir : "?", dir ? why : "out of memory");
            rc = -1;
            goto out;
        }
        cache_sweep(cc.dirfd);
        cc.dir = dir;
        cc.path = resolved = resolve_hwasmc(hwasmc);
        cc.env = compiler_env(&path_var);
        char *argv[] = {resolved, "--version", NULL};
        if (!resolved || !cc.env || run(argv, cc.env, 1, cc.version, sizeof cc.version)) {
            snprintf(msg, cap, "hwasmd: %s: cannot run hwasmc (%s); give its path with --hwasmc", c->path, hwasmc);
            rc = -1;
            goto out;
        }
    }
    for (uint32_t i = 0; i < c->n_mws && rc == 0; i++) rc = middleware_load(c, &cc, &c->mws[i], msg, cap);
out:
    if (cc.dirfd >= 0) close(cc.dirfd);
    free(cc.env);
    free(path_var);
    free(resolved);
    free(dir);
    if (rc) hwd_msg_oneline(msg, cap);
    return rc;
}

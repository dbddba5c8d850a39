/*
 * wasi_preview1.c — the wasi_snapshot_preview1 subset real http-wasm guests import:
 * fd_write (fd 1/2 to the log, line-buffered per instance), args_* (empty), environ_*
 * (configured pairs), clock_time_get, random_get, proc_exit (a trap "exit N"),
 * sched_yield, and under the strict sandbox poll_oneoff's clock waits (no-op sleeps).
 * Every other preview1 name binds to a stub returning ENOSYS. The strict sandbox
 * (hw_http_config.strict_sandbox) replaces every source of time and entropy with a fake
 * one, so a guest cannot time the host or other requests (Dapr's strictSandbox). The
 * process and thread CPU-time clocks are never offered (EINVAL, as wazero answers).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "http_common.h"

#define HI ((struct http_inst *)env)

enum { WASI_ESUCCESS = 0, WASI_EBADF = 8, WASI_EINVAL = 28, WASI_EIO = 29, WASI_ENOSYS = 52 };

static void put_u32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
} /* x86-64: little endian */
static uint32_t get_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void console_line(struct http_inst *hi, struct console *c, int32_t level) {
    http_log(hi, level, c->line, c->line_len);
    c->line_len = 0;
}

static void console_put(struct http_inst *hi, struct console *c, int32_t level, const uint8_t *p,
                        uint32_t n) {
    hi->console_used = 1;
    /* past this call's log budget the bytes are not looked at, only counted as dropped:
     * 127 iovecs over a 16 MiB memory are 2 GiB, and one host call copying them byte by
     * byte ran 2-3 s past a 50 ms time budget (a host call is not interrupted) */
    int spent = hi->log_used >= HTTP_LOG_BUDGET || hi->log_lines == HTTP_LOG_LINES;
    uint32_t scanned = n;
    if (spent || !http_log_enabled(hi->mw, level)) {
        hi->log_dropped += spent && n;
        scanned = 0;
    }
    for (uint32_t i = 0; i < scanned; i++) {
        if (p[i] == '\n') {
            console_line(hi, c, level);
            continue;
        }
        if (c->line_len == sizeof c->line) console_line(hi, c, level);
        c->line[c->line_len++] = (char)p[i];
    }
    /* Keep the last bytes of both streams together for error messages. */
    struct console *t = &hi->err;
    if (n >= sizeof t->tail) {
        memcpy(t->tail, p + n - sizeof t->tail, sizeof t->tail);
        t->tail_len = sizeof t->tail;
    } else {
        if (t->tail_len + n > sizeof t->tail) {
            uint32_t drop = t->tail_len + n - (uint32_t)sizeof t->tail;
            memmove(t->tail, t->tail + drop, t->tail_len - drop);
            t->tail_len -= drop;
        }
        memcpy(t->tail + t->tail_len, p, n);
        t->tail_len += n;
    }
}

void console_flush(struct http_inst *hi) {
    if (hi->out.line_len) console_line(hi, &hi->out, HTTP_LOG_INFO);
    if (hi->err.line_len) console_line(hi, &hi->err, HTTP_LOG_WARN);
    http_log_call_end(hi);
}

void console_tail(struct http_inst *hi, char *out, size_t cap) {
    size_t k = 0;
    for (uint32_t i = 0; i < hi->err.tail_len && k + 1 < cap; i++) {
        char ch = hi->err.tail[i];
        out[k++] = ch == '\n' || ch == '\r' ? ' ' : ch;
    }
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = 0;
}

static int32_t fd_write(void *env, hwasm_vmctx *vm, int32_t fd, int32_t iovs, int32_t iovs_len,
                        int32_t nwritten) {
    const char *fn = "wasi_snapshot_preview1.fd_write";
    uint8_t *nw = guest_bytes(HI, vm, (uint32_t)nwritten, 4, fn);
    const uint8_t *iov = guest_bytes(HI, vm, (uint32_t)iovs, 0, fn);
    if ((uint64_t)(uint32_t)iovs_len * 8 > vm->memory->size - (uint32_t)iovs)
        http_trap(HI, vm, fn, "iovec array out of bounds");
    if (fd != 1 && fd != 2) return WASI_EBADF;
    uint64_t total = 0;
    for (uint32_t i = 0; i < (uint32_t)iovs_len; i++) /* check everything, then act */
        guest_bytes(HI, vm, get_u32(iov + 8 * i), get_u32(iov + 8 * i + 4), fn),
            total += get_u32(iov + 8 * i + 4);
    if (total > INT32_MAX) return WASI_EINVAL;
    for (uint32_t i = 0; i < (uint32_t)iovs_len; i++) {
        uint32_t len = get_u32(iov + 8 * i + 4);
        const uint8_t *p = vm->memory->base + get_u32(iov + 8 * i);
        if (fd == 1)
            console_put(HI, &HI->out, HTTP_LOG_INFO, p, len);
        else
            console_put(HI, &HI->err, HTTP_LOG_WARN, p, len);
    }
    put_u32(nw, (uint32_t)total);
    return WASI_ESUCCESS;
}

static int32_t args_get(void *env, hwasm_vmctx *vm, int32_t argv, int32_t argv_buf) {
    (void)env, (void)vm, (void)argv, (void)argv_buf;
    return WASI_ESUCCESS; /* no arguments: nothing to write */
}

static int32_t args_sizes_get(void *env, hwasm_vmctx *vm, int32_t argc, int32_t buf_size) {
    const char *fn = "wasi_snapshot_preview1.args_sizes_get";
    uint8_t *a = guest_bytes(HI, vm, (uint32_t)argc, 4, fn);
    uint8_t *b = guest_bytes(HI, vm, (uint32_t)buf_size, 4, fn);
    put_u32(a, 0);
    put_u32(b, 0);
    return WASI_ESUCCESS;
}

static int32_t environ_sizes_get(void *env, hwasm_vmctx *vm, int32_t count, int32_t buf_size) {
    const char *fn = "wasi_snapshot_preview1.environ_sizes_get";
    uint8_t *a = guest_bytes(HI, vm, (uint32_t)count, 4, fn);
    uint8_t *b = guest_bytes(HI, vm, (uint32_t)buf_size, 4, fn);
    put_u32(a, HI->mw->num_environ);
    put_u32(b, (uint32_t)HI->mw->environ_bytes);
    return WASI_ESUCCESS;
}

static int32_t environ_get(void *env, hwasm_vmctx *vm, int32_t environ, int32_t environ_buf) {
    const char *fn = "wasi_snapshot_preview1.environ_get";
    const struct http_mw *mw = HI->mw;
    uint8_t *ptrs = guest_bytes(HI, vm, (uint32_t)environ, 4 * mw->num_environ, fn);
    uint8_t *buf = guest_bytes(HI, vm, (uint32_t)environ_buf, (uint32_t)mw->environ_bytes, fn);
    uint32_t off = 0;
    for (uint32_t i = 0; i < mw->num_environ; i++) {
        size_t n = strlen(mw->environ[i]) + 1;
        put_u32(ptrs + 4 * i, (uint32_t)environ_buf + off);
        memcpy(buf + off, mw->environ[i], n);
        off += (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

/* The strict sandbox's wall clock: 2022-01-01T00:00:00Z, as wazero's (and so Dapr's). */
#define STRICT_WALL_NS (1640995200ull * 1000000000ull)
/* ... and its monotonic clock: each read advances it by 1 ms. */
#define STRICT_TICK_NS 1000000ull

/* Realtime (0) and monotonic (1) only. The process- and thread-CPU-time clocks (2, 3)
 * answer EINVAL in every mode, as wazero's (the runtime Dapr's hosts use) do: the host's
 * CPU time, to the nanosecond, counts the whole process's or worker's work, other
 * requests' and guests' included, a timer a guest could read that work from. */
static int32_t clock_time_get(void *env, hwasm_vmctx *vm, int32_t id, int64_t precision,
                              int32_t time) {
    (void)precision;
    uint8_t *out = guest_bytes(HI, vm, (uint32_t)time, 8, "wasi_snapshot_preview1.clock_time_get");
    if (id != 0 && id != 1) return WASI_EINVAL;
    uint64_t ns;
    if (HI->mw->cfg.strict_sandbox) {
        ns = id == 0 ? STRICT_WALL_NS : (HI->fake_ns += STRICT_TICK_NS);
    } else {
        struct timespec ts;
        if (clock_gettime(id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts) != 0) return WASI_EINVAL;
        ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    }
    memcpy(out, &ns, 8);
    return WASI_ESUCCESS;
}

/* splitmix64: the strict sandbox's random bytes, the same sequence for every instance. */
static uint64_t fake_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int32_t random_get(void *env, hwasm_vmctx *vm, int32_t buf, int32_t buf_len) {
    uint8_t *p =
        guest_bytes(HI, vm, (uint32_t)buf, (uint32_t)buf_len, "wasi_snapshot_preview1.random_get");
    size_t done = 0, n = (uint32_t)buf_len;
    if (HI->mw->cfg.strict_sandbox) {
        if (!HI->fake_rand) HI->fake_rand = 42; /* the seed; 0 means "not started" */
        for (; done < n; done += 8) {
            uint64_t r = fake_random(&HI->fake_rand);
            memcpy(p + done, &r, n - done < 8 ? n - done : 8);
        }
        return WASI_ESUCCESS;
    }
    while (done < n) {
        ssize_t k = getrandom(p + done, n - done, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return WASI_EIO;
        done += (size_t)k;
    }
    return WASI_ESUCCESS;
}

static void proc_exit(void *env, hwasm_vmctx *vm, int32_t code) {
    HI->exited = 1;
    HI->exit_code = code;
    snprintf(HI->trap_msg, sizeof HI->trap_msg, "exit %d", code);
    hw_trap_raise(vm, HWASM_TRAP_HOST, HI->trap_msg);
}

/* Under the strict sandbox a clock subscription (a sleep) is over at once: no guest may
 * measure or spend host time by sleeping. Otherwise, as before, not implemented (a sleep
 * would hold the worker's loop). Subscriptions are 48 bytes, events 32 (preview1 ABI). */
static int32_t poll_oneoff(void *env, hwasm_vmctx *vm, int32_t in, int32_t out, int32_t nsubs,
                           int32_t nevents) {
    const char *fn = "wasi_snapshot_preview1.poll_oneoff";
    if (!HI->mw->cfg.strict_sandbox) return WASI_ENOSYS;
    if ((uint32_t)nsubs > 4096) return WASI_EINVAL;
    const uint8_t *sub = guest_bytes(HI, vm, (uint32_t)in, (uint32_t)nsubs * 48, fn);
    uint8_t *ev = guest_bytes(HI, vm, (uint32_t)out, (uint32_t)nsubs * 32, fn);
    uint8_t *count = guest_bytes(HI, vm, (uint32_t)nevents, 4, fn);
    if (nsubs == 0) return WASI_EINVAL;
    for (uint32_t i = 0; i < (uint32_t)nsubs; i++) {
        const uint8_t *s = sub + 48 * i;
        uint8_t *e = ev + 32 * i;
        memset(e, 0, 32);
        memcpy(e, s, 8);                   /* userdata */
        uint16_t err = s[8] == 0 ? 0 : 8;  /* clock: done; fd_read/fd_write: EBADF */
        memcpy(e + 8, &err, 2);
        e[10] = s[8];                      /* type */
    }
    put_u32(count, (uint32_t)nsubs);
    return WASI_ESUCCESS;
}

static int32_t sched_yield_fn(void *env, hwasm_vmctx *vm) {
    (void)env, (void)vm;
    return WASI_ESUCCESS;
}

/* wasi-libc scans preopens until EBADF; ENOSYS there would make its start-up fail. */
static int32_t fd_prestat_get(void *env, hwasm_vmctx *vm, int32_t fd, int32_t buf) {
    (void)env, (void)vm, (void)fd, (void)buf;
    return WASI_EBADF;
}

int32_t wasi_enosys(void *env, hwasm_vmctx *caller) {
    (void)env, (void)caller;
    return WASI_ENOSYS;
}

static const struct host_fn wasi_fns[] = {
    {"fd_write", "iiii", "i", (void *)fd_write},
    {"args_get", "ii", "i", (void *)args_get},
    {"args_sizes_get", "ii", "i", (void *)args_sizes_get},
    {"environ_get", "ii", "i", (void *)environ_get},
    {"environ_sizes_get", "ii", "i", (void *)environ_sizes_get},
    {"clock_time_get", "iIi", "i", (void *)clock_time_get},
    {"random_get", "ii", "i", (void *)random_get},
    {"proc_exit", "i", "", (void *)proc_exit},
    {"sched_yield", "", "i", (void *)sched_yield_fn},
    {"poll_oneoff", "iiii", "i", (void *)poll_oneoff},
    {"fd_prestat_get", "ii", "i", (void *)fd_prestat_get},
};

/* The rest of preview1: resolvable, answering ENOSYS. */
static const char *const wasi_unimplemented[] = {
    "clock_res_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "proc_raise",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
};

static int is(const char *name, size_t len, const char *lit) {
    return strlen(lit) == len && !memcmp(name, lit, len);
}

const struct host_fn *wasi_lookup(const char *name, size_t len, int *enosys) {
    static const struct host_fn stub = {"enosys", "", "i", (void *)wasi_enosys};
    *enosys = 0;
    for (size_t i = 0; i < sizeof wasi_fns / sizeof wasi_fns[0]; i++)
        if (is(name, len, wasi_fns[i].name)) return &wasi_fns[i];
    for (size_t i = 0; i < sizeof wasi_unimplemented / sizeof wasi_unimplemented[0]; i++)
        if (is(name, len, wasi_unimplemented[i])) {
            *enosys = 1;
            return &stub;
        }
    return NULL;
}

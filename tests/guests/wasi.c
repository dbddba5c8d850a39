/* wasi.c — calls every WASI function the host implements: prints the request (line,
 * headers, blank, body) to stdout like examples/wasi.wat, a line to stderr, and answers
 * with a summary of the other calls' results; "/exit" ends in proc_exit(3). */
#include <hwasm/http_guest.h>

#define WASI(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
WASI(fd_write) i32 fd_write(i32 fd, const void *iovs, i32 iovs_len, u32 *nwritten);
WASI(args_sizes_get) i32 args_sizes_get(u32 *argc, u32 *buf_size);
WASI(args_get) i32 args_get(char **argv, char *buf);
WASI(environ_sizes_get) i32 environ_sizes_get(u32 *count, u32 *buf_size);
WASI(environ_get) i32 environ_get(char **environ, char *buf);
WASI(clock_time_get) i32 clock_time_get(i32 id, i64 precision, u64 *time);
WASI(random_get) i32 random_get(void *buf, i32 len);
WASI(sched_yield) i32 sched_yield(void);
WASI(proc_exit) void proc_exit(i32 code);
WASI(fd_close) i32 fd_close(i32 fd); /* not implemented: ENOSYS */

struct iov {
    const void *p;
    u32 n;
};

static char buf[8192];
static char out[1024];
static i32 out_len;

static void print(i32 fd, const char *p, i32 n) {
    struct iov v[2] = {{p, (u32)n}, {"\n", 1}};
    u32 w;
    if (fd_write(fd, v, 2, &w) != 0 || w != (u32)n + 1) __builtin_trap();
}

static void say(const char *s) {
    while (*s)
        out[out_len++] = *s++;
}
static void say_u32(u32 v) {
    out_len += fmt_u32(out + out_len, v);
}

static void print_headers(i32 kind) {
    static char names[4096], line[2048];
    i64 cl = get_header_names(kind, names, sizeof names);
    if (HTTP_LO(cl) > sizeof names) __builtin_trap();
    char *name = names;
    for (u32 i = 0; i < HTTP_HI(cl); i++) {
        i32 nl = str_len(name);
        i64 vl = get_header_values(kind, name, nl, buf, sizeof buf);
        char *v = buf;
        for (u32 j = 0; j < HTTP_HI(vl); j++) {
            i32 k = 0, vlen = str_len(v);
            memcpy(line, name, (size_t)nl), k += nl;
            line[k++] = ':', line[k++] = ' ';
            memcpy(line + k, v, (size_t)vlen), k += vlen;
            print(1, line, k);
            v += vlen + 1;
        }
        name += nl + 1;
    }
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    static char line[2048];
    i32 k = get_method(line, 16);
    line[k++] = ' ';
    i32 u = get_uri(line + k, 1024);
    if (bytes_eq(line + k, u, "/exit")) proc_exit(3);
    k += u;
    line[k++] = ' ';
    k += get_protocol_version(line + k, 16);
    print(1, line, k);
    print_headers(HTTP_HEADER_REQUEST);
    print(1, "", 0);
    i64 el = read_body(HTTP_BODY_REQUEST, buf, sizeof buf);
    print(1, buf, (i32)HTTP_LO(el));
    print(2, "to stderr", 9);

    u32 argc = 9, argv_size = 9, envc = 0, env_size = 0;
    say("args=");
    say_u32((u32)args_sizes_get(&argc, &argv_size));
    say_u32(argc), say_u32(argv_size);
    say_u32((u32)args_get((char **)buf, buf + 64));
    say(" env=");
    say_u32((u32)environ_sizes_get(&envc, &env_size));
    say_u32(envc);
    static char *envp[16];
    if (envc <= 16 && env_size <= 1024 && environ_get(envp, buf) == 0)
        for (u32 i = 0; i < envc; i++)
            say(" "), say(envp[i]);
    u64 t0 = 0, t1 = 0, t2 = 0;
    say(" clock=");
    say_u32((u32)clock_time_get(0, 1, &t0));
    say_u32((u32)clock_time_get(1, 1, &t1));
    say_u32((u32)clock_time_get(1, 1, &t2));
    say(t0 > 1600000000ull * 1000000000ull && t2 >= t1 && t1 ? "ok" : "bad");
    say_u32((u32)clock_time_get(9, 1, &t0));
    say_u32((u32)clock_time_get(2, 1, &t0)); /* process and thread CPU time: EINVAL */
    say_u32((u32)clock_time_get(3, 1, &t0));
    unsigned char r[32] = {0};
    say(" random=");
    say_u32((u32)random_get(r, sizeof r));
    u32 nonzero = 0;
    for (u32 i = 0; i < sizeof r; i++)
        nonzero |= r[i];
    say(nonzero ? "ok" : "zero");
    say(" yield=");
    say_u32((u32)sched_yield());
    say(" enosys=");
    say_u32((u32)fd_close(3));
    u32 w;
    struct iov v = {"x", 1};
    say(" badf=");
    say_u32((u32)fd_write(7, &v, 1, &w));
    write_body(HTTP_BODY_RESPONSE, out, out_len);
    out_len = 0;
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}

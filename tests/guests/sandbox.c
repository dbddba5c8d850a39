/* sandbox.c — what a guest can learn of time and entropy through WASI, for Dapr's
 * strictSandbox: answers "wall=NS mono=NS,NS sleep=RC rand=HEX" with the realtime clock,
 * two monotonic reads, poll_oneoff's result for a 1 s sleep and 8 random bytes. */
#include <hwasm/http_guest.h>

#define WASI(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
WASI(clock_time_get) i32 clock_time_get(i32 id, i64 precision, u64 *time);
WASI(random_get) i32 random_get(void *buf, i32 len);
WASI(poll_oneoff) i32 poll_oneoff(const void *in, void *out, i32 nsubs, u32 *nevents);

static char out[256];
static i32 n;

static void say(const char *s) {
    while (*s)
        out[n++] = *s++;
}

static void say_u64(u64 v) {
    char d[24];
    i32 k = 0;
    do d[k++] = (char)('0' + v % 10);
    while (v /= 10);
    while (k)
        out[n++] = d[--k];
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    u64 wall = 0, m1 = 0, m2 = 0;
    n = 0;
    clock_time_get(0, 1, &wall);
    clock_time_get(1, 1, &m1);
    clock_time_get(1, 1, &m2);
    say("wall="), say_u64(wall);
    say(" mono="), say_u64(m1), say(","), say_u64(m2);
    /* one clock subscription: relative, 1 s */
    static u64 sub[6], ev[4];
    sub[0] = 7;  /* userdata */
    sub[1] = 0;  /* tag: clock */
    sub[2] = 1;  /* clock id: monotonic */
    sub[3] = 1000000000ull;
    sub[4] = 0;
    sub[5] = 0;
    u32 nev = 0;
    say(" sleep="), say_u64((u64)(u32)poll_oneoff(sub, ev, 1, &nev));
    unsigned char r[8];
    say(" rand=");
    if (random_get(r, 8) == 0)
        for (i32 i = 0; i < 8; i++) {
            out[n++] = "0123456789abcdef"[r[i] >> 4];
            out[n++] = "0123456789abcdef"[r[i] & 15];
        }
    write_body(HTTP_BODY_RESPONSE, out, n);
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}

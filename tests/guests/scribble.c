/* scribble.c — proves no request sees another's memory (test_http_limits' fresh_memory):
 * each request first counts the words of its linear memory that hold MAGIC (body: the
 * count; a fresh or reset instance has none, MAGIC is only ever in code), then writes MAGIC
 * at the start, middle and end of every 4 KiB page of its memory (data, stack, heap).
 * Path /trap then traps, so the instance is freed and the next one is created; /grow first
 * grows the memory by 8 pages (a memory that grew is not wiped in place but rewound, see
 * runtime/core/rt_spare.c), then scribbles and traps; /peek reads a word past the end of
 * its memory, where a grown page of an earlier instance was: that must trap. */
#include <hwasm/http_guest.h>

#define MAGIC 0x5c3a9b17u

static char uri[64];
static char digits[12];
#ifdef SCRIBBLE_BALLAST
static volatile char ballast[SCRIBBLE_BALLAST]; /* kept by the write in handle_request */
#endif

static u32 count_magic(void) {
    u32 n = 0, end = (u32)__builtin_wasm_memory_size(0) * 65536u;
    for (u32 a = 0; a < end; a += 4)
        n += *(volatile u32 *)(size_t)a == MAGIC;
    return n;
}

static void scribble(void) {
    u32 end = (u32)__builtin_wasm_memory_size(0) * 65536u;
    for (u32 a = 0; a < end; a += 4096) {
        *(volatile u32 *)(size_t)a = MAGIC;
        *(volatile u32 *)(size_t)(a + 2048) = MAGIC;
        *(volatile u32 *)(size_t)(a + 4092) = MAGIC;
    }
}

/* Reads the word 2 KiB past the end of memory (it must trap) and answers it. */
__attribute__((noinline)) static i64 peek(void) {
    u32 past = (u32)__builtin_wasm_memory_size(0) * 65536u + 2048u;
    write_body(HTTP_BODY_RESPONSE, digits, fmt_u32(digits, *(volatile u32 *)(size_t)past));
    return 0;
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
#ifdef SCRIBBLE_BALLAST
    ballast[0] = 0;
#endif
    i32 n = get_uri(uri, sizeof uri);
    i32 len = n < (i32)sizeof uri ? n : (i32)sizeof uri;
    int grow = bytes_eq(uri, len, "/grow");
    int trap = grow || bytes_eq(uri, len, "/trap");
    if (bytes_eq(uri, len, "/peek")) return peek();
    write_body(HTTP_BODY_RESPONSE, digits, fmt_u32(digits, count_magic()));
    if (grow && __builtin_wasm_memory_grow(0, 8) < 0) return 0;
    scribble();
    if (trap) __builtin_trap();
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}

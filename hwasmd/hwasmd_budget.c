/*
 * hwasmd_budget.c — the memory the app's answers may hold. Answers gathered whole (a guest
 * buffers the response, or a short one) stay in memory until written, each up to
 * upstream_body_bytes: every worker counts them here, one atomic total against
 * limits.buffered_bytes, and the answer whose bytes would pass it gets 503 (waiting could
 * deadlock answers that each hold part of the total). Streamed answers are bounded per
 * connection instead (limits.stream_buffer_bytes). Once a load has passed, the memory
 * glibc keeps in its arenas goes back to the system (hwd_memory_tick).
 */
#include <malloc.h>
#include <stdint.h>

#include "hwasmd_budget.h"

static size_t total, peak; /* atomic; peak: the highest total since the last trim */

int hwd_budget_take(struct hwd_budget *b, size_t n) {
    size_t now = __atomic_add_fetch(&total, n, __ATOMIC_RELAXED);
    if (now > b->cap) {
        __atomic_sub_fetch(&total, n, __ATOMIC_RELAXED);
        return -1;
    }
    b->held += n;
    if (now > __atomic_load_n(&peak, __ATOMIC_RELAXED)) __atomic_store_n(&peak, now, __ATOMIC_RELAXED);
    return 0;
}

void hwd_budget_release(struct hwd_budget *b) {
    if (b->held) __atomic_sub_fetch(&total, b->held, __ATOMIC_RELAXED);
    b->held = 0;
}

/* Bytes held by every request now. */
static size_t hwd_budget_total(void) {
    return __atomic_load_n(&total, __ATOMIC_RELAXED);
}

/* Worker threads free into their own arenas, which glibc shrinks only from the top: after
 * 200 slow readers left, 80 MB stayed. malloc_trim(0) returns every free page of every
 * arena; it locks each arena briefly, so it runs only when a load has passed (the open
 * connections fell to half their peak, or the gathered bytes did from 1 MiB or more), not
 * under a steady one. */
void hwd_memory_tick(int64_t open) {
    static int64_t conn_peak; /* the main thread's only */
    if (open > conn_peak) conn_peak = open;
    size_t now = hwd_budget_total(), bytes_peak = __atomic_load_n(&peak, __ATOMIC_RELAXED);
    int conns_fell = conn_peak > 0 && open <= conn_peak / 2;
    int bytes_fell = bytes_peak >= (1u << 20) && now <= bytes_peak / 2;
    if (!conns_fell && !bytes_fell) return;
    malloc_trim(0);
    conn_peak = open;
    __atomic_store_n(&peak, now, __ATOMIC_RELAXED);
}

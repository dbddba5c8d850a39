/*
 * hwasmd_budget.h — the process-wide ceiling on app answer bytes held in memory while they
 * are gathered whole (limits.buffered_bytes), and memory given back after a load
 * (hwasmd_budget.c).
 */
#ifndef HWASMD_BUDGET_H
#define HWASMD_BUDGET_H

#include <stddef.h>
#include <stdint.h>

/* One request's share of the total, and the cap of the generation serving it. */
struct hwd_budget {
    size_t held, cap;
};
/* Counts n more bytes for b: 0, or -1 (nothing counted) when the process total would pass
 * b->cap. */
int hwd_budget_take(struct hwd_budget *b, size_t n);
/* Gives back everything b holds (the answer is written or dropped). */
void hwd_budget_release(struct hwd_budget *b);
/* Called about once a second by the main thread with the open client connections: returns
 * freed memory to the system once a load has passed. */
void hwd_memory_tick(int64_t open);

#endif /* HWASMD_BUDGET_H */

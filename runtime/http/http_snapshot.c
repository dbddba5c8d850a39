/*
 * http_snapshot.c — the reset policy: after initialisation an instance's memory is moved
 * onto a copy-on-write view of a memfd holding its image, and its mutable globals are
 * saved; a reset drops the private (dirtied) pages with madvise and restores the globals,
 * so it costs in proportion to what the request touched. Small memories keep a plain copy
 * instead and restore only the pages that differ: a page fault (or any system call) costs
 * more than comparing a page (measured: ~6 us per re-faulted page, ~1 us for one mincore,
 * vs ~1.7 us to compare 128 KiB with a copy). Pages that are zero in the snapshot (most of
 * a small guest: its heap and stack) are only checked to be zero still (rt_page_is_zero),
 * so a reset reads them once instead of comparing two copies. Table elements (table.set,
 * table.fill, table.copy, table.init change them) are compared with a copy too and put back
 * when they differ: a few hundred pointers at most in a compiled guest, whose tables only
 * call_indirect reads. Which data and element segments are dropped is saved and put back
 * too: a guest that runs data.drop in one request still finds the segment in the next.
 * An instance whose memory or tables grew since the snapshot cannot be reset (the caller
 * recreates it).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "http_internal.h"
#include "rt_zero.h"

/* Memories up to this size are restored by comparing pages with a copy. */
#define SNAPSHOT_COPY_MAX (256u << 10)
#define PAGE RT_ZERO_PAGE

/* Is page i of the snapshot copy all zero? One bit per page. */
static int snap_page_zero(const struct http_inst *hi, uint64_t i) {
    return (hi->snap_zero[i / 64] >> (i % 64)) & 1;
}

/* Notes which pages of the copy are all zero (a reset then only checks they still are). */
static int mark_zero_pages(struct http_inst *hi, uint64_t size) {
    uint64_t pages = size / PAGE;
    hi->snap_zero = calloc((pages + 63) / 64, sizeof *hi->snap_zero);
    if (!hi->snap_zero) return HW_ENOMEM;
    for (uint64_t i = 0; i < pages; i++)
        if (rt_page_is_zero(hi->snap_copy + i * PAGE))
            hi->snap_zero[i / 64] |= 1ull << (i % 64);
    return HW_OK;
}

/* Puts every page that differs from the copy back. */
static void restore_pages(struct http_inst *hi, uint8_t *base, uint64_t size) {
    for (uint64_t i = 0, p = 0; p < size; i++, p += PAGE) {
        if (snap_page_zero(hi, i)) {
            if (!rt_page_is_zero(base + p)) memset(base + p, 0, PAGE);
        } else if (memcmp(base + p, hi->snap_copy + p, PAGE)) {
            memcpy(base + p, hi->snap_copy + p, PAGE);
        }
    }
}

void http_snapshot_free(struct http_inst *hi) {
    free(hi->snap_copy);
    hi->snap_copy = NULL;
    free(hi->snap_zero);
    hi->snap_zero = NULL;
    free(hi->snap_globals);
    free(hi->snap_table_sizes);
    free(hi->snap_elems);
    free(hi->snap_dropped);
    hi->snap_globals = NULL;
    hi->snap_table_sizes = NULL;
    hi->snap_elems = NULL;
    hi->snap_dropped = NULL;
    hi->snap_ready = 0;
}

int http_snapshot_take(struct http_inst *hi) {
    const hwasm_descriptor *d = hi->mw->d;
    hwasm_memory *m = hi->vm->memory;
    uint32_t ng = d->num_globals - d->num_imported_globals;
    hi->snap_globals = calloc(ng ? ng : 1, sizeof *hi->snap_globals);
    hi->snap_table_sizes = calloc(d->num_tables ? d->num_tables : 1, sizeof *hi->snap_table_sizes);
    if (!hi->snap_globals || !hi->snap_table_sizes) goto fail;
    for (uint32_t i = 0; i < ng; i++)
        hi->snap_globals[i] = *hi->vm->globals[d->num_imported_globals + i];
    size_t elems = 0;
    for (uint32_t i = 0; i < d->num_tables; i++)
        elems += hi->snap_table_sizes[i] = hi->vm->tables[i]->size;
    hi->snap_elems = malloc((elems ? elems : 1) * sizeof *hi->snap_elems);
    if (!hi->snap_elems) goto fail;
    for (uint32_t i = 0, at = 0; i < d->num_tables; at += hi->snap_table_sizes[i++])
        if (hi->snap_table_sizes[i])
            memcpy(hi->snap_elems + at, hi->vm->tables[i]->elems,
                   hi->snap_table_sizes[i] * sizeof *hi->snap_elems);
    size_t dropped_words = hw_instance_dropped_words(hi->inst);
    hi->snap_dropped = malloc((dropped_words ? dropped_words : 1) * sizeof *hi->snap_dropped);
    if (!hi->snap_dropped) goto fail;
    hw_instance_dropped_save(hi->inst, hi->snap_dropped);
    hi->snap_mem_size = m ? m->size : 0;
    if (m && m->size && m->size <= SNAPSHOT_COPY_MAX) {
        hi->snap_copy = aligned_alloc(PAGE, m->size);
        if (!hi->snap_copy) goto fail;
        memcpy(hi->snap_copy, m->base, m->size);
        if (mark_zero_pages(hi, m->size) != HW_OK) goto fail;
    } else if (m && m->size) {
        int fd = memfd_create("hwasm-snapshot", MFD_CLOEXEC);
        if (fd < 0) goto fail;
        size_t done = 0;
        while (done < m->size) {
            ssize_t k = write(fd, m->base + done, m->size - done);
            if (k <= 0) break;
            done += (size_t)k;
        }
        /* Same bytes, now backed by the image: pages become private only when written. */
        void *p = done == m->size ? mmap(m->base, m->size, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_FIXED, fd, 0)
                                  : MAP_FAILED;
        close(fd);
        if (p == MAP_FAILED) goto fail;
    }
    hi->snap_ready = 1;
    return HW_OK;
fail:
    http_snapshot_free(hi);
    return HW_ENOMEM;
}

int http_snapshot_reset(struct http_inst *hi) {
    const hwasm_descriptor *d = hi->mw->d;
    hwasm_memory *m = hi->vm->memory;
    if (!hi->snap_ready || (m ? m->size : 0) != hi->snap_mem_size) return HW_EINVAL;
    for (uint32_t i = 0; i < d->num_tables; i++)
        if (hi->vm->tables[i]->size != hi->snap_table_sizes[i]) return HW_EINVAL;
    if (hi->snap_copy) {
        restore_pages(hi, m->base, m->size);
    } else if (m && m->size && madvise(m->base, m->size, MADV_DONTNEED) != 0) {
        return HW_ENOMEM;
    }
    for (uint32_t i = 0, at = 0; i < d->num_tables; at += hi->snap_table_sizes[i++]) {
        size_t bytes = hi->snap_table_sizes[i] * sizeof *hi->snap_elems;
        void **elems = hi->vm->tables[i]->elems;
        if (bytes && memcmp(elems, hi->snap_elems + at, bytes)) memcpy(elems, hi->snap_elems + at, bytes);
    }
    uint32_t ng = d->num_globals - d->num_imported_globals;
    for (uint32_t i = 0; i < ng; i++)
        *hi->vm->globals[d->num_imported_globals + i] = hi->snap_globals[i];
    hw_instance_dropped_restore(hi->inst, hi->snap_dropped);
    hi->vm->interrupt = 0;
    return HW_OK;
}

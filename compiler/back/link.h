/*
 * link.h — turns object files in memory into the final shared object (link.c).
 */
#ifndef HWASMC_LINK_H
#define HWASMC_LINK_H

#include <stddef.h>

#include "module.h"

typedef struct link_object {
    const void *data;
    size_t size;
} link_object;

/* Writes the objects to temporary files next to out_path, links them into a shared
 * object at out_path (atomically: a temporary output renamed into place) and removes
 * every temporary file. Returns 0, or -1 with *err set and nothing left behind. */
int link_shared(const link_object *objs, size_t n, const char *out_path, wasm_error *err);

#endif /* HWASMC_LINK_H */

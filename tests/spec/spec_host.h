/*
 * spec_host.h — the `spectest` module every spec script may import from: print functions
 * that do nothing, four globals, a table and a memory. One per .wast file, so a script's
 * writes to the shared table and memory are seen by its later modules only.
 */
#ifndef SPEC_HOST_H
#define SPEC_HOST_H

#include <stddef.h>

#include <hwasm/hwasm.h>

typedef struct spec_host spec_host;

/* Creates the objects. Returns NULL on failure (out of memory). Free with spec_host_free,
 * after every instance that imported from it. */
spec_host *spec_host_new(void);
void spec_host_free(spec_host *h);

/* The export named name[0..len), or NULL. The extern stays owned by h. */
const hw_extern *spec_host_lookup(spec_host *h, const char *name, size_t len);

#endif /* SPEC_HOST_H */

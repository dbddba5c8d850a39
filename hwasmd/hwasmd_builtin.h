/*
 * hwasmd_builtin.h — the built-in upstreams builtin:echo and builtin:tck (hwasmd_builtin.c).
 */
#ifndef HWASMD_BUILTIN_H
#define HWASMD_BUILTIN_H

#include <hwasm/hwasm_http.h>

/* The built-in upstreams: fill x->resp from x->req; 0, or 502 when out of memory. */
int hwd_builtin_echo(hw_http_exchange *x);
int hwd_builtin_tck(hw_http_exchange *x);

#endif /* HWASMD_BUILTIN_H */

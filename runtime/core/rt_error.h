/*
 * rt_error.h — libhwasm's one error setter, and the only core header the http layer
 * (runtime/http/) includes: everything else it needs from the core is the public API in
 * <hwasm/hwasm.h>. Internal to libhwasm; embedders read errors through hw_error.
 */
#ifndef HWASM_RT_ERROR_H
#define HWASM_RT_ERROR_H

#include <stddef.h>

#include <hwasm/hwasm.h>

/* Fills err (when non-NULL) with status, no trap and a printf-style message; returns
 * status, so a failing path can `return rt_error(err, HW_E..., "...")`. */
int rt_error(hw_error *err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies src into dst[cap] without libc (safe in a signal handler). */
void rt_copy_message(char *dst, size_t cap, const char *src);

#endif /* HWASM_RT_ERROR_H */

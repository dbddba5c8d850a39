/*
 * io_util.h — small POSIX I/O helpers hwasmc and hwasmd share (link.c writes object files,
 * wasmopt.c's child writes the optimised module into a pipe, hwasmd writes its cache).
 */
#ifndef HWASMC_IO_UTIL_H
#define HWASMC_IO_UTIL_H

#include <stddef.h>

/* Writes all `size` bytes of `data` to fd, retrying short writes and EINTR. Returns 0, or
 * -1 (errno set by write, or unchanged when write returned 0). Async-signal-safe, so a
 * forked child may call it. */
int write_all(int fd, const void *data, size_t size);

#endif /* HWASMC_IO_UTIL_H */

/*
 * io_util.h — small POSIX I/O helpers hwasmc, hwasmd and libhwasm share (link.c writes object
 * files, wasmopt.c's child writes the optimised module into a pipe, hwasmd writes its cache;
 * hwasmd and libhwasm's loader open every file a config, the cache or a Dapr folder names
 * through open_regular).
 */
#ifndef HWASMC_IO_UTIL_H
#define HWASMC_IO_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes all `size` bytes of `data` to fd, retrying short writes and EINTR. Returns 0, or
 * -1 (errno set by write, or unchanged when write returned 0). Async-signal-safe, so a
 * forked child may call it. */
int write_all(int fd, const void *data, size_t size);

/* Opens a file to be read whole, so that no path can block the reader or make it read
 * without end: path (relative to dirfd; AT_FDCWD: the working folder) is opened O_RDONLY |
 * O_NONBLOCK | O_CLOEXEC | flags (O_NOFOLLOW, say), so a FIFO without a writer cannot block
 * the open, and is kept only if fstat calls it a regular file of at most max bytes; then
 * O_NONBLOCK is cleared. Returns the fd with *size (may be NULL) its size, or -1 with errno
 * set (EISDIR, EINVAL for another kind of file, EFBIG when too large, else open's) and why
 * the reason, without the path: "is a directory", "not a regular file (a FIFO)", "not a
 * regular file (a character device)", "N bytes, larger than the M allowed" + limit_hint
 * (e.g. " (--fetch-limit bytes=N)"; may be NULL), or strerror. */
int open_regular(int dirfd, const char *path, int flags, uint64_t max, const char *limit_hint, uint64_t *size,
                 char *why, size_t cap);

/* open_regular's file as a stdio stream to read (mode "r" or "rb"): NULL with errno and why
 * (open_regular's words, or fdopen's strerror) when it is refused or cannot be opened. */
FILE *fopen_regular(const char *path, const char *mode, uint64_t max, const char *limit_hint, char *why,
                    size_t cap);

/* What fstat's mode says a file is, as open_regular words it: "is a directory", "not a
 * regular file (a FIFO)", ...; NULL for a regular file. */
const char *file_kind_refused(unsigned mode);

#endif /* HWASMC_IO_UTIL_H */

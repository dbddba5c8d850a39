/*
 * io_util.c — small POSIX I/O helpers (io_util.h). No allocation, no stdio: hwasmc's
 * wasmopt.c calls write_all in a forked child.
 */
#include <errno.h>
#include <unistd.h>

#include "io_util.h"

int write_all(int fd, const void *data, size_t size) {
    const char *p = data;
    while (size > 0) {
        ssize_t w = write(fd, p, size);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, size -= (size_t)w;
    }
    return 0;
}

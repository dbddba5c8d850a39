/*
 * io_util.c — small POSIX I/O helpers (io_util.h). No allocation; write_all uses no stdio
 * (hwasmc's wasmopt.c calls it in a forked child). open_regular is the one way hwasmd and
 * libhwasm open a file named by a config, the cache or a Dapr folder: a FIFO there blocked
 * open() forever (a start or a reload hung, SIGTERM with it), /dev/zero or a huge sparse
 * file was read until memory ran out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

const char *file_kind_refused(unsigned mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return NULL;
    case S_IFDIR: return "is a directory";
    case S_IFIFO: return "not a regular file (a FIFO)";
    case S_IFCHR: return "not a regular file (a character device)";
    case S_IFBLK: return "not a regular file (a block device)";
    case S_IFSOCK: return "not a regular file (a socket)";
    default: return "not a regular file";
    }
}

int open_regular(int dirfd, const char *path, int flags, uint64_t max, const char *limit_hint, uint64_t *size,
                 char *why, size_t cap) {
    int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | flags);
    if (fd < 0) {
        int e = errno;
        snprintf(why, cap, "%s", strerror(e));
        return errno = e, -1;
    }
    struct stat st;
    const char *kind;
    int e = 0;
    if (fstat(fd, &st)) {
        e = errno;
        snprintf(why, cap, "%s", strerror(e));
    } else if ((kind = file_kind_refused((unsigned)st.st_mode))) {
        e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        snprintf(why, cap, "%s", kind);
    } else if ((uint64_t)st.st_size > max) {
        e = EFBIG;
        snprintf(why, cap, "%llu bytes, larger than the %llu allowed%s", (unsigned long long)st.st_size,
                 (unsigned long long)max, limit_hint ? limit_hint : "");
    } else {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK)) {
            e = errno;
            snprintf(why, cap, "%s", strerror(e));
        }
    }
    if (e) return close(fd), errno = e, -1;
    if (size) *size = (uint64_t)st.st_size;
    return fd;
}

FILE *fopen_regular(const char *path, const char *mode, uint64_t max, const char *limit_hint, char *why,
                    size_t cap) {
    int fd = open_regular(AT_FDCWD, path, 0, max, limit_hint, NULL, why, cap);
    FILE *f = fd >= 0 ? fdopen(fd, mode) : NULL;
    if (fd >= 0 && !f) {
        int e = errno;
        snprintf(why, cap, "%s", strerror(e));
        close(fd);
        errno = e;
    }
    return f;
}

/*
 * link.c — links the units' object files into the final shared object: ld.lld when it is
 * on PATH, else `cc -shared`, spawned without a shell. The output appears atomically
 * (a temporary file renamed into place) and no temporary file survives, success or not.
 * Nothing path- or time-dependent reaches the output (fixed soname, no build id).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io_util.h"
#include "link.h"

extern char **environ;

#define SONAME "hwasm_module.so"

/* Finds an executable called `name` on PATH; fills buf with its path. */
static bool find_on_path(const char *name, char *buf, size_t len) {
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && (size_t)snprintf(buf, len, "%.*s/%s", (int)n, path, name) < len &&
            access(buf, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

/* Writes an object to a fresh temporary file named after out_path (so it lands on the
 * same file system, where the caller can surely write). Fills path; returns 0 or -1. */
static int write_temp_object(const char *out_path, const link_object *o, char *path, size_t len) {
    if ((size_t)snprintf(path, len, "%s.XXXXXX.o", out_path) >= len)
        return errno = ENAMETOOLONG, -1;
    int fd = mkstemps(path, 2);
    if (fd < 0) return -1;
    int rc = write_all(fd, o->data, o->size);
    if (close(fd) != 0) rc = -1;
    if (rc != 0) unlink(path);
    return rc;
}

/* Runs argv (argv[0] is a full path) with stdout discarded; its stderr goes to out. Returns
 * the exit status, or -1 if it could not run or died from a signal. */
static int run(char *const argv[], char *out, size_t out_len) {
    int fds[2];
    out[0] = 0;
    if (pipe2(fds, O_CLOEXEC) != 0) return snprintf(out, out_len, "pipe: %s", strerror(errno)), -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        snprintf(out, out_len, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    size_t used = 0;
    char drain[512];
    for (;;) { /* keep the start of the message, drain the rest so the child never blocks */
        bool full = used + 1 >= out_len;
        ssize_t r =
            full ? read(fds[0], drain, sizeof drain) : read(fds[0], out + used, out_len - 1 - used);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (!full) used += (size_t)r;
    }
    out[used] = 0;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The linker command line. ld.lld is preferred: fast, and needs no C runtime objects.
 * No libc: the code needs nothing but what the process has (at most memcpy/memset, which
 * LLVM may emit and the dynamic loader then finds in the global scope). --eh-frame-hdr
 * lets unwinders (gdb, backtrace(), sanitizers) walk through guest frames. */
static int build_argv(const char *linker, bool lld, const char *out, char (*objs)[PATH_MAX],
                      size_t n, const char **argv) {
    static const char *const lld_flags[] = {
        "-shared",         "--hash-style=gnu", "-z",      "noexecstack", "-z", "relro", "-z", "now",
        "--build-id=none", "--eh-frame-hdr",   "-soname", SONAME};
    static const char *const cc_flags[] = {
        "-shared",      "-nostdlib",  "-Wl,--hash-style=gnu", "-Wl,-z,noexecstack",
        "-Wl,-z,relro", "-Wl,-z,now", "-Wl,--build-id=none",  ("-Wl,-soname," SONAME)};
    size_t k = 0;
    argv[k++] = linker;
    const char *const *flags = lld ? lld_flags : cc_flags;
    size_t nflags = lld ? sizeof lld_flags / sizeof *lld_flags : sizeof cc_flags / sizeof *cc_flags;
    for (size_t i = 0; i < nflags; i++)
        argv[k++] = flags[i];
    argv[k++] = "-o";
    argv[k++] = out;
    for (size_t i = 0; i < n; i++)
        argv[k++] = objs[i];
    argv[k] = NULL;
    return (int)k;
}

int link_shared(const link_object *objs, size_t n, const char *out_path, wasm_error *err) {
    char linker[PATH_MAX], tmp_out[PATH_MAX], msg[512];
    bool lld = find_on_path("ld.lld", linker, sizeof linker) ||
               find_on_path("ld.lld-19", linker, sizeof linker) ||
               find_on_path("ld.lld-14", linker, sizeof linker);
    if (!lld && !find_on_path("cc", linker, sizeof linker)) {
        wasm_error_set(err, -1, 0, "cannot link: neither ld.lld nor cc is on PATH");
        return -1;
    }
    char(*paths)[PATH_MAX] = calloc(n ? n : 1, sizeof *paths);
    const char **argv = calloc(n + 32, sizeof *argv);
    int rc = -1;
    size_t written = 0;
    tmp_out[0] = 0;
    if (!paths || !argv) {
        wasm_error_set(err, -1, 0, "out of memory while linking");
        goto done;
    }
    for (; written < n; written++) {
        if (write_temp_object(out_path, &objs[written], paths[written], sizeof paths[written]) !=
            0) {
            wasm_error_set(err, -1, 0, "cannot write a temporary object next to %s: %s", out_path,
                           strerror(errno));
            goto done;
        }
    }
    /* A unique name, so concurrent runs for the same output do not clash. The placeholder
     * goes at once: linkers derive the output's mode from an existing file's. */
    int fd = -1;
    if ((size_t)snprintf(tmp_out, sizeof tmp_out, "%s.XXXXXX", out_path) >= sizeof tmp_out ||
        (fd = mkstemp(tmp_out)) < 0) {
        wasm_error_set(err, -1, 0, "cannot create a temporary file next to %s: %s", out_path,
                       strerror(errno));
        tmp_out[0] = 0;
        goto done;
    }
    close(fd);
    unlink(tmp_out);
    build_argv(linker, lld, tmp_out, paths, n, argv);
    int status = run((char *const *)argv, msg, sizeof msg);
    if (status != 0) {
        size_t len = strcspn(msg, "\n");
        wasm_error_set(err, -1, 0, "linking failed (%s, status %d): %.*s", linker, status, (int)len,
                       msg);
        goto done;
    }
    if (rename(tmp_out, out_path) != 0) {
        wasm_error_set(err, -1, 0, "cannot write %s: %s", out_path, strerror(errno));
        goto done;
    }
    tmp_out[0] = 0;
    rc = 0;
done:
    for (size_t i = 0; i < written; i++)
        unlink(paths[i]);
    if (tmp_out[0]) unlink(tmp_out);
    free(paths);
    free(argv);
    return rc;
}

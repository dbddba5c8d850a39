/*
 * link.c — links the units' object files into the final shared object with LLD's ELF
 * linker running inside hwasmc (link_lld.cpp): no program on PATH is needed. The output
 * appears atomically (a temporary file renamed into place) and no temporary file survives,
 * success or not. Nothing path- or time-dependent reaches the output (fixed soname, no
 * build id).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io_util.h"
#include "link.h"
#include "link_lld.h"

#define SONAME "hwasm_module.so"

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

/* The linker command line. No libc: the code needs nothing but what the process has (at
 * most memcpy/memset, which LLVM may emit and the dynamic loader then finds in the global
 * scope). --eh-frame-hdr lets unwinders (gdb, backtrace(), sanitizers) walk through guest
 * frames. --threads=1: LLD's thread pool measured no faster on these small objects, and one
 * thread keeps hwasmc's CPU use to what -j asks. Returns argc. */
static int build_argv(const char *out, char (*objs)[PATH_MAX], size_t n, const char **argv) {
    /* one option (and its value) a line */
    /* clang-format off */
    static const char *const flags[] = {
        "ld.lld", /* argv[0]: selects LLD's GNU (ELF) flavour */
        "-shared",
        "--hash-style=gnu",
        "-z", "noexecstack",
        "-z", "relro",
        "-z", "now",
        "--build-id=none",
        "--eh-frame-hdr",
        "--threads=1",
        "-soname", SONAME};
    /* clang-format on */
    size_t k = 0;
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        argv[k++] = flags[i];
    argv[k++] = "-o";
    argv[k++] = out;
    for (size_t i = 0; i < n; i++)
        argv[k++] = objs[i];
    argv[k] = NULL;
    return (int)k;
}

int link_shared(const link_object *objs, size_t n, const char *out_path, wasm_error *err) {
    char tmp_out[PATH_MAX], msg[512];
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
    int argc = build_argv(tmp_out, paths, n, argv);
    if (link_lld(argc, argv, msg, sizeof msg) != 0) {
        wasm_error_set(err, -1, 0, "linking failed (lld): %s", msg);
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

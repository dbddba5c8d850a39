/*
 * wasmopt.c — runs binaryen's optimiser on a wasm binary in a child process and reads the
 * result back through a pipe. Only features hwasmc implements are enabled (SIMD among
 * them), because the optimiser is free to introduce any enabled feature.
 */
#include "wasmopt.h"

#include <binaryen-c.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io_util.h"

int wasmopt_level_valid(const char *level) {
    return !strcmp(level, "O1") || !strcmp(level, "O2") || !strcmp(level, "Os");
}

/* The child: parse, optimise, write the binary to fd. Exits; never returns. */
static void __attribute__((noreturn)) child_optimise(const uint8_t *in, size_t len,
                                                     const char *level, int fd) {
    /* Silence binaryen's own diagnostics: the parent reports failures in its own words. */
    if (!freopen("/dev/null", "w", stderr)) _exit(3);
    BinaryenModuleRef mod = BinaryenModuleRead((char *)in, len);
    BinaryenModuleSetFeatures(mod, BinaryenFeatureMutableGlobals() | BinaryenFeatureSignExt() |
                                       BinaryenFeatureNontrappingFPToInt() |
                                       BinaryenFeatureBulkMemory() | BinaryenFeatureMultivalue() |
                                       BinaryenFeatureReferenceTypes() | BinaryenFeatureSIMD128());
    if (!BinaryenModuleValidate(mod)) _exit(4);
    BinaryenSetOptimizeLevel(level[1] == '1' ? 1 : 2);
    BinaryenSetShrinkLevel(level[1] == 's' ? 1 : 0);
    BinaryenSetDebugInfo(0);
    BinaryenModuleOptimize(mod);
    BinaryenModuleAllocateAndWriteResult res = BinaryenModuleAllocateAndWrite(mod, NULL);
    _exit(write_all(fd, res.binary, res.binaryBytes) == 0 ? 0 : 5);
}

int wasmopt_run(const uint8_t *in, size_t len, const char *level, uint8_t **out,
                size_t *out_len, char *err, size_t err_len) {
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_len, "fork: %s", strerror(errno));
        close(fds[0]), close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child_optimise(in, len, level, fds[1]);
    }
    close(fds[1]);

    size_t cap = len + 4096, used = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (buf && used == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger) free(buf);
            buf = bigger;
        }
        if (!buf) break;
        ssize_t n = read(fds[0], buf + used, cap - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t)n;
    }
    close(fds[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!buf || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(buf);
        if (WIFSIGNALED(status))
            snprintf(err, err_len, "binaryen crashed (signal %d)", WTERMSIG(status));
        else
            snprintf(err, err_len, "binaryen could not %s this module (status %d)",
                     WEXITSTATUS(status) == 4 ? "validate" : "read", WEXITSTATUS(status));
        return -1;
    }
    *out = buf;
    *out_len = used;
    return 0;
}

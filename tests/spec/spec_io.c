/*
 * spec_io.c — whole-file reads and child processes for the spec runner (see spec_io.h).
 */
#include "spec_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int spec_path(char *out, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        out[0] = 0;
        return -1;
    }
    return 0;
}

char *spec_read_file(const char *path, size_t *len_out) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    if (len_out)
        *len_out = len;
    return buf;
}

pid_t spec_spawn(char *const argv[], const char *stderr_path, unsigned cpu_seconds) {
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int err = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null = err < 0 ? -1 : open("/dev/null", O_RDWR);
    if (err < 0 || null < 0) { /* said on the runner's own stderr: the job's file is what failed */
        fprintf(stderr, "spec runner: cannot open %s: %s\n", err < 0 ? stderr_path : "/dev/null", strerror(errno));
        _exit(127);
    }
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    if (cpu_seconds) {
        struct rlimit cpu = {cpu_seconds, cpu_seconds};
        setrlimit(RLIMIT_CPU, &cpu);
    }
    execv(argv[0], argv);
    fprintf(stderr, "spec runner: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int spec_wait(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

/*
 * spec_io.h — the two system chores the runner repeats: reading a whole file and starting
 * a tool (wast2json, hwasmc) with its stderr captured in a file; and building paths.
 */
#ifndef SPEC_IO_H
#define SPEC_IO_H

#include <stddef.h>
#include <sys/types.h>

/* snprintf for paths: returns -1 (and an empty out) when the result does not fit. */
int spec_path(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads path into a NUL-terminated buffer the caller frees; NULL on failure.
 * len_out (may be NULL) receives the size without the NUL. */
char *spec_read_file(const char *path, size_t *len_out);

/* Starts argv[0] (a path) with stdin and stdout on /dev/null and stderr in stderr_path,
 * limited to cpu_seconds of CPU time (0: no limit). Returns the pid, or -1. */
pid_t spec_spawn(char *const argv[], const char *stderr_path, unsigned cpu_seconds);

/* Waits for pid; returns its wait status, or -1. */
int spec_wait(pid_t pid);

#endif /* SPEC_IO_H */

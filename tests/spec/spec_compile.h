/*
 * spec_compile.h — turns a script's .wasm files into .so files with hwasmc, a few child
 * processes at a time, through a cache keyed by the sha256 of the wasm and the identity
 * of the hwasmc binary, so a rerun compiles only what changed.
 */
#ifndef SPEC_COMPILE_H
#define SPEC_COMPILE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

typedef enum compile_status {
    COMPILE_OK,       /* so_path holds the shared object */
    COMPILE_FAILED,   /* hwasmc exited with code `code`; its stderr is in `output` */
    COMPILE_CRASHED,  /* hwasmc died by signal `code` */
    COMPILE_NOT_RUN,  /* the runner could not read the wasm or start hwasmc: see `output` */
} compile_status;

typedef struct compile_job {
    const char *filename;       /* as named in the JSON ("x.3.wasm"); borrowed */
    char wasm_path[PATH_MAX];
    uint8_t sha256[32];         /* digest of the wasm bytes */
    char so_path[PATH_MAX];
    compile_status status;
    int code;
    char *output;               /* NUL-terminated, owned: freed by compile_jobs_free */
} compile_job;

typedef struct compile_config {
    const char *hwasmc;
    char *const *flags;         /* extra hwasmc arguments, e.g. --bounds=explicit */
    int num_flags;
    const char *cache_dir;      /* must exist */
    const char *identity;       /* changes whenever hwasmc or its flags do: compile_identity */
    int parallel;               /* hwasmc processes at once */
    unsigned cpu_seconds;       /* RLIMIT_CPU of each hwasmc: a hung compile ends */
} compile_config;

/* Writes the identity of hwasmc (path, size, mtime) and its flags to out; -1 when hwasmc
 * cannot be stat()ed or out is too small. */
int compile_identity(const char *hwasmc, char *const *flags, int num_flags, char *out, size_t size);

/* Fills in every job (wasm_path must be set). Never fails as a whole: each job says what
 * happened to it. */
void compile_jobs_run(const compile_config *cfg, compile_job *jobs, size_t n);
void compile_jobs_free(compile_job *jobs, size_t n);

#endif /* SPEC_COMPILE_H */

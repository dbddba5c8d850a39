/*
 * spec_compile.c — runs hwasmc on a script's modules, `parallel` processes at a time.
 * Cache layout in cache_dir, keyed by K = sha256(sha256(wasm) ‖ hwasmc identity):
 * K.so for a success, K.fail ("<exit code>\n" then hwasmc's stderr) for a rejection.
 * Crashes are not cached. Results are published with rename(), so concurrent runners
 * sharing a cache never see half-written files.
 */
#include "spec_compile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sha256.h"
#include "spec_io.h"

int compile_identity(const char *hwasmc, char *const *flags, int num_flags, char *out, size_t size) {
    struct stat st;
    if (stat(hwasmc, &st) != 0)
        return -1;
    int n = snprintf(out, size, "%s:%lld:%lld.%09ld", hwasmc, (long long)st.st_size,
                     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    for (int i = 0; i < num_flags && n >= 0 && (size_t)n < size; i++)
        n += snprintf(out + n, size - (size_t)n, " %s", flags[i]);
    return n >= 0 && (size_t)n < size ? 0 : -1;
}

static void set_output(compile_job *job, const char *text) {
    free(job->output);
    job->output = strdup(text ? text : "");
}

/* Computes the job's digest and cache key; fills in the result on a cache hit.
 * Returns 1 when hwasmc must run. */
static int look_up(const compile_config *cfg, compile_job *job, char key[65]) {
    job->status = COMPILE_NOT_RUN;
    set_output(job, "not compiled");
    size_t len;
    char *wasm = spec_read_file(job->wasm_path, &len);
    if (!wasm) {
        job->status = COMPILE_NOT_RUN;
        set_output(job, "cannot read the wasm file");
        return 0;
    }
    sha256((const uint8_t *)wasm, len, job->sha256);
    free(wasm);

    size_t id_len = strlen(cfg->identity);
    uint8_t *keyed = malloc(32 + id_len);
    if (!keyed) {
        job->status = COMPILE_NOT_RUN;
        set_output(job, "out of memory");
        return 0;
    }
    memcpy(keyed, job->sha256, 32);
    memcpy(keyed + 32, cfg->identity, id_len);
    uint8_t digest[32];
    sha256(keyed, 32 + id_len, digest);
    free(keyed);
    for (int i = 0; i < 32; i++)
        snprintf(key + 2 * i, 3, "%02x", digest[i]);

    char fail_path[PATH_MAX];
    if (spec_path(job->so_path, sizeof job->so_path, "%s/%s.so", cfg->cache_dir, key) < 0 ||
        spec_path(fail_path, sizeof fail_path, "%s/%s.fail", cfg->cache_dir, key) < 0) {
        set_output(job, "cache path too long");
        return 0;
    }
    if (access(job->so_path, R_OK) == 0) {
        job->status = COMPILE_OK;
        return 0;
    }
    char *fail = spec_read_file(fail_path, NULL);
    if (!fail)
        return 1;
    char *rest;
    long code = strtol(fail, &rest, 10);
    job->status = COMPILE_FAILED;
    job->code = (int)code;
    set_output(job, *rest == '\n' ? rest + 1 : rest);
    free(fail);
    return 0;
}

typedef struct running {
    size_t job;
    pid_t pid;
    char key[65];
    char tmp_so[PATH_MAX];
    char tmp_err[PATH_MAX];
} running;

static pid_t start(const compile_config *cfg, const compile_job *job, const running *r) {
    char **argv = calloc((size_t)cfg->num_flags + 5, sizeof *argv);
    if (!argv)
        return -1;
    int n = 0;
    argv[n++] = (char *)cfg->hwasmc;
    argv[n++] = (char *)job->wasm_path;
    argv[n++] = "-o";
    argv[n++] = (char *)r->tmp_so;
    for (int i = 0; i < cfg->num_flags; i++)
        argv[n++] = cfg->flags[i];
    pid_t pid = spec_spawn(argv, r->tmp_err, cfg->cpu_seconds);
    free(argv);
    return pid;
}

/* Writes K.fail through a temporary file and rename(). Best effort: a miss only costs time. */
static void cache_failure(const compile_config *cfg, const running *r, int code, const char *text) {
    char tmp[PATH_MAX], path[PATH_MAX];
    if (spec_path(tmp, sizeof tmp, "%s.failtmp", r->tmp_so) < 0 ||
        spec_path(path, sizeof path, "%s/%s.fail", cfg->cache_dir, r->key) < 0)
        return;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    int ok = fprintf(f, "%d\n%s", code, text) >= 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

static void finish(const compile_config *cfg, compile_job *job, const running *r, int wstatus) {
    char *err_text = spec_read_file(r->tmp_err, NULL);
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        if (rename(r->tmp_so, job->so_path) == 0) {
            job->status = COMPILE_OK;
            set_output(job, err_text);
        } else {
            job->status = COMPILE_NOT_RUN;
            set_output(job, "hwasmc exited 0 but wrote no output");
        }
    } else if (WIFEXITED(wstatus)) {
        job->status = COMPILE_FAILED;
        job->code = WEXITSTATUS(wstatus);
        set_output(job, err_text);
        if (job->code != 127)
            cache_failure(cfg, r, job->code, job->output ? job->output : "");
    } else {
        job->status = COMPILE_CRASHED;
        job->code = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
        set_output(job, err_text);
    }
    free(err_text);
    unlink(r->tmp_err);
    unlink(r->tmp_so);
}

void compile_jobs_run(const compile_config *cfg, compile_job *jobs, size_t n) {
    int parallel = cfg->parallel > 0 ? cfg->parallel : 1;
    running *run = calloc((size_t)parallel, sizeof *run);
    size_t *todo = calloc(n ? n : 1, sizeof *todo);
    char (*keys)[65] = calloc(n ? n : 1, sizeof *keys);
    if (!run || !todo || !keys) {
        for (size_t i = 0; i < n; i++) {
            jobs[i].status = COMPILE_NOT_RUN;
            set_output(&jobs[i], "out of memory");
        }
        free(run), free(todo), free(keys);
        return;
    }
    size_t num_todo = 0;
    for (size_t i = 0; i < n; i++)
        if (look_up(cfg, &jobs[i], keys[i]))
            todo[num_todo++] = i;

    size_t next = 0;
    int active = 0;
    while (next < num_todo || active > 0) {
        while (next < num_todo && active < parallel) {
            running *r = &run[active];
            r->job = todo[next++];
            memcpy(r->key, keys[r->job], sizeof r->key);
            int named = spec_path(r->tmp_so, sizeof r->tmp_so, "%s/%s.%ld.%zu.tmp.so", cfg->cache_dir, r->key,
                                  (long)getpid(), r->job) == 0 &&
                        spec_path(r->tmp_err, sizeof r->tmp_err, "%s/%s.%ld.%zu.tmp.err", cfg->cache_dir,
                                  r->key, (long)getpid(), r->job) == 0;
            r->pid = named ? start(cfg, &jobs[r->job], r) : -1;
            if (r->pid < 0) {
                jobs[r->job].status = COMPILE_NOT_RUN;
                set_output(&jobs[r->job], "fork failed");
                continue;
            }
            active++;
        }
        if (active == 0)
            continue;
        int wstatus;
        pid_t pid = waitpid(-1, &wstatus, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break; /* no children left: cannot happen while active > 0 */
        }
        for (int i = 0; i < active; i++) {
            if (run[i].pid != pid)
                continue;
            finish(cfg, &jobs[run[i].job], &run[i], wstatus);
            run[i] = run[--active];
            break;
        }
    }
    free(run);
    free(todo);
    free(keys);
}

void compile_jobs_free(compile_job *jobs, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(jobs[i].output);
}

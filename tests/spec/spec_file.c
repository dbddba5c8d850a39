/*
 * spec_file.c — one .wast file from start to end: wast2json into a fresh folder, count the
 * commands (so a crash can be reported against the file's totals), compile the binary
 * modules, then run the commands (spec_script.c).
 */
#include "spec_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "spec_compile.h"
#include "spec_io.h"
#include "spec_json.h"
#include "spec_script.h"

#define CPU_SECONDS_PER_TOOL 300

static void setup_error(spec_result *r, const char *what, const char *detail) {
    r->setup_failed = 1;
    snprintf(r->setup_error, sizeof r->setup_error, "%s%s%.*s", what, detail ? ": " : "",
             detail ? (int)strcspn(detail, "\n") : 0, detail ? detail : "");
}

/* Runs wast2json; returns the parsed JSON root or NULL (setup error recorded). */
static json_value *convert(const spec_options *o, const char *wast_name, const char *dir, spec_result *r) {
    char wast[PATH_MAX], json[PATH_MAX], err_path[PATH_MAX];
    if (spec_path(wast, sizeof wast, "%s/%s", o->spec_dir, wast_name) < 0 ||
        spec_path(json, sizeof json, "%s/script.json", dir) < 0 ||
        spec_path(err_path, sizeof err_path, "%s/wast2json.err", dir) < 0) {
        setup_error(r, "path too long", NULL);
        return NULL;
    }
    char *argv[] = {(char *)o->wast2json, "--enable-all", wast, "-o", json, NULL};
    pid_t pid = spec_spawn(argv, err_path, CPU_SECONDS_PER_TOOL);
    int status = pid < 0 ? -1 : spec_wait(pid);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *err = spec_read_file(err_path, NULL);
        setup_error(r, "wast2json failed", err);
        free(err);
        return NULL;
    }
    size_t len;
    char *text = spec_read_file(json, &len);
    if (!text) {
        setup_error(r, "cannot read wast2json's output", NULL);
        return NULL;
    }
    char why[256];
    json_value *root = json_parse(text, len, why, sizeof why);
    free(text);
    if (!root)
        setup_error(r, "bad JSON from wast2json", why);
    return root;
}

/* Counts the commands per kind; -1 (setup error recorded) on a command it cannot run. */
static int count(const json_value *commands, spec_result *r) {
    for (size_t i = 0; i < commands->len; i++) {
        int kind = spec_command_kind(&commands->items[i]);
        if (kind < 0) {
            const char *type = json_get_str(&commands->items[i], "type");
            setup_error(r, "unknown command type", type ? type : "(none)");
            return -1;
        }
        r->total[kind]++;
    }
    return 0;
}

static void compile_and_run(const spec_options *o, const json_value *commands, const char *dir, spec_result *r) {
    compile_job *jobs = calloc(commands->len ? commands->len : 1, sizeof *jobs);
    if (!jobs) {
        setup_error(r, "out of memory", NULL);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < commands->len; i++) {
        const char *filename = spec_command_binary(&commands->items[i]);
        if (!filename)
            continue;
        jobs[n].filename = filename;
        if (spec_path(jobs[n].wasm_path, sizeof jobs[n].wasm_path, "%s/%s", dir, filename) < 0) {
            setup_error(r, "path too long", filename);
            free(jobs);
            return;
        }
        n++;
    }
    compile_config cfg = {
        .hwasmc = o->hwasmc,
        .flags = o->hwasmc_flags,
        .num_flags = o->num_hwasmc_flags,
        .cache_dir = o->cache_dir,
        .identity = o->hwasmc_identity,
        .parallel = o->parallel,
        .cpu_seconds = CPU_SECONDS_PER_TOOL,
    };
    compile_jobs_run(&cfg, jobs, n);
    spec_script_run(commands, jobs, n, o->timeout, r);
    compile_jobs_free(jobs, n);
    free(jobs);
}

void spec_file_run(const spec_options *o, const char *wast_name, spec_result *r) {
    r->kind = -1;
    char dir[PATH_MAX];
    if (spec_path(dir, sizeof dir, "%s/%.*s", o->json_dir, (int)(strlen(wast_name) - 5), wast_name) < 0) {
        setup_error(r, "path too long", NULL);
        return;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        setup_error(r, "cannot create the JSON folder", strerror(errno));
        return;
    }
    json_value *root = convert(o, wast_name, dir, r);
    if (!root)
        return;
    const json_value *commands = json_get(root, "commands");
    if (!commands || commands->type != JSON_ARRAY)
        setup_error(r, "no \"commands\" array in wast2json's output", NULL);
    else if (count(commands, r) == 0 && !o->dry_run)
        compile_and_run(o, commands, dir, r);
    json_free(root);
}

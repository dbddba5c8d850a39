/*
 * spec_runner.c — hwasm-spec: runs the WebAssembly spec suite's .wast files through hwasmc
 * and libhwasm, each file in a forked child so a crash costs one file, not the run.
 * Prints one line per file, totals per command kind, and the closing line
 * "N passed, M failed, K skipped" over all files, the SIMD files (simd_*.wast) also
 * totalled apart. Exit: 0 iff nothing failed or crashed, 77 when the suite is missing
 * (ctest's "skipped"), 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec_compile.h"
#include "spec_file.h"
#include "spec_io.h"
#include "spec_result.h"

#ifndef HWASM_SOURCE_DIR
#define HWASM_SOURCE_DIR "."
#endif
#ifndef HWASM_WAST2JSON
#define HWASM_WAST2JSON "/usr/bin/wast2json"
#endif
#define SHOWN_FAILURES 5
#define MAX_HWASMC_FLAGS 16

static const char usage[] =
    "usage: hwasm-spec [options] [FILE...]\n"
    "\n"
    "Runs the spec suite's .wast files (all of them, or those matching the FILE patterns,\n"
    "e.g. i32 or 'table*') through hwasmc and libhwasm.\n"
    "\n"
    "  --spec-dir DIR   the .wast files (default: $HWASM_SPEC_DIR, else\n"
    "                   SOURCE/../shared/wasm-testsuite)\n"
    "  --hwasmc PATH    the compiler (required unless --dry-run)\n"
    "  -X FLAG          pass FLAG to every hwasmc run (repeatable), e.g. -X --bounds=explicit\n"
    "  --work DIR       wast2json output and the compile cache (default: ./spec-work)\n"
    "  --wast2json PATH (default: " HWASM_WAST2JSON ")\n"
    "  --no-simd        leave out simd_*.wast unless a FILE pattern names them (by default\n"
    "                   they run, are also totalled apart, and count like the others)\n"
    "  --dry-run        only convert and count the commands per kind\n"
    "  --timeout SEC    per command (default 60); a hung command fails its file\n"
    "  -j N             hwasmc processes at once (default 2)\n"
    "  -v               print every failure, not the first " "5" " per file\n";

typedef struct runner {
    spec_options o;
    char work_dir[PATH_MAX];
    int verbose;
    int no_simd;
    char **filters;
    int num_filters;
    FILE *log; /* every failure of the run, for grouping by cause */
} runner;

/* Sums over a section (core or SIMD). */
typedef struct totals {
    uint64_t total[CMD_KIND_COUNT], passed[CMD_KIND_COUNT], failed[CMD_KIND_COUNT], skipped[CMD_KIND_COUNT];
    int files, crashed;
} totals;

static int mkdir_p(const char *path) {
    char buf[PATH_MAX];
    if (spec_path(buf, sizeof buf, "%s", path) < 0)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int is_simd(const char *name) { return strncmp(name, "simd_", 5) == 0; }

/* A filter matches "name.wast" as a glob, with or without the ".wast". */
static int selected(const runner *rn, const char *name, int *named) {
    *named = 0;
    if (rn->num_filters == 0)
        return 1;
    for (int i = 0; i < rn->num_filters; i++) {
        char with_ext[PATH_MAX];
        snprintf(with_ext, sizeof with_ext, "%s.wast", rn->filters[i]);
        if (fnmatch(rn->filters[i], name, 0) == 0 || fnmatch(with_ext, name, 0) == 0) {
            *named = 1;
            return 1;
        }
    }
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The selected .wast names, sorted; *n receives the count. NULL when the folder is unreadable. */
static char **list_files(const runner *rn, int simd_section, size_t *n) {
    DIR *d = opendir(rn->o.spec_dir);
    if (!d)
        return NULL;
    size_t cap = 16;
    char **names = malloc(cap * sizeof *names);
    *n = 0;
    struct dirent *e;
    while (names && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        int named;
        if (len < 6 || strcmp(e->d_name + len - 5, ".wast") != 0 || is_simd(e->d_name) != simd_section ||
            !selected(rn, e->d_name, &named) || (simd_section && rn->no_simd && !named))
            continue;
        if (*n == cap) {
            char **bigger = realloc(names, (cap *= 2) * sizeof *names);
            if (!bigger)
                break;
            names = bigger;
        }
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (names)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

static uint32_t sum(const uint32_t *v) {
    uint32_t s = 0;
    for (int k = 0; k < CMD_KIND_COUNT; k++)
        s += v[k];
    return s;
}

/* A child that did not finish: the command in progress and every command it never reached
 * count as failed, so the file's total stays the same from run to run. */
static void account_crash(spec_result *r, const char *what) {
    for (int k = 0; k < CMD_KIND_COUNT; k++) {
        uint32_t done = r->passed[k] + r->failed[k] + r->skipped[k];
        uint32_t *never_run = k == CMD_ASSERT_MALFORMED_TEXT ? &r->skipped[k] : &r->failed[k];
        if (r->total[k] > done)
            *never_run += r->total[k] - done; /* text modules are skipped, crash or not */
    }
    char note[256];
    snprintf(note, sizeof note, "line %d: %s: %s\n", r->line, r->kind >= 0 ? cmd_kind_name((cmd_kind)r->kind) : "-",
             what);
    size_t len = strlen(note);
    if (r->failure_len + len < SPEC_FAILURE_TEXT_SIZE) {
        memmove(r->failure_text + len, r->failure_text, r->failure_len + 1);
        memcpy(r->failure_text, note, len);
        r->failure_len += len;
        r->num_failures++;
    }
}

/* Prints the first `limit` lines of the failure text (all when limit < 0), and logs all. */
static void print_failures(const runner *rn, const char *name, const spec_result *r, int limit) {
    const char *p = r->failure_text;
    int shown = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        if (limit < 0 || shown < limit)
            printf("    %.*s\n", len, p);
        shown++;
        if (rn->log)
            fprintf(rn->log, "%s:%.*s\n", name, len, p);
        p += len + (nl ? 1 : 0);
    }
    if (limit >= 0 && shown > limit)
        printf("    ... %d more (-v shows all; all are in %s/failures.log)\n", shown - limit, rn->work_dir);
}

/* Runs one file in a child and reports it. Returns 1 when the file crashed. */
static int run_one(runner *rn, const char *name, spec_result *r, totals *t) {
    memset(r, 0, offsetof(spec_result, failure_text) + 1);
    r->kind = -1;
    fflush(stdout);
    if (rn->log)
        fflush(rn->log);
    pid_t pid = fork();
    if (pid == 0) {
        spec_file_run(&rn->o, name, r);
        exit(0); /* exit, not _exit: sanitizers report leaks at exit */
    }
    int status = 0;
    char what[160] = "";
    if (pid < 0)
        snprintf(what, sizeof what, "cannot fork: %s", strerror(errno));
    else if (waitpid(pid, &status, 0) < 0)
        snprintf(what, sizeof what, "waitpid: %s", strerror(errno));
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(what, sizeof what, "CRASHED: timed out after %us", rn->o.timeout);
    else if (WIFSIGNALED(status))
        snprintf(what, sizeof what, "CRASHED: signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WEXITSTATUS(status) != 0)
        snprintf(what, sizeof what, "CRASHED: runner child exited with status %d", WEXITSTATUS(status));
    else if (r->setup_failed)
        snprintf(what, sizeof what, "CRASHED: %.140s", r->setup_error);
    int crashed = what[0] != 0;
    if (crashed)
        account_crash(r, what);

    for (int k = 0; k < CMD_KIND_COUNT; k++) {
        t->total[k] += r->total[k];
        t->passed[k] += r->passed[k];
        t->failed[k] += r->failed[k];
        t->skipped[k] += r->skipped[k];
    }
    t->files++;
    t->crashed += crashed;

    if (rn->o.dry_run && !crashed) {
        printf("%s: %u commands (%u modules, %u assert_return, %u assert_trap)\n", name, sum(r->total),
               r->total[CMD_MODULE], r->total[CMD_ASSERT_RETURN], r->total[CMD_ASSERT_TRAP]);
        return 0;
    }
    printf("%s: %u passed, %u failed, %u skipped", name, sum(r->passed), sum(r->failed), sum(r->skipped));
    if (crashed)
        printf(" (%s at line %d)", what, r->line);
    printf("\n");
    print_failures(rn, name, r, rn->verbose ? -1 : SHOWN_FAILURES);
    return crashed;
}

static void print_kinds(const totals *t, int dry_run) {
    if (dry_run) {
        printf("  %-26s %8s\n", "command", "count");
        for (int k = 0; k < CMD_KIND_COUNT; k++)
            printf("  %-26s %8llu\n", cmd_kind_name((cmd_kind)k), (unsigned long long)t->total[k]);
        return;
    }
    printf("  %-26s %8s %8s %8s\n", "command", "passed", "failed", "skipped");
    for (int k = 0; k < CMD_KIND_COUNT; k++)
        printf("  %-26s %8llu %8llu %8llu\n", cmd_kind_name((cmd_kind)k), (unsigned long long)t->passed[k],
               (unsigned long long)t->failed[k], (unsigned long long)t->skipped[k]);
}

static uint64_t sum64(const uint64_t *v) {
    uint64_t s = 0;
    for (int k = 0; k < CMD_KIND_COUNT; k++)
        s += v[k];
    return s;
}

/* Runs a section; returns -1 when the spec folder cannot be read. */
static int run_section(runner *rn, int simd_section, spec_result *r, totals *t) {
    size_t n;
    char **names = list_files(rn, simd_section, &n);
    if (!names)
        return -1;
    if (simd_section && n > 0)
        printf("\n== SIMD (simd_*.wast) ==\n");
    for (size_t i = 0; i < n; i++) {
        run_one(rn, names[i], r, t);
        free(names[i]);
    }
    free(names);
    if (simd_section && n > 0) {
        print_kinds(t, rn->o.dry_run);
        if (rn->o.dry_run)
            printf("SIMD dry run: %llu commands\n", (unsigned long long)sum64(t->total));
        else
            printf("SIMD: %llu passed, %llu failed, %llu skipped\n", (unsigned long long)sum64(t->passed),
               (unsigned long long)sum64(t->failed), (unsigned long long)sum64(t->skipped));
    }
    return 0;
}

static int parse_args(int argc, char **argv, runner *rn) {
    enum { OPT_SPEC_DIR = 256, OPT_HWASMC, OPT_WORK, OPT_WAST2JSON, OPT_NO_SIMD, OPT_DRY_RUN, OPT_TIMEOUT, OPT_HELP };
    static const struct option longopts[] = {
        {"spec-dir", required_argument, 0, OPT_SPEC_DIR}, {"hwasmc", required_argument, 0, OPT_HWASMC},
        {"work", required_argument, 0, OPT_WORK},         {"wast2json", required_argument, 0, OPT_WAST2JSON},
        {"no-simd", no_argument, 0, OPT_NO_SIMD},               {"dry-run", no_argument, 0, OPT_DRY_RUN},
        {"timeout", required_argument, 0, OPT_TIMEOUT},   {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *work = "spec-work";
    rn->o.wast2json = HWASM_WAST2JSON;
    rn->o.parallel = 2;
    rn->o.timeout = 60;
    int ch;
    static char *flags[MAX_HWASMC_FLAGS];
    rn->o.hwasmc_flags = flags;
    while ((ch = getopt_long(argc, argv, "vj:X:", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_SPEC_DIR: rn->o.spec_dir = optarg; break;
        case OPT_HWASMC: rn->o.hwasmc = optarg; break;
        case OPT_WORK: work = optarg; break;
        case OPT_WAST2JSON: rn->o.wast2json = optarg; break;
        case OPT_NO_SIMD: rn->no_simd = 1; break;
        case OPT_DRY_RUN: rn->o.dry_run = 1; break;
        case OPT_TIMEOUT: rn->o.timeout = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'j': rn->o.parallel = atoi(optarg); break;
        case 'X':
            if (rn->o.num_hwasmc_flags == MAX_HWASMC_FLAGS) {
                fprintf(stderr, "hwasm-spec: at most %d -X flags\n", MAX_HWASMC_FLAGS);
                return -1;
            }
            rn->o.hwasmc_flags[rn->o.num_hwasmc_flags++] = optarg;
            break;
        case 'v': rn->verbose = 1; break;
        case OPT_HELP: fputs(usage, stdout); exit(0);
        default: fputs(usage, stderr); return -1;
        }
    }
    rn->filters = argv + optind;
    rn->num_filters = argc - optind;
    if (!rn->o.dry_run && !rn->o.hwasmc) {
        fprintf(stderr, "hwasm-spec: --hwasmc is required (or use --dry-run)\n");
        return -1;
    }
    if (rn->o.timeout == 0 || rn->o.parallel < 1) {
        fprintf(stderr, "hwasm-spec: --timeout and -j need a positive number\n");
        return -1;
    }
    if (realpath(work, rn->work_dir) == NULL && (mkdir_p(work) != 0 || realpath(work, rn->work_dir) == NULL)) {
        fprintf(stderr, "hwasm-spec: cannot create %s: %s\n", work, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    static runner rn;
    if (parse_args(argc, argv, &rn) < 0)
        return 2;
    static char default_dir[PATH_MAX];
    if (!rn.o.spec_dir)
        rn.o.spec_dir = getenv("HWASM_SPEC_DIR");
    if (!rn.o.spec_dir) {
        if (spec_path(default_dir, sizeof default_dir, "%s/../shared/wasm-testsuite", HWASM_SOURCE_DIR) < 0)
            return 2;
        rn.o.spec_dir = default_dir;
    }
    struct stat st;
    if (stat(rn.o.spec_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("spec suite not found (set HWASM_SPEC_DIR): SKIPPED\n");
        return 77;
    }
    if (!rn.o.dry_run &&
        compile_identity(rn.o.hwasmc, rn.o.hwasmc_flags, rn.o.num_hwasmc_flags, rn.o.hwasmc_identity,
                         sizeof rn.o.hwasmc_identity) != 0) {
        fprintf(stderr, "hwasm-spec: cannot find hwasmc at %s\n", rn.o.hwasmc);
        return 2;
    }
    char log_path[PATH_MAX];
    if (spec_path(rn.o.json_dir, sizeof rn.o.json_dir, "%s/json", rn.work_dir) < 0 ||
        spec_path(rn.o.cache_dir, sizeof rn.o.cache_dir, "%s/cache", rn.work_dir) < 0 ||
        spec_path(log_path, sizeof log_path, "%s/failures.log", rn.work_dir) < 0 ||
        mkdir_p(rn.o.json_dir) != 0 || mkdir_p(rn.o.cache_dir) != 0) {
        fprintf(stderr, "hwasm-spec: cannot create folders in %s: %s\n", rn.work_dir, strerror(errno));
        return 2;
    }
    if (!rn.o.dry_run)
        rn.log = fopen(log_path, "w");

    /* Shared with each child, so its counts and current line outlive a crash. */
    spec_result *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED) {
        fprintf(stderr, "hwasm-spec: mmap: %s\n", strerror(errno));
        return 2;
    }
    totals core = {0}, simd = {0};
    if (run_section(&rn, 0, r, &core) < 0 || run_section(&rn, 1, r, &simd) < 0) {
        fprintf(stderr, "hwasm-spec: cannot read %s\n", rn.o.spec_dir);
        return 2;
    }
    if (rn.log)
        fclose(rn.log);
    totals all = core;
    all.files += simd.files;
    all.crashed += simd.crashed;
    for (int k = 0; k < CMD_KIND_COUNT; k++) {
        all.total[k] += simd.total[k];
        all.passed[k] += simd.passed[k];
        all.failed[k] += simd.failed[k];
        all.skipped[k] += simd.skipped[k];
    }
    printf("\n== %d files (%d SIMD)%s ==\n", all.files, simd.files, all.crashed ? "" : ", none crashed");
    if (all.crashed)
        printf("%d files CRASHED\n", all.crashed);
    print_kinds(&all, rn.o.dry_run);
    if (rn.o.dry_run) {
        printf("dry run: %llu commands\n", (unsigned long long)sum64(all.total));
        return all.crashed ? 1 : 0;
    }
    uint64_t failed = sum64(all.failed);
    printf("%llu passed, %llu failed, %llu skipped\n", (unsigned long long)sum64(all.passed),
           (unsigned long long)failed, (unsigned long long)sum64(all.skipped));
    return failed == 0 && all.crashed == 0 ? 0 : 1;
}

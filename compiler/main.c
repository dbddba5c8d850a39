/*
 * main.c — the hwasmc command line: read a wasm file, optionally optimise it with binaryen,
 * decode and validate it, and compile it into a shared object for libhwasm.
 *
 * Every failure is one line on stderr and a non-zero exit; no partial output is left.
 * Every line hwasmc writes there is escaped (say): a function's or an import's name comes
 * from the module, and no byte of it reaches a terminal or a log raw.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "module.h"
#include "sha256.h"
#include "text_escape.h"
#include "wasmopt.h"

static const char usage[] =
    "usage: hwasmc IN.wasm -o OUT.so [options]\n"
    "\n"
    "Compiles a WebAssembly 2.0 module (SIMD included) into a native shared object that\n"
    "libhwasm loads. The output keeps every wasm guarantee: the guest touches only its own\n"
    "memory and every trap becomes an error for the caller. It links the shared object\n"
    "itself (LLD's ELF linker, built in): no linker or other program on PATH is needed.\n"
    "\n"
    "  -o FILE               output shared object (required unless --check)\n"
    "  -O0 -O1 -O2 -O3       optimisation level (default -O2, LLVM's O2 passes); -O1\n"
    "                        compiles fast: a quarter of -O2's CPU time or less, for\n"
    "                        code running ~1.5x the instructions of -O2's (-O0: ~2.3x)\n"
    "  --bounds=guard        default: 8 GiB guard reservation, no per-access check\n"
    "  --bounds=explicit     compare every access with the memory size (for machines\n"
    "                        that cannot reserve 8 GiB of address space per instance)\n"
    "  --no-interrupt-checks do not poll the interrupt flag in loops and at function\n"
    "                        entries: faster, but a runaway guest can no longer be stopped\n"
    "  --canonicalize-nans   every NaN that float arithmetic computes (add, sub, mul, div,\n"
    "                        sqrt, min, max, ceil, floor, trunc, nearest, demote, promote;\n"
    "                        scalar and f32x4/f64x2) is the canonical quiet NaN, so NaN bits\n"
    "                        are the same on every engine that does this: deterministic\n"
    "                        execution, at the cost of a compare and a select per operation\n"
    "                        (float-heavy code runs 1.5-5x slower; default: x86's NaN,\n"
    "                        which wasm allows)\n"
    "  --wasm-opt=O1|O2|Os   run binaryen's wasm optimiser first (in a child process;\n"
    "                        skipped with a warning for modules binaryen cannot handle)\n"
    "  --target=TRIPLE       the machine the .so runs on: x86_64-linux-gnu (baseline\n"
    "                        x86-64-v2) or aarch64-linux-gnu (armv8.0-a); default: the\n"
    "                        machine hwasmc runs on. libhwasm refuses another machine's .so\n"
    "  --emit-llvm FILE      also write the optimised LLVM IR to FILE\n"
    "  -j N                  compile with N threads (default: all cores); the output is\n"
    "                        the same for every N\n"
    "  --check               decode and validate only; write nothing\n"
    "  --import-modules=A,B  the import modules the host provides: a module importing\n"
    "                        from another is refused before anything is compiled\n"
    "                        (hwasmd passes http_handler,wasi_snapshot_preview1)\n"
    "  --max-memory=MIB      cap this process's address space (RLIMIT_AS): a module that\n"
    "                        needs more fails to compile instead of exhausting the host\n"
    "  --max-cpu=SECONDS     cap this process's CPU time, all threads (RLIMIT_CPU)\n"
    "                        (both: no cap by default; hwasmd passes its --compile-limit)\n"
    "  -h, --help, --version\n";

typedef struct cli {
    const char *input;
    const char *output;
    const char *wasm_opt;
    bool check_only;
    const char *import_modules; /* --import-modules: comma-separated, or NULL: any */
    hwasmc_options opts;
} cli;

/* "hwasmc: KIND" and one line on stderr, escaped as hwasmd escapes what it prints
 * (common/text_escape.h, the same function): a name from the module's name section or
 * imports (a line end, ESC, a C1 control, a byte that is not UTF-8) shows as \xHH, and the
 * line reads the same whether hwasmd reports it or hwasmc runs alone. */
static void vsay(const char *kind, const char *fmt, va_list ap) {
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *line = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (line) vsnprintf(line, (size_t)n + 1, fmt, again);
    va_end(again);
    fprintf(stderr, "hwasmc: %s", kind);
    if (line) text_write_escaped(stderr, line, (size_t)n);
    else fputs("out of memory", stderr);
    fputc('\n', stderr);
    free(line);
}

static __attribute__((format(printf, 1, 2))) void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsay("error: ", fmt, ap);
    va_end(ap);
}

static __attribute__((format(printf, 1, 2))) void warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsay("warning: ", fmt, ap);
    va_end(ap);
}

/* Caps a resource of this process at value × unit (from --max-memory / --max-cpu): the
 * module being compiled is untrusted input, and LLVM's time and memory grow with it. */
static int limit_self(int resource, const char *value, rlim_t unit) {
    char *end;
    unsigned long long n = strtoull(value, &end, 10);
    if (*end || !*value || n < (resource == RLIMIT_AS ? 64u : 1u) || n > (1ull << 40) / unit) return -1;
    struct rlimit old, r = {(rlim_t)n * unit, (rlim_t)n * unit};
    if (resource == RLIMIT_CPU) r.rlim_max = r.rlim_cur + 1; /* SIGXCPU first, then SIGKILL */
    if (getrlimit(resource, &old) == 0 && old.rlim_max != RLIM_INFINITY) { /* never above it */
        if (r.rlim_max > old.rlim_max) r.rlim_max = old.rlim_max;
        if (r.rlim_cur > r.rlim_max) r.rlim_cur = r.rlim_max;
    }
    return setrlimit(resource, &r);
}

static int parse_args(int argc, char **argv, cli *c) {
    enum { OPT_BOUNDS = 256, OPT_NO_INTERRUPTS, OPT_WASM_OPT, OPT_EMIT_LLVM, OPT_CHECK,
           OPT_HELP, OPT_VERSION, OPT_MAX_MEMORY, OPT_MAX_CPU, OPT_TARGET, OPT_CANON_NANS,
           OPT_IMPORT_MODULES };
    static const struct option longopts[] = {
        {"bounds", required_argument, 0, OPT_BOUNDS},
        {"no-interrupt-checks", no_argument, 0, OPT_NO_INTERRUPTS},
        {"canonicalize-nans", no_argument, 0, OPT_CANON_NANS},
        {"wasm-opt", required_argument, 0, OPT_WASM_OPT},
        {"emit-llvm", required_argument, 0, OPT_EMIT_LLVM},
        {"target", required_argument, 0, OPT_TARGET},
        {"check", no_argument, 0, OPT_CHECK},
        {"import-modules", required_argument, 0, OPT_IMPORT_MODULES},
        {"max-memory", required_argument, 0, OPT_MAX_MEMORY},
        {"max-cpu", required_argument, 0, OPT_MAX_CPU},
        {"help", no_argument, 0, OPT_HELP},
        {"version", no_argument, 0, OPT_VERSION},
        {0, 0, 0, 0},
    };
    c->opts.opt_level = 2;
    c->opts.interrupt_checks = true;
    c->opts.target = target_host();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->opts.jobs = cores > 0 ? (int)cores : 1;

    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "ho:O:j:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': c->output = optarg; break;
        case 'O':
            if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '3')
                return fail("unknown optimisation level -O%s (use -O0 to -O3)", optarg), -1;
            c->opts.opt_level = optarg[0] - '0';
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256) return fail("-j needs a number from 1 to 256, not '%s'", optarg), -1;
            c->opts.jobs = (int)n;
            break;
        }
        case OPT_BOUNDS:
            if (!strcmp(optarg, "guard")) c->opts.bounds_explicit = false;
            else if (!strcmp(optarg, "explicit")) c->opts.bounds_explicit = true;
            else return fail("--bounds must be guard or explicit, not '%s'", optarg), -1;
            break;
        case OPT_NO_INTERRUPTS: c->opts.interrupt_checks = false; break;
        case OPT_CANON_NANS: c->opts.canonicalize_nans = true; break;
        case OPT_WASM_OPT:
            if (!wasmopt_level_valid(optarg)) return fail("--wasm-opt must be O1, O2 or Os, not '%s'", optarg), -1;
            c->wasm_opt = optarg;
            break;
        case OPT_EMIT_LLVM: c->opts.emit_llvm = optarg; break;
        case OPT_TARGET:
            if (target_parse(optarg, &c->opts.target) != 0)
                return fail("--target must be x86_64-linux-gnu or aarch64-linux-gnu, not '%s'", optarg), -1;
            break;
        case OPT_CHECK: c->check_only = true; break;
        case OPT_IMPORT_MODULES: c->import_modules = optarg; break;
        case OPT_MAX_MEMORY:
        case OPT_MAX_CPU:
            if (limit_self(ch == OPT_MAX_MEMORY ? RLIMIT_AS : RLIMIT_CPU, optarg,
                           ch == OPT_MAX_MEMORY ? (rlim_t)1 << 20 : 1))
                return fail(ch == OPT_MAX_MEMORY ? "--max-memory needs a number of MiB from 64, not '%s'"
                                                 : "--max-cpu needs a number of seconds from 1, not '%s'",
                            optarg), -1;
            break;
        case 'h':
        case OPT_HELP: fputs(usage, stdout); exit(0);
        case OPT_VERSION:
            /* The target is part of the version: caches keyed by it (hwasmd's) keep one .so
             * per machine. --target before --version names the one it selects. */
            printf("hwasmc %s (ABI %u, LLVM 19, target %s)\n", HWASM_VERSION, HWASM_ABI_VERSION,
                   target_info_of(c->opts.target)->name);
            exit(0);
        default:
            return fail("unknown or incomplete option '%s' (see hwasmc --help)", argv[optind - 1]), -1;
        }
    }
    if (optind != argc - 1)
        return fail("%s (see hwasmc --help)", optind >= argc ? "no input file" : "more than one input file"), -1;
    c->input = argv[optind];
    if (!c->output && !c->check_only) return fail("no output file: give -o OUT.so (see %s)", "hwasmc --help"), -1;
    return 0;
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        buf = malloc(st.st_size ? (size_t)st.st_size : 1);
        if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        } else if (!buf) {
            errno = ENOMEM;
        }
        *len = (size_t)st.st_size;
    } else {
        errno = EISDIR;
    }
    fclose(f);
    return buf;
}

/* Prints the one-line error: FILE: function N ($name) at offset 0x...: message */
static void report(const char *file, const wasm_module *m, const wasm_error *err) {
    const char *name = NULL;
    if (err->func_index >= 0 && m && m->funcs && err->func_index < m->num_funcs)
        name = m->funcs[err->func_index].debug_name;
    if (name)
        fail("%s: function %lld ($%s) at offset 0x%zx: %s", file, (long long)err->func_index, name,
             err->offset, err->message);
    else if (err->func_index >= 0)
        fail("%s: function %lld at offset 0x%zx: %s", file, (long long)err->func_index, err->offset,
             err->message);
    else
        fail("%s: at offset 0x%zx: %s", file, err->offset, err->message);
}

/* Decodes and validates; on failure reports and returns -1 (m is then freed). */
static int load_module(const char *file, const uint8_t *bytes, size_t len, wasm_module *m) {
    wasm_error err = {.func_index = -1};
    if (wasm_decode(bytes, len, m, &err) != 0) {
        report(file, NULL, &err);
        return -1;
    }
    if (wasm_validate(m, &err) != 0) {
        report(file, m, &err);
        wasm_module_free(m);
        return -1;
    }
    return 0;
}

/* Whether name is one of the comma-separated list's names. */
static bool listed(const char *list, const wasm_name *name) {
    for (const char *p = list;;) {
        size_t n = strcspn(p, ",");
        if (n == name->len && !memcmp(p, name->data, n)) return true;
        if (!p[n]) return false;
        p += n + 1;
    }
}

/* --import-modules: a module written for another host (proxy-wasm's "env", say) is refused
 * in milliseconds, not after a compile of a minute; the host still checks every import's
 * name and type when it loads the .so. */
static int check_import_modules(const char *file, const char *list, const wasm_module *m) {
    for (uint32_t i = 0; list && i < m->num_imports; i++) {
        const wasm_import *im = &m->imports[i];
        if (listed(list, &im->module)) continue;
        fail("%s: import %u (%s.%s): module \"%s\" is not one the host provides (%s)", file, i,
             im->module.data, im->name.data, im->module.data, list);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    cli c = {0};
    if (parse_args(argc, argv, &c) != 0) return 2;

    size_t len = 0;
    uint8_t *bytes = read_file(c.input, &len);
    if (!bytes) {
        fail("%s: cannot read: %s", c.input, strerror(errno));
        return 1;
    }
    sha256(bytes, len, c.opts.wasm_sha256);

    /* The original is always validated by hwasmc itself, so invalid input is reported in
     * our words even when binaryen would have rewritten or rejected it. */
    wasm_module m;
    if (load_module(c.input, bytes, len, &m) != 0) return free(bytes), 1;
    if (check_import_modules(c.input, c.import_modules, &m) != 0) return wasm_module_free(&m), free(bytes), 1;

    if (c.wasm_opt && !c.check_only) {
        uint8_t *opt = NULL;
        size_t opt_len = 0;
        char why[256];
        wasm_module om;
        if (wasmopt_run(bytes, len, c.wasm_opt, &opt, &opt_len, why, sizeof why) != 0) {
            warn("%s: --wasm-opt skipped: %s", c.input, why);
        } else if (load_module("binaryen output", opt, opt_len, &om) != 0) {
            warn("%s: --wasm-opt skipped: its output is invalid", c.input);
            free(opt);
        } else {
            wasm_module_free(&m);
            free(bytes);
            m = om, bytes = opt, len = opt_len;
        }
    }

    int rc = 0;
    if (!c.check_only) {
        wasm_error err = {.func_index = -1};
        if (hwasmc_compile(&m, &c.opts, c.output, &err) != 0) {
            report(c.input, &m, &err);
            rc = 1;
        }
    }
    wasm_module_free(&m);
    free(bytes);
    return rc;
}

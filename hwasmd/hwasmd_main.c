/*
 * hwasmd_main.c — the sidecar's command line: reads and checks the configuration, compiles
 * and loads the middleware, then serves (or, with --check, stops there). Configuration
 * errors are one line naming the file and line, exit status 2.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwasm/hwasm_module.h>

#include "hwasmd.h"
#include "hwasmd_addr.h"
#include "hwasmd_http_get.h"
#include "hwasmd_fds.h"
#include "hwasmd_workers.h"
#include "hwasmd_yaml.h"

static const char usage[] =
    "usage: hwasmd [options] CONFIG.yaml\n"
    "       hwasmd --check CONFIG.yaml\n"
    "       hwasmd [options] --dapr-components DIR --dapr-config FILE --upstream URL\n"
    "Reverse proxy that runs compiled http-wasm middleware chains in front of an app.\n"
    "  --check           validate the configuration and load every module, then exit\n"
    "  --listen ADDR     override the configuration's listen address (HOST:PORT, [V6]:PORT;\n"
    "                    port 0 picks a free port, printed on stdout)\n"
    "  --dapr-components DIR, --dapr-config FILE\n"
    "                    read Dapr Component files (type middleware.http.wasm) and the\n"
    "                    Configuration's pipeline instead of CONFIG.yaml; one route / to\n"
    "                    --upstream URL, listening on 127.0.0.1:3500 by default (docs/dapr.md)\n"
    "  --dapr-pipeline app|http\n"
    "                    which pipeline of the Configuration to apply: app (default,\n"
    "                    spec.appHttpPipeline: hwasmd in front of the app) or http\n"
    "                    (spec.httpPipeline)\n"
    "  --fetch-limit NAME=N\n"
    "                    a bound of module downloads (Dapr http://, https://, oci:// urls):\n"
    "                    bytes (67108864, after decompression), timeout_ms (30000); repeatable\n"
    "  --compile-limit NAME=N\n"
    "                    what hwasmc may spend compiling one .wasm: memory_mb (4096, its\n"
    "                    address space), cpu_s (600, all its threads); repeatable\n"
    "  --admin ADDR      override the admin listener's address (/healthz, /readyz, /metrics,\n"
    "                    POST /reload); only a port (:PORT or PORT) binds 127.0.0.1\n"
    "  --hwasmc PATH     the compiler for .wasm modules (default: hwasmc in hwasmd's own\n"
    "                    folder, else ../compiler/hwasmc from it (the build tree), else\n"
    "                    hwasmc from PATH)\n"
    "  --cache DIR       where compiled modules are kept (default $XDG_CACHE_HOME/hwasmd)\n"
    "  --config-limit NAME=N\n"
    "                    a bound of the YAML reader: bytes (1048576), depth (64), aliases\n"
    "                    (256 anchors and 256 aliases), expanded (4194304: scalar bytes\n"
    "                    plus one per node, aliases expanded); repeatable\n"
    "  -h, --help        this text;  --version: versions of hwasmd, its ABI and hwasmc\n"
    "SIGHUP or POST /reload: load the configuration again (an error keeps the old one);\n"
    "a signal arriving while modules load waits for them.\n"
    "SIGINT/SIGTERM: stop accepting, finish answers in flight (limits.drain_ms), exit.\n"
    "Exit status: 0 stopped by SIGINT/SIGTERM or check passed, 1 runtime failure,\n"
    "2 configuration error. Reference: docs/hwasmd.md.\n";

/* hwasmc installed next to hwasmd (bin/), else in the build tree when hwasmd runs from
 * there, else from PATH: an installed hwasmd uses its own release's compiler. */
static char *find_hwasmc(void) {
    static const char *const beside[] = {"hwasmc", "../compiler/hwasmc"};
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
                char *p;
                if (asprintf(&p, "%s/%s", self, beside[i]) < 0) break;
                if (access(p, X_OK) == 0) return p;
                free(p);
            }
        }
    }
    return strdup("hwasmc");
}

/* What a (re)load reads: the command line's choices, kept for SIGHUP and POST /reload. */
static struct {
    const char *path, *dapr_dir, *dapr_cfg, *dapr_pipeline, *upstream, *cache;
    char *hwasmc;
    int serving; /* past --check: max_connections must fit the descriptor limit */
} opt;

static int load(struct hwd_config **out, char *msg, size_t cap) {
    struct hwd_config *c = calloc(1, sizeof *c);
    if (!c) return snprintf(msg, cap, "hwasmd: out of memory"), -1;
    int rc = opt.dapr_dir ? hwd_dapr_load(opt.dapr_dir, opt.dapr_cfg, opt.dapr_pipeline, opt.upstream, c, msg, cap)
                          : hwd_config_load(opt.path, c, msg, cap);
    if (rc == 0 && opt.cache) {
        free(c->cache_dir);
        c->cache_dir = strdup(opt.cache);
    }
    if (rc == 0) rc = hwd_modules_load(c, opt.hwasmc, msg, cap);
    if (rc == 0 && opt.serving) hwd_fds_clamp(c);
    if (rc) {
        hwd_config_free(c);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

/* A usage error: what was wrong, then where to read more; exit status 2. */
static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "hwasmd: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see hwasmd --help)\n");
    return 2;
}

/* --version: hwasmd's own, the module ABI it loads, and the hwasmc it would compile with
 * (found as a load finds it). */
static int version(void) {
    printf("hwasmd %s (module ABI %u)\n", HWASM_VERSION, HWASM_ABI_VERSION);
    char *found = opt.hwasmc ? NULL : find_hwasmc(), path[4096], line[256];
    const char *hwasmc = opt.hwasmc ? opt.hwasmc : found;
    if (hwd_compiler_version(hwasmc, path, sizeof path, line, sizeof line))
        printf("compiler: %s: not found or does not run: give its path with --hwasmc\n", hwasmc);
    else printf("compiler: %s (%s)\n", path, line);
    free(found);
    return 0;
}

int main(int argc, char **argv) {
    enum { O_CHECK = 256, O_DAPR_DIR, O_DAPR_CFG, O_UPSTREAM, O_ADMIN, O_LISTEN, O_HWASMC, O_CACHE, O_CONFIG_LIMIT, O_HELP,
           O_VERSION, O_DAPR_PIPELINE, O_FETCH_LIMIT, O_COMPILE_LIMIT };
    static const struct option opts[] = {
        {"check", no_argument, 0, O_CHECK},     {"listen", required_argument, 0, O_LISTEN},
        {"admin", required_argument, 0, O_ADMIN},
        {"dapr-components", required_argument, 0, O_DAPR_DIR},
        {"dapr-config", required_argument, 0, O_DAPR_CFG},
        {"upstream", required_argument, 0, O_UPSTREAM},
        {"hwasmc", required_argument, 0, O_HWASMC}, {"cache", required_argument, 0, O_CACHE},
        {"config-limit", required_argument, 0, O_CONFIG_LIMIT},
        {"dapr-pipeline", required_argument, 0, O_DAPR_PIPELINE},
        {"fetch-limit", required_argument, 0, O_FETCH_LIMIT},
        {"compile-limit", required_argument, 0, O_COMPILE_LIMIT},
        {"help", no_argument, 0, O_HELP},       {"version", no_argument, 0, O_VERSION},
        {0, 0, 0, 0}};
    int check = 0, o, show_version = 0;
    const char *listen = NULL, *admin = NULL;
    opterr = 0; /* usage_error says what was wrong */
    opt.dapr_pipeline = "appHttpPipeline";
    while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (o) {
        case O_CHECK: check = 1; break;
        case O_LISTEN: listen = optarg; break;
        case O_ADMIN: admin = optarg; break;
        case O_DAPR_DIR: opt.dapr_dir = optarg; break;
        case O_DAPR_CFG: opt.dapr_cfg = optarg; break;
        case O_UPSTREAM: opt.upstream = optarg; break;
        case O_HWASMC: free(opt.hwasmc); opt.hwasmc = strdup(optarg); break;
        case O_CACHE: opt.cache = optarg; break;
        case O_CONFIG_LIMIT:
            if (hwd_yaml_limit_set(optarg) == 0) break;
            fprintf(stderr, "hwasmd: --config-limit %s: expected bytes, depth, aliases or expanded=N (N > 0)\n", optarg);
            return 2;
        case O_FETCH_LIMIT:
            if (hwd_fetch_limit_set(optarg) == 0) break;
            fprintf(stderr, "hwasmd: --fetch-limit %s: expected bytes or timeout_ms=N (N > 0)\n", optarg);
            return 2;
        case O_COMPILE_LIMIT:
            if (hwd_compile_limit_set(optarg) == 0) break;
            fprintf(stderr, "hwasmd: --compile-limit %s: expected memory_mb=N (N >= 64) or cpu_s=N (N > 0)\n", optarg);
            return 2;
        case O_DAPR_PIPELINE:
            if (!strcmp(optarg, "app")) opt.dapr_pipeline = "appHttpPipeline";
            else if (!strcmp(optarg, "http")) opt.dapr_pipeline = "httpPipeline";
            else return usage_error("--dapr-pipeline %s: expected app or http", optarg);
            break;
        case 'h':
        case O_HELP: fputs(usage, stdout); return 0;
        case O_VERSION: show_version = 1; break;
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    if (show_version) return version();
    int dapr = opt.dapr_dir || opt.dapr_cfg;
    if (dapr) {
        if (!opt.dapr_dir) return usage_error("%s: --dapr-config needs --dapr-components DIR", "Dapr mode");
        if (!opt.dapr_cfg) return usage_error("%s: --dapr-components needs --dapr-config FILE", "Dapr mode");
        if (!opt.upstream) return usage_error("%s: --upstream URL is required (where the app listens)", "Dapr mode");
        if (optind != argc) return usage_error("%s: no CONFIG.yaml in Dapr mode", argv[optind]);
    } else {
        if (opt.upstream) return usage_error("%s: only in Dapr mode (a CONFIG.yaml names its upstreams)", "--upstream");
        if (optind == argc) return usage_error("%s", "no CONFIG.yaml given");
        if (optind < argc - 1) return usage_error("%s: one CONFIG.yaml only", argv[optind + 1]);
    }
    /* checked here as the configuration's are, so that --check covers them too */
    struct sockaddr_storage ss;
    const char *bad = listen && hwd_addr_parse(listen, HWD_LISTEN_HOST, &ss) ? listen
                      : admin && hwd_addr_parse(admin, HWD_ADMIN_HOST, &ss)   ? admin
                                                                              : NULL;
    if (bad) {
        fprintf(stderr, "hwasmd: --%s %s: expected HOST:PORT, [V6]:PORT or PORT with a numeric HOST\n",
                bad == listen ? "listen" : "admin", bad);
        return 2;
    }
    opt.path = dapr ? NULL : argv[optind];
    if (!opt.hwasmc) opt.hwasmc = find_hwasmc();
    /* Serving: the stop and reload signals are blocked before any thread starts (loading
     * modules starts some), so they wait for hwd_serve's sigwait, which then drains.
     * --check keeps their default action: an interrupted check just stops. */
    sigset_t sigs;
    if (!check) hwd_signals_block(&sigs);
    hwd_fds_raise();
    struct hwd_config *cfg;
    char msg[1024];
    if (load(&cfg, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        return 2;
    }
    if (check) {
        printf("hwasmd: %s: ok (%u middleware, %u routes)\n", cfg->path, cfg->n_mws, cfg->n_routes);
        hwd_config_free(cfg);
        free(cfg);
        free(opt.hwasmc);
        return 0;
    }
    opt.serving = 1;
    hwd_fds_clamp(cfg);
    hwd_gen_init(cfg, load);
    /* generations and the options stay alive to the end: pool threads may still use them */
    return hwd_serve(cfg, listen, admin);
}

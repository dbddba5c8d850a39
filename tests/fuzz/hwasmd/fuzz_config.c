/*
 * fuzz_config.c — libFuzzer target for hwasmd's configuration readers (issue 10 §6): each
 * input is written as a file and read as a hwasmd configuration (hwd_config_load), as a
 * Dapr Component file and as a Dapr Configuration file (hwd_dapr_load), and is then what a
 * reload of a running configuration reads (hwd_gen_reload: a good input becomes the current
 * generation, a bad one must leave the old one current). Modules are not compiled or loaded:
 * the reload's loader stops after the configuration, as if every module were built in.
 * A crash, a leak, a hang (libFuzzer's -timeout) or a message not of the form
 * "hwasmd: ..." is a finding.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hwasmd.h"

static char dir[] = "/tmp/hwasmd-fuzz-config-XXXXXX", config_path[64], dapr_dir[64], dapr_comp[80];

static void put(const char *path, const uint8_t *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f)) abort();
}

static void message_ok(const char *msg) {
    if (strncmp(msg, "hwasmd: ", 8) || strchr(msg, '\n')) {
        fprintf(stderr, "not one \"hwasmd: ...\" line: [%s]\n", msg);
        abort();
    }
}

/* The reload's loader: the fuzzed file as a configuration, without its modules. */
static int load(struct hwd_config **out, char *msg, size_t cap) {
    struct hwd_config *c = calloc(1, sizeof *c);
    if (!c) abort();
    if (hwd_config_load(config_path, c, msg, cap)) {
        hwd_config_free(c);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) abort();
    snprintf(config_path, sizeof config_path, "%s/hwasmd.yaml", dir);
    snprintf(dapr_dir, sizeof dapr_dir, "%s/components", dir);
    snprintf(dapr_comp, sizeof dapr_comp, "%s/wasm.yaml", dapr_dir);
    if (mkdir(dapr_dir, 0700)) abort();
    /* the generation a reload replaces */
    static const char first[] = "listen: 127.0.0.1:0\nupstream: builtin:echo\nroutes:\n  - {prefix: /}\n";
    put(config_path, (const uint8_t *)first, sizeof first - 1);
    struct hwd_config *c;
    char msg[1024];
    if (load(&c, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        abort();
    }
    hwd_gen_init(c, load);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
    char msg[1024];
    put(config_path, data, n);
    put(dapr_comp, data, n);

    struct hwd_config c;
    if (hwd_config_load(config_path, &c, msg, sizeof msg)) message_ok(msg);
    hwd_config_free(&c);

    if (hwd_dapr_load(dapr_dir, config_path, "appHttpPipeline", "builtin:echo", &c, msg, sizeof msg)) message_ok(msg);
    hwd_config_free(&c);

    struct hwd_config *before = hwd_gen_acquire();
    int rc = hwd_gen_reload(msg, sizeof msg);
    message_ok(msg);
    struct hwd_config *after = hwd_gen_acquire();
    if (rc ? after != before : after == before) {
        fprintf(stderr, "reload returned %d but the generation %s\n", rc, rc ? "changed" : "stayed");
        abort();
    }
    hwd_gen_release(after);
    hwd_gen_release(before);
    return 0;
}

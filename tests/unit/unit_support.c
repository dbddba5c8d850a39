/*
 * unit_support.c — WAT → .so → instance, for tests that exercise the real pipeline, and
 * the one harness that checks a call's results or trap, and running a check suite.
 */
#include "unit_support.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

const char *unit_compile_wat(const char *wat, const char *hwasmc_flags) {
    static char so_path[512];
    static unsigned counter;
    const char *dir = env_or("HWASM_TEST_TMP", "/tmp");
    mkdir(dir, 0777);
    char wat_path[480], wasm_path[480], cmd[2048];
    snprintf(wat_path, sizeof wat_path, "%s/t%d_%u.wat", dir, (int)getpid(), counter);
    snprintf(wasm_path, sizeof wasm_path, "%s/t%d_%u.wasm", dir, (int)getpid(), counter);
    snprintf(so_path, sizeof so_path, "%s/t%d_%u.so", dir, (int)getpid(), counter++);
    FILE *f = fopen(wat_path, "w");
    if (!f) return NULL;
    fputs(wat, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' '%s' -o '%s' && '%s' %s '%s' -o '%s'",
             env_or("WAT2WASM", "wat2wasm"), wat_path, wasm_path, env_or("HWASMC", "hwasmc"),
             hwasmc_flags, wasm_path, so_path);
    int rc = system(cmd);
    unlink(wat_path);
    unlink(wasm_path);
    return rc == 0 ? so_path : NULL;
}

hw_instance *unit_instantiate_wat(const char *wat, const char *hwasmc_flags, hw_module **mod_out) {
    const char *so = unit_compile_wat(wat, hwasmc_flags);
    if (!so) return NULL;
    hw_error err = {0};
    hw_module *mod = NULL;
    hw_instance *inst = NULL;
    if (hw_module_load(so, NULL, &mod, &err) != 0 || hw_instance_new(mod, NULL, 0, NULL, &inst, &err) != 0) {
        fprintf(stderr, "unit_instantiate_wat: %s\n", err.message);
        if (mod) hw_module_free(mod);
        unlink(so);
        return NULL;
    }
    unlink(so); /* dlopen keeps the mapping */
    *mod_out = mod;
    return inst;
}

int unit_call(hw_instance *inst, const char *name, uint64_t *slots, hw_error *err) {
    int64_t fi = hw_instance_export_func_index(inst, name, strlen(name));
    if (fi < 0) {
        snprintf(err->message, sizeof err->message, "no export %s", name);
        return HW_ENOENT;
    }
    return hw_call(inst, (uint32_t)fi, slots, err);
}

void unit_run_case(hw_instance *inst, const unit_case *c, unsigned flags) {
    ck_assert_msg(inst != NULL, "the test module did not compile or instantiate (see stderr)");
    uint64_t s[8];
    memcpy(s, c->args, sizeof c->args);
    hw_error err = {0};
    int rc = unit_call(inst, c->func, s, &err);
    if (!c->res) {
        ck_assert_msg(rc == HW_ETRAP && err.trap == c->want[0],
                      "%s(%#llx, %#llx, %#llx): want trap %llu, got rc %d trap %u \"%s\" result %#llx", c->func,
                      (unsigned long long)c->args[0], (unsigned long long)c->args[1],
                      (unsigned long long)c->args[2], (unsigned long long)c->want[0], rc, err.trap, err.message,
                      (unsigned long long)s[0]);
        ck_assert_msg(strstr(err.message, hw_trap_message((uint32_t)c->want[0])), "%s: message \"%s\"", c->func,
                      err.message);
        return;
    }
    ck_assert_msg(rc == 0, "%s(%#llx, %#llx, %#llx): rc %d: %s", c->func, (unsigned long long)c->args[0],
                  (unsigned long long)c->args[1], (unsigned long long)c->args[2], rc, err.message);
    for (int i = 0; c->res[i]; i++) {
        uint32_t lo = (uint32_t)s[i];
        float f;
        double d;
        memcpy(&f, &lo, 4);
        memcpy(&d, &s[i], 8);
        int ok = c->res[i] == 'n'   ? isnan(f)
                 : c->res[i] == 'N' ? isnan(d)
                 : c->res[i] == 'i' || c->res[i] == 'f' ? lo == (uint32_t)c->want[i]
                                                        : s[i] == c->want[i];
        if (flags & UNIT_ZERO_EXTENDED) ok &= strchr("ifn", c->res[i]) == NULL || s[i] >> 32 == 0;
        ck_assert_msg(ok, "%s(%#llx, %#llx, %#llx): result %d = %#llx, want %c %#llx", c->func,
                      (unsigned long long)c->args[0], (unsigned long long)c->args[1],
                      (unsigned long long)c->args[2], i, (unsigned long long)s[i], c->res[i],
                      (unsigned long long)c->want[i]);
    }
}

int unit_run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

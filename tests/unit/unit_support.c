/*
 * unit_support.c — WAT → .so → instance, for tests that exercise the real pipeline.
 */
#include "unit_support.h"

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

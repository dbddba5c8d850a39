/*
 * test_runtime_module.c — hw_module_load on real shared objects: a small hand-written
 * "compiled module" in C is built with the system C compiler at test time (variants by -D
 * flags), then loaded: descriptor checks, digest, ABI version, code registration for the
 * fault handler, and a real guard-page fault inside the .so's code becoming a trap.
 */
#include <check.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_internal.h"
#include "unit_support.h"

static const char module_source[] =
    "#include <hwasm/hwasm_module.h>\n"
    "#ifndef ABI\n#define ABI HWASM_ABI_VERSION\n#endif\n"
    "#ifndef LOAD_TYPE\n#define LOAD_TYPE 0\n#endif\n"
    "typedef int __attribute__((aligned(1))) u32;\n"
    "static int load(void *env, hwasm_vmctx *caller, int a) {\n"
    "    (void)caller; return *(volatile u32 *)(((hwasm_vmctx *)env)->mem_base + (unsigned)a); }\n"
    "static void tramp(void *code, void *env, hwasm_vmctx *caller, unsigned long long *s) {\n"
    "    s[0] = (unsigned)((int (*)(void *, hwasm_vmctx *, int))code)(env, caller, (int)s[0]); }\n"
    "static const unsigned char ii[] = {HWASM_I32, HWASM_I32};\n"
    "static const hwasm_functype types[] = {{1, 1, ii}};\n"
    "static const hwasm_trampoline tramps[] = {(hwasm_trampoline)tramp};\n"
    "static const unsigned func_types[] = {LOAD_TYPE};\n"
    "static void *const func_code[] = {(void *)load};\n"
    "static const hwasm_export exports[] = {{\"load\", 4, HWASM_EXTERN_FUNC, 0}};\n"
    "static const hwasm_data_segment data[] = {{HWASM_SEGMENT_ACTIVE, 0, {HWASM_CONST_I32, 0, 8, 0}, "
    "(const unsigned char *)\"wasm\", 4}};\n"
    "const hwasm_descriptor hwasm_module_descriptor = {\n"
    "    .abi_version = ABI, .wasm_sha256 = {1, 2, 3}, .compiler_version = \"test\",\n"
    "    .num_types = 1, .types = types, .trampolines = tramps,\n"
    "    .num_funcs = 1, .func_types = func_types, .func_code = func_code,\n"
    "    .has_memory = 1, .memory_limits = {1, 1, 1},\n"
    "    .num_exports = 1, .exports = exports, .start_func = -1, .num_data = 1, .data = data};\n";

/* Builds the module with extra cc flags; returns the .so path (static buffer) or NULL. */
static const char *build_module(const char *flags) {
    static char so[600];
    static int counter;
    const char *dir = getenv("HWASM_TEST_TMP");
    if (!dir || !*dir) dir = "/tmp";
    mkdir(dir, 0777);
    char src[560], cmd[2048], here[512];
    snprintf(src, sizeof src, "%s/rtmod%d_%d.c", dir, (int)getpid(), counter);
    snprintf(so, sizeof so, "%s/rtmod%d_%d.so", dir, (int)getpid(), counter++);
    FILE *f = fopen(src, "w");
    if (!f) return NULL;
    fputs(module_source, f);
    fclose(f);
    snprintf(here, sizeof here, "%s", __FILE__); /* include/, from this file's place */
    snprintf(cmd, sizeof cmd, "${CC:-cc} -shared -fPIC -O1 -nostartfiles %s -I'%s/../../include' '%s' -o '%s'", flags,
             dirname(here), src, so);
    int rc = system(cmd);
    unlink(src);
    return rc == 0 ? so : NULL;
}

START_TEST(load_instantiate_call) {
    const char *so = build_module("");
    ck_assert_ptr_nonnull(so);
    hw_module *m;
    hw_error err;
    ck_assert_int_eq(hw_module_load(so, NULL, &m, &err), HW_OK);
    const hwasm_descriptor *d = hw_module_descriptor(m);
    ck_assert_ptr_nonnull(d);
    ck_assert(rt_ranges_contains(&rt_fault_code, (uintptr_t)d->func_code[0]));
    ck_assert(!rt_ranges_contains(&rt_fault_code, (uintptr_t)d)); /* data is not code */
    hw_instance *inst;
    ck_assert_int_eq(hw_instance_new(m, NULL, 0, NULL, &inst, &err), HW_OK);
    uint64_t slot = 8;
    ck_assert_int_eq(hw_call(inst, 0, &slot, &err), HW_OK);
    ck_assert_uint_eq(slot, 'w' | 'a' << 8 | 's' << 16 | (uint32_t)'m' << 24);
    slot = HWASM_PAGE_SIZE - 2; /* a guard-page fault in the .so's own code */
    ck_assert_int_eq(hw_call(inst, 0, &slot, &err), HW_ETRAP);
    ck_assert_uint_eq(err.trap, HWASM_TRAP_MEMORY_OOB);
    ck_assert_str_eq(err.message, "out of bounds memory access");
    uintptr_t code = (uintptr_t)d->func_code[0];
    hw_instance_free(inst);
    hw_module_free(m);
    ck_assert(!rt_ranges_contains(&rt_fault_code, code));
    unlink(so);
}
END_TEST

START_TEST(digest) {
    const char *so = build_module("");
    ck_assert_ptr_nonnull(so);
    hw_module *m;
    hw_error err;
    uint8_t want[32] = {1, 2, 3};
    hw_load_options opts = {.require_sha256 = want};
    ck_assert_int_eq(hw_module_load(so, &opts, &m, &err), HW_OK);
    hw_module_free(m);
    want[31] = 1;
    ck_assert_int_eq(hw_module_load(so, &opts, &m, &err), HW_EABI);
    ck_assert_ptr_nonnull(strstr(err.message, "digest"));
    unlink(so);
}
END_TEST

START_TEST(wrong_abi_version) {
    const char *so = build_module("-DABI=99");
    ck_assert_ptr_nonnull(so);
    hw_module *m;
    hw_error err;
    ck_assert_int_eq(hw_module_load(so, NULL, &m, &err), HW_EABI);
    ck_assert_ptr_nonnull(strstr(err.message, "ABI version 99"));
    unlink(so);
}
END_TEST

START_TEST(bad_descriptor) {
    const char *so = build_module("-DLOAD_TYPE=1"); /* a type index past the type list */
    ck_assert_ptr_nonnull(so);
    hw_module *m;
    hw_error err;
    ck_assert_int_eq(hw_module_load(so, NULL, &m, &err), HW_EABI);
    ck_assert_ptr_nonnull(strstr(err.message, "bad descriptor"));
    unlink(so);
}
END_TEST

/* Only a regular file of at most HW_MODULE_MAX_BYTES is read: a FIFO blocked open() for
 * ever, /dev/zero or a huge sparse file was copied into the memfd until memory ran out. Each
 * is refused (HW_EIO) at once, saying what it is (the tcase's 5 s timeout catches a hang). */
START_TEST(not_a_regular_file) {
    const char *dir = getenv("HWASM_TEST_TMP");
    if (!dir || !*dir) dir = "/tmp";
    mkdir(dir, 0777);
    char fifo[600], sparse[600], folder[600];
    snprintf(fifo, sizeof fifo, "%s/rtfifo%d.so", dir, (int)getpid());
    snprintf(sparse, sizeof sparse, "%s/rtsparse%d.so", dir, (int)getpid());
    snprintf(folder, sizeof folder, "%s/rtdir%d.so", dir, (int)getpid());
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(mkdir(folder, 0700), 0);
    FILE *f = fopen(sparse, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(truncate(sparse, (off_t)HW_MODULE_MAX_BYTES + 1), 0);
    const char *paths[] = {fifo, "/dev/zero", folder, sparse};
    static const char *const says[] = {"not a regular file (a FIFO)", "not a regular file (a character device)",
                                       "is a directory", "larger than the 536870912 allowed (HW_MODULE_MAX_BYTES)"};
    for (size_t i = 0; i < sizeof says / sizeof *says; i++) {
        hw_module *m = (hw_module *)1;
        hw_error err;
        ck_assert_int_eq(hw_module_load(paths[i], NULL, &m, &err), HW_EIO);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(err.message, says[i]), "%s: %s", paths[i], err.message);
        ck_assert_msg(!strncmp(err.message, paths[i], strlen(paths[i])), "%s", err.message);
    }
    unlink(fifo);
    unlink(sparse);
    rmdir(folder);
}
END_TEST

int main(void) {
    Suite *s = suite_create("runtime_module");
    TCase *tc = tcase_create("module");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, load_instantiate_call);
    tcase_add_test(tc, digest);
    tcase_add_test(tc, wrong_abi_version);
    tcase_add_test(tc, bad_descriptor);
    suite_add_tcase(s, tc);
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 5);
    tcase_add_test(files, not_a_regular_file);
    suite_add_tcase(s, files);
    return unit_run_suite(s);
}

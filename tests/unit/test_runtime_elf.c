/*
 * test_runtime_elf.c — the pre-dlopen inspection (runtime/core/rt_elf.c): hwasmc's real
 * output passes; shared objects built here with cc that would run code inside dlopen
 * (a constructor that creates a marker file, a DT_NEEDED, an IFUNC) or are not modules
 * (no descriptor, a descriptor of the wrong size, an object file, text, truncated or
 * corrupted bytes) are refused by hw_module_load before dlopen, so the marker never appears.
 */
#include <check.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_test_support.h"
#include "rt_internal.h"
#include "sha256.h"

static const char *tmp_dir(void) {
    const char *dir = getenv("HWASM_TEST_TMP");
    if (!dir || !*dir) dir = "/tmp";
    mkdir(dir, 0777);
    return dir;
}

/* Builds source with cc and flags into a fresh .so (or .o with -c); the path in a static
 * buffer, or NULL. */
static const char *build(const char *source, const char *flags) {
    static char out[600];
    static int counter;
    char src[560], cmd[2048], here[512];
    snprintf(src, sizeof src, "%s/rtelf%d_%d.c", tmp_dir(), (int)getpid(), counter);
    snprintf(out, sizeof out, "%s/rtelf%d_%d.so", tmp_dir(), (int)getpid(), counter++);
    FILE *f = fopen(src, "w");
    if (!f) return NULL;
    fputs(source, f);
    fclose(f);
    snprintf(here, sizeof here, "%s", __FILE__);
    snprintf(cmd, sizeof cmd, "${CC:-cc} -fPIC -O1 %s -I'%s/../../include' '%s' -o '%s'", flags,
             dirname(here), src, out);
    int rc = system(cmd);
    unlink(src);
    return rc == 0 ? out : NULL;
}

#define DESCRIPTOR                                                                                 \
    "#include <hwasm/hwasm_module.h>\n"                                                            \
    "const hwasm_descriptor hwasm_module_descriptor = {.abi_version = HWASM_ABI_VERSION,"          \
    " .start_func = -1};\n"
#define SHARED "-shared -nostartfiles "

static int load_status(const char *so, hw_error *err) {
    hw_module *m = NULL;
    int rc = hw_module_load(so, NULL, &m, err);
    hw_module_free(m);
    return rc;
}

static void assert_refused(const char *so, const char *why) {
    hw_error err;
    ck_assert_ptr_nonnull(so);
    ck_assert_int_eq(load_status(so, &err), HW_EREFUSED);
    ck_assert_msg(strstr(err.message, why), "[%s] lacks [%s]", err.message, why);
    unlink(so);
}

START_TEST(hwasmc_output_passes) {
    hw_error err;
    ck_assert_int_eq(load_status(guest_path("noop"), &err), HW_OK);
    ck_assert_int_eq(load_status(guest_path("native_guest"), &err), HW_OK);
    const char *so = build(DESCRIPTOR, SHARED);
    ck_assert_int_eq(load_status(so, &err), HW_OK);
    unlink(so);
}
END_TEST

START_TEST(constructor_never_runs) {
    char marker[600], src[2048];
    snprintf(marker, sizeof marker, "%s/rtelf-marker-%d", tmp_dir(), (int)getpid());
    unlink(marker);
    /* open(marker, O_CREAT|O_WRONLY) by a raw syscall: no libc, so no DT_NEEDED */
#if defined(__aarch64__) /* openat(AT_FDCWD, ...) */
    snprintf(src, sizeof src,
             DESCRIPTOR "__attribute__((constructor)) static void mark(void) {\n"
                        "    register long x8 __asm__(\"x8\") = 56, x0 __asm__(\"x0\") = -100;\n"
                        "    register const char *x1 __asm__(\"x1\") = \"%s\";\n"
                        "    register long x2 __asm__(\"x2\") = 0101, x3 __asm__(\"x3\") = 0644;\n"
                        "    __asm__ volatile(\"svc #0\" : \"+r\"(x0) : \"r\"(x8), \"r\"(x1), \"r\"(x2),"
                        " \"r\"(x3) : \"memory\"); }\n",
             marker);
#else
    snprintf(src, sizeof src,
             DESCRIPTOR "__attribute__((constructor)) static void mark(void) {\n"
                        "    long r; __asm__ volatile(\"syscall\" : \"=a\"(r) : \"a\"(2L), \"D\"(\"%s\"),"
                        " \"S\"(0101L), \"d\"(0644L) : \"rcx\", \"r11\", \"memory\"); (void)r; }\n",
             marker);
#endif
    const char *so = build(src, SHARED);
    ck_assert_ptr_nonnull(so);
    assert_refused(so, "constructor");
    ck_assert_int_ne(access(marker, F_OK), 0);
    /* the same file does run its constructor under a bare dlopen: the test can fail */
    so = build(src, SHARED);
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    ck_assert_ptr_nonnull(h);
    dlclose(h);
    ck_assert_int_eq(access(marker, F_OK), 0);
    unlink(marker);
    unlink(so);
}
END_TEST

START_TEST(dependencies_ifuncs_and_shapes) {
    assert_refused(build(DESCRIPTOR, SHARED "-Wl,--no-as-needed -lm"), "DT_NEEDED");
    assert_refused(build(DESCRIPTOR "static void f0(void) {}\n"
                                    "static void (*pick(void))(void) { return f0; }\n"
                                    "void f(void) __attribute__((ifunc(\"pick\")));\n"
                                    "void *use(void) { return (void *)f; }\n",
                         SHARED),
                   "IFUNC");
    assert_refused(build("int x = 1;\n", SHARED), "no hwasm_module_descriptor");
    assert_refused(build("const char hwasm_module_descriptor[8] = {1};\n", SHARED), "has size");
    assert_refused(build(DESCRIPTOR, "-c"), "not a shared object");
    char text[600];
    snprintf(text, sizeof text, "%s/rtelf-text-%d.so", tmp_dir(), (int)getpid());
    FILE *f = fopen(text, "w");
    fputs("#!/bin/sh\necho not a module\n", f);
    fclose(f);
    assert_refused(text, "not an ELF file");
}
END_TEST

/* Truncations and single-byte corruptions of a real module: refused or loaded, never a
 * crash or an out-of-bounds read (CI runs this under ASan). */
START_TEST(corrupt_bytes_are_bounded) {
    const char *so = guest_path("noop");
    FILE *f = fopen(so, "rb");
    ck_assert_ptr_nonnull(f);
    static uint8_t orig[1 << 20];
    size_t n = fread(orig, 1, sizeof orig, f);
    fclose(f);
    ck_assert_uint_gt(n, 1024);
    char why[256];
    ck_assert_int_eq(rt_elf_check(orig, n, why, sizeof why), 0);
    for (size_t cut = 0; cut < n; cut += 7) {
        uint8_t *b = malloc(cut ? cut : 1);
        memcpy(b, orig, cut);
        (void)rt_elf_check(b, cut, why, sizeof why);
        free(b);
    }
    uint8_t *b = malloc(n);
    size_t span = n < 8192 ? n : 8192;
    for (size_t i = 0; i < span; i++)
        for (int v = 0; v < 3; v++) {
            memcpy(b, orig, n);
            b[i] = (uint8_t[]){0x00, 0xff, 0x80}[v];
            (void)rt_elf_check(b, n, why, sizeof why);
        }
    free(b);
}
END_TEST

START_TEST(file_digest) {
    const char *so = guest_path("noop");
    FILE *f = fopen(so, "rb");
    static uint8_t bytes[1 << 20];
    size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    uint8_t d[32];
    sha256(bytes, n, d);
    hw_load_options opts = {.require_file_sha256 = d};
    hw_module *m;
    hw_error err;
    ck_assert_int_eq(hw_module_load(so, &opts, &m, &err), HW_OK);
    hw_module_free(m);
    d[0] ^= 1;
    ck_assert_int_eq(hw_module_load(so, &opts, &m, &err), HW_EREFUSED);
    ck_assert_ptr_nonnull(strstr(err.message, "sha256"));
}
END_TEST

int main(void) {
    Suite *s = suite_create("runtime_elf");
    TCase *tc = tcase_create("elf");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hwasmc_output_passes);
    tcase_add_test(tc, constructor_never_runs);
    tcase_add_test(tc, dependencies_ifuncs_and_shapes);
    tcase_add_test(tc, corrupt_bytes_are_bounded);
    tcase_add_test(tc, file_digest);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

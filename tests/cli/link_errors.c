/*
 * link_errors.c — drives link.c's in-process LLD with objects it must refuse: a corrupt ELF
 * header (LLD's fatal(), which must come back instead of exiting the process) and bytes
 * that are no object at all. Each failure is one "linking failed (lld): error: ..." line,
 * a second link still works after a fatal one, and no file is left in the folder.
 * Usage: link_errors DIR (an empty scratch folder). Exit 0 when every check passes.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "link.h"

static int failed;

static void check(int ok, const char *what, const char *detail) {
    printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? ": " : "", detail ? detail : "");
    if (!ok) failed = 1;
}

/* Files in dir, "." and ".." aside. */
static int count_files(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void refused(const char *what, const link_object *o, const char *out) {
    wasm_error err;
    memset(&err, 0, sizeof err);
    int rc = link_shared(o, 1, out, &err);
    check(rc == -1, what, "link_shared returns -1");
    check(strncmp(err.message, "linking failed (lld): error: ", 29) == 0, what, err.message);
    check(strchr(err.message, '\n') == NULL, what, "the message is one line");
}

int main(int argc, char **argv) {
    if (argc != 2) return fprintf(stderr, "usage: link_errors DIR\n"), 2;
    char out[4096];
    snprintf(out, sizeof out, "%s/out.so", argv[1]);
    /* An x86-64 relocatable ELF header whose section header table lies far outside the
     * file: LLD's ELF reader reports it through fatal(). */
    static unsigned char bad_elf[128] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    bad_elf[16] = 1;  /* ET_REL */
    bad_elf[18] = 62; /* EM_X86_64 */
    memset(bad_elf + 40, 0xff, 8);
    static const char text[] = "this is not an object file";
    link_object corrupt = {bad_elf, sizeof bad_elf}, junk = {text, sizeof text - 1};
    refused("corrupt ELF (LLD's fatal path)", &corrupt, out);
    refused("corrupt ELF again (the process and LLD survived)", &corrupt, out);
    refused("not an object", &junk, out);
    check(count_files(argv[1]) == 0, "no output and no temporary file left", NULL);
    if (!failed) printf("all checks passed\n");
    return failed;
}

/*
 * hwasm_sign.c — hwasm-sign, the build pipeline's side of module signatures: makes an
 * ed25519 key pair, signs a compiled module (writing MODULE.sig, which hwasmd checks
 * against its trusted_keys) and verifies one. The format lives in hwasmd_trust.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "hwasmd.h"
#include "io_util.h"
#include "sha256.h"

static const char usage[] =
    "usage: hwasm-sign keygen NAME          writes NAME.key (secret, mode 0600) and NAME.pub\n"
    "       hwasm-sign sign NAME.key MODULE writes MODULE.sig\n"
    "       hwasm-sign verify PUB MODULE    checks MODULE.sig (PUB: a .pub file or base64 key)\n"
    "The .pub line goes into hwasmd's trusted_keys (docs/hwasmd.md); keep the .key secret.\n"
    "  -h, --help, --version\n";

static int die(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "hwasm-sign: error: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

/* The sha256 of a module no larger than libhwasm loads (a FIFO or a device is refused
 * unread, open_regular); 0, or -1 and why. */
static int file_digest(const char *path, uint8_t d[32], char *why, size_t why_cap) {
    FILE *f = fopen_regular(path, "rb", HW_MODULE_MAX_BYTES, " (HW_MODULE_MAX_BYTES)", why, why_cap);
    if (!f) return -1;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!nb) break;
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    int bad = ferror(f) || n == cap || n > HW_MODULE_MAX_BYTES;
    if (bad) snprintf(why, why_cap, "%s", ferror(f) ? strerror(errno) : "cannot read it whole");
    fclose(f);
    if (!bad) sha256(buf, n, d);
    free(buf);
    return bad ? -1 : 0;
}

/* Writes one line to path, created with mode (an existing file is replaced); 0 or -1. */
static int write_line(const char *path, const char *line, mode_t mode) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) return close(fd), -1;
    int bad = fprintf(f, "%s\n", line) < 0;
    bad |= fclose(f) != 0;
    return bad || rename(tmp, path) ? -1 : 0;
}

static int keygen(const char *name) {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char pk64[64], sk64[128], path[4200];
    crypto_sign_keypair(pk, sk);
    sodium_bin2base64(pk64, sizeof pk64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sk64, sizeof sk64, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(sk, sizeof sk);
    snprintf(path, sizeof path, "%s.key", name);
    if (write_line(path, sk64, 0600)) return die("%s: %s", path, strerror(errno));
    sodium_memzero(sk64, sizeof sk64);
    snprintf(path, sizeof path, "%s.pub", name);
    if (write_line(path, pk64, 0644)) return die("%s: %s", path, strerror(errno));
    printf("%s\n", pk64);
    return 0;
}

static int sign(const char *key_path, const char *module) {
    char line[256] = "", sig[128], path[4200], why[160];
    FILE *f = fopen_regular(key_path, "r", UINT64_MAX, NULL, why, sizeof why);
    if (!f) return die("%s: %s", key_path, why);
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    uint8_t sk[crypto_sign_SECRETKEYBYTES], d[32];
    size_t got;
    if (sodium_base642bin(sk, sizeof sk, line, strlen(line), NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) ||
        got != sizeof sk)
        return die("%s: not a secret key written by hwasm-sign keygen%s", key_path, "");
    sodium_memzero(line, sizeof line);
    if (file_digest(module, d, why, sizeof why)) return die("%s: %s", module, why);
    int rc = hwd_sig_make(d, sk, sig, sizeof sig);
    sodium_memzero(sk, sizeof sk);
    if (rc) return die("%s: cannot sign%s", module, "");
    snprintf(path, sizeof path, "%s%s", module, HWD_SIG_SUFFIX);
    if (write_line(path, sig, 0644)) return die("%s: %s", path, strerror(errno));
    printf("%s\n", path);
    return 0;
}

static int verify(const char *pub, const char *module) {
    uint8_t key[1][32], d[32];
    char why[600], sig[4200];
    if (hwd_key_parse(pub, ".", key[0], why, sizeof why)) return die("%s%s", why, "");
    if (file_digest(module, d, why, sizeof why)) return die("%s: %s", module, why);
    snprintf(sig, sizeof sig, "%s%s", module, HWD_SIG_SUFFIX);
    int r = hwd_sig_verify(d, sig, key, 1, why, sizeof why);
    if (r == -1) return die("%s: no signature (%s)", module, sig);
    if (r) return die("%s%s", why, "");
    printf("%s: good signature\n", module);
    return 0;
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) return die("libsodium cannot start%s%s", "", "");
    if (argc == 3 && !strcmp(argv[1], "keygen")) return keygen(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "sign")) return sign(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "verify")) return verify(argv[2], argv[3]);
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) return fputs(usage, stdout), 0;
    if (argc == 2 && !strcmp(argv[1], "--version")) return puts("hwasm-sign " HWASM_VERSION " (hwasm-sign v1 signatures)"), 0;
    static const char *const cmds[] = {"keygen", "sign", "verify"};
    static const int args[] = {3, 4, 4};
    for (int i = 0; i < 3; i++)
        if (argc >= 2 && !strcmp(argv[1], cmds[i])) {
            fprintf(stderr, "hwasm-sign: %s takes %d arguments, %d given (see hwasm-sign --help)\n", cmds[i],
                    args[i] - 2, argc - 2);
            return 2;
        }
    fprintf(stderr, "hwasm-sign: %s%s%s (see hwasm-sign --help)\n", argc < 2 ? "no command given" : "unknown command ",
            argc < 2 ? "" : argv[1], argc < 2 ? ": keygen, sign or verify" : "");
    return 2;
}

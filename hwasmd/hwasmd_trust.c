/*
 * hwasmd_trust.c — who may turn a file into code: ed25519 keys (libsodium) that sign a
 * module's sha256, in the format hwasm-sign writes and hwasmd checks. A signature covers
 * "hwasm-sign v1\n" + the 32-byte sha256 of the module file, so it never verifies as
 * anything but a hwasm module signature. Keys and signatures are one base64 line each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hwasmd.h"
#include "io_util.h"

#define CONTEXT "hwasm-sign v1\n"

static int ready(char *why, size_t cap) {
    if (sodium_init() < 0) return snprintf(why, cap, "libsodium cannot start"), -1;
    return 0;
}

/* The first line of a small text file (a key, a signature), without its end of line; NULL
 * with errno and why (open_regular's words: a FIFO or a device is refused unread) if
 * unreadable. */
static char *first_line(const char *path, char *why, size_t cap) {
    FILE *f = fopen_regular(path, "r", UINT64_MAX, NULL, why, cap);
    if (!f) return NULL;
    char buf[512];
    char *line = fgets(buf, sizeof buf, f) ? strdup(buf) : NULL;
    fclose(f);
    if (!line) return snprintf(why, cap, "the file is empty"), errno = ENODATA, NULL;
    line[strcspn(line, "\r\n")] = 0;
    return line;
}

static int decode(const char *b64, uint8_t *out, size_t want) {
    size_t got;
    return sodium_base642bin(out, want, b64, strlen(b64), " \t", &got, NULL, sodium_base64_VARIANT_ORIGINAL) ||
                   got != want
               ? -1
               : 0;
}

int hwd_key_parse(const char *text, const char *dir, uint8_t pk[32], char *why, size_t cap) {
    if (ready(why, cap)) return -1;
    if (strlen(text) == 44 && decode(text, pk, 32) == 0) return 0;
    char *path = NULL;
    if (text[0] == '/' || !dir) path = strdup(text);
    else if (asprintf(&path, "%s/%s", dir, text) < 0) path = NULL;
    if (!path) return snprintf(why, cap, "out of memory"), -1;
    char kind[128];
    char *line = first_line(path, kind, sizeof kind);
    int rc = 0;
    if (!line) {
        snprintf(why, cap, "%s: %s (expected a base64 ed25519 public key or a file holding one)", path, kind);
        rc = -1;
    } else if (decode(line, pk, 32)) {
        snprintf(why, cap, "%s: not a base64 ed25519 public key (hwasm-sign keygen writes one)", path);
        rc = -1;
    }
    free(line);
    free(path);
    return rc;
}

static void message(const uint8_t digest[32], uint8_t msg[sizeof CONTEXT - 1 + 32]) {
    memcpy(msg, CONTEXT, sizeof CONTEXT - 1);
    memcpy(msg + sizeof CONTEXT - 1, digest, 32);
}

int hwd_sig_verify(const uint8_t digest[32], const char *sig_path, uint8_t (*keys)[32], uint32_t n,
                   char *why, size_t cap) {
    if (ready(why, cap)) return -2;
    char kind[128];
    char *line = first_line(sig_path, kind, sizeof kind);
    if (!line && errno == ENOENT) return -1;
    if (!line && errno != ENODATA) return snprintf(why, cap, "%s: %s", sig_path, kind), -2;
    uint8_t sig[crypto_sign_BYTES], msg[sizeof CONTEXT - 1 + 32];
    if (!line || decode(line, sig, sizeof sig)) {
        free(line);
        return snprintf(why, cap, "%s: not a base64 ed25519 signature", sig_path), -2;
    }
    free(line);
    message(digest, msg);
    for (uint32_t i = 0; i < n; i++)
        if (crypto_sign_verify_detached(sig, msg, sizeof msg, keys[i]) == 0) return 0;
    snprintf(why, cap, "%s: %s", sig_path,
             n ? "not signed by any key in trusted_keys (or the module changed since it was signed)"
               : "a signature, but the config lists no trusted_keys");
    return -2;
}

int hwd_sig_make(const uint8_t digest[32], const uint8_t sk[64], char *out, size_t cap) {
    char why[64];
    uint8_t sig[crypto_sign_BYTES], msg[sizeof CONTEXT - 1 + 32];
    if (ready(why, sizeof why) || cap < sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL))
        return -1;
    message(digest, msg);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    sodium_bin2base64(out, cap, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

/*
 * sha256.h — SHA-256 (FIPS 180-4), for the digest of the input wasm that hwasmc records in
 * every descriptor so a runtime can refuse a .so built from another module.
 */
#ifndef HWASMC_SHA256_H
#define HWASMC_SHA256_H

#include <stddef.h>
#include <stdint.h>

void sha256(const uint8_t *data, size_t len, uint8_t out[32]);
/* d as 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t d[32], char out[65]);
/* Reads exactly 64 hex digits (either case) followed by the string's end into out: 0, or -1
 * when s is anything else. */
int sha256_hex_parse(const char *s, uint8_t out[32]);

#endif /* HWASMC_SHA256_H */

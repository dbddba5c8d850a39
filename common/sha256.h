/*
 * sha256.h — SHA-256 (FIPS 180-4), for the digest of the input wasm that hwasmc records in
 * every descriptor so a runtime can refuse a .so built from another module.
 */
#ifndef HWASMC_SHA256_H
#define HWASMC_SHA256_H

#include <stddef.h>
#include <stdint.h>

void sha256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif /* HWASMC_SHA256_H */

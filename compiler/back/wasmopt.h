/*
 * wasmopt.h — binaryen's wasm-to-wasm optimiser as an optional first stage of hwasmc.
 *
 * binaryen 108 calls exit() on inputs it cannot parse and lacks several 2.0 instructions,
 * so it runs in a forked child: whatever it does, hwasmc survives, and its output is
 * decoded and validated again like any untrusted input.
 */
#ifndef HWASMC_WASMOPT_H
#define HWASMC_WASMOPT_H

#include <stddef.h>
#include <stdint.h>

/* Optimises `in` at level "O1", "O2" or "Os". Returns 0 with a malloc'd *out (caller
 * frees), or -1 with a message in err (the caller keeps the unoptimised module). */
int wasmopt_run(const uint8_t *in, size_t len, const char *level, uint8_t **out,
                size_t *out_len, char *err, size_t err_len);

/* Whether `level` names a level wasmopt_run accepts. */
int wasmopt_level_valid(const char *level);

#endif /* HWASMC_WASMOPT_H */

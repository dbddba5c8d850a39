/*
 * crc32.c — crc32 (IEEE, table-driven, byte at a time) over a 1 MiB buffer, n passes,
 * each continuing from the previous crc. A dependent chain of byte loads, table lookups
 * and shifts.
 */
#include "kernel.h"

#define BUF_LEN (1u << 20)

static uint8_t buf[BUF_LEN];
static uint32_t table[256];

int64_t run(int32_t n) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t s = 99;
    for (uint32_t i = 0; i < BUF_LEN; i++) buf[i] = (uint8_t)rng_next(&s);
    uint32_t crc = 0xffffffffu;
    uint64_t h = 0;
    for (int32_t r = 0; r < n; r++) {
        for (uint32_t i = 0; i < BUF_LEN; i++) crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
        h = mix(h, crc);
    }
    return (int64_t)h;
}

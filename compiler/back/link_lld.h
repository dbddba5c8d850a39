/*
 * link_lld.h — LLD's ELF linker called in process (link_lld.cpp), for link.c.
 */
#ifndef HWASMC_LINK_LLD_H
#define HWASMC_LINK_LLD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs `ld.lld argv[1..argc-1]` in this process (argv[0] must be "ld.lld": it selects LLD's
 * GNU flavour). Returns 0, or non-zero with LLD's first error line in msg (always
 * NUL-terminated). Reads argv only. Not re-entrant: one call at a time per process. */
int link_lld(int argc, const char *const *argv, char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif /* HWASMC_LINK_LLD_H */

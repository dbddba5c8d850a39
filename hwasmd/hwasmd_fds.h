/*
 * hwasmd_fds.h — file descriptors: the limit raised at start and max_connections kept
 * within it (hwasmd_fds.c).
 */
#ifndef HWASMD_FDS_H
#define HWASMD_FDS_H

#include "hwasmd.h"

/* Raises the soft RLIMIT_NOFILE to the hard one (once, at start). */
void hwd_fds_raise(void);
/* Lowers cfg->max_connections to what RLIMIT_NOFILE leaves for client connections, saying so
 * in one line on stderr when it does. */
void hwd_fds_clamp(struct hwd_config *cfg);

#endif /* HWASMD_FDS_H */

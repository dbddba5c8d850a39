/*
 * hwasmd_admin.h — the admin listener's endpoints (hwasmd_admin.c).
 */
#ifndef HWASMD_ADMIN_H
#define HWASMD_ADMIN_H

#include "hwasmd.h"

/* The admin listener's answers: /healthz, /readyz, /metrics (Prometheus text). */
void hwd_admin_serve(const struct hwd_config *cfg, hw_http_exchange *x);
/* Whether serving x may take long (POST /reload: it compiles modules): then it runs off the
 * worker's loop. */
int hwd_admin_slow(const hw_http_exchange *x);

#endif /* HWASMD_ADMIN_H */

/*
 * hwasmd_admin.h — the admin listener's endpoints (hwasmd_admin.c).
 */
#ifndef HWASMD_ADMIN_H
#define HWASMD_ADMIN_H

#include "hwasmd.h"

/* The admin listener's answers: /healthz, /readyz, /metrics (Prometheus text). */
void hwd_admin_serve(const struct hwd_config *cfg, hw_http_exchange *x);

#endif /* HWASMD_ADMIN_H */

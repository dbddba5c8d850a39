/*
 * hwasmd_admin.h — the admin listener's endpoints (hwasmd_admin.c).
 */
#ifndef HWASMD_ADMIN_H
#define HWASMD_ADMIN_H

#include "hwasmd.h"

/* The admin listener's answers: /healthz, /readyz, /metrics (Prometheus text). */
void hwd_admin_serve(const struct hwd_config *cfg, hw_http_exchange *x);

/* 0 when token is NULL or q carries "Authorization: Bearer TOKEN"; else 401 (no such
 * header) or 403 (another token). Constant time in where the tokens differ. */
int hwd_admin_authorize(const char *token, const hw_http_request *q);

#endif /* HWASMD_ADMIN_H */

/*
 * hwasmd_request.h — serving one complete request (hwasmd_request.c).
 */
#ifndef HWASMD_REQUEST_H
#define HWASMD_REQUEST_H

#include "hwasmd_workers.h"

/* What a worker hands its connections (hwd_conn_handler): serve, a complete request in
 * c->x, the connection busy until hwd_conn_send is done with it; abandon, take c out of
 * its worker's parked requests if it is there (it is being closed). */
extern const struct hwd_conn_handler hwd_request_handler;

#endif /* HWASMD_REQUEST_H */

/*
 * hwasmd_request.h — serving one complete request (hwasmd_request.c).
 */
#ifndef HWASMD_REQUEST_H
#define HWASMD_REQUEST_H

#include "hwasmd_workers.h"

/* A complete request in c->x, the connection busy until hwd_conn_send is done with it. */
void hwd_serve_request(struct hwd_conn *c);
/* Takes c out of its worker's parked requests, if it is there (it is being closed). */
void hwd_request_unpark(struct hwd_conn *c);
/* The two above, as a worker hands them to its connections. */
extern const struct hwd_conn_handler hwd_request_handler;

#endif /* HWASMD_REQUEST_H */

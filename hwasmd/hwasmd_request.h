/*
 * hwasmd_request.h — serving one complete request (hwasmd_request.c).
 */
#ifndef HWASMD_REQUEST_H
#define HWASMD_REQUEST_H

struct hwd_conn;

/* A complete request in c->x, the connection busy until hwd_conn_send is done with it. */
void hwd_serve_request(struct hwd_conn *c);

#endif /* HWASMD_REQUEST_H */

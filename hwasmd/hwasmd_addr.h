/*
 * hwasmd_addr.h — listen and admin addresses, parsed the same way by the configuration
 * check and by the workers that bind them (hwasmd_addr.c).
 */
#ifndef HWASMD_ADDR_H
#define HWASMD_ADDR_H

#include <sys/socket.h>

/* "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (HOST then default_host, e.g. "0.0.0.0" or
 * "127.0.0.1"); HOST numeric, PORT 0..65535 (0: any free port). 0, or -1 when malformed. */
int hwd_addr_parse(const char *s, const char *default_host, struct sockaddr_storage *ss);

/* The default hosts: the proxy listens on every IPv4 address, the admin on loopback only. */
#define HWD_LISTEN_HOST "0.0.0.0"
#define HWD_ADMIN_HOST "127.0.0.1"

#endif /* HWASMD_ADDR_H */

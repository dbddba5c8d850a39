/*
 * hwasmd_addr.c — the listen and admin addresses: "HOST:PORT", "[V6]:PORT", ":PORT" or
 * "PORT", HOST a numeric IPv4 or IPv6 address (no name lookup: whether hwasmd starts must
 * not depend on DNS). One parser for the configuration check and for binding, so a
 * configuration --check accepts binds, unless the port is taken (a runtime matter).
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "hwasmd_addr.h"

int hwd_addr_parse(const char *s, const char *default_host, struct sockaddr_storage *ss) {
    char host[256];
    const char *colon = strrchr(s, ':');
    const char *port_s = colon ? colon + 1 : s;
    size_t hl = colon ? (size_t)(colon - s) : 0;
    if (!*port_s || strspn(port_s, "0123456789") != strlen(port_s) || strlen(port_s) > 5) return -1;
    int port = atoi(port_s);
    if (port > 65535 || hl >= sizeof host) return -1;
    memcpy(host, s, hl);
    host[hl] = 0;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[' && hl > 1 && host[hl - 1] == ']') {
        host[hl - 1] = 0;
        return uv_ip6_addr(host + 1, port, (struct sockaddr_in6 *)ss) ? -1 : 0;
    }
    if (strchr(host, ':')) return -1; /* a bare IPv6 address: its port would be ambiguous */
    return uv_ip4_addr(hl ? host : default_host, port, (struct sockaddr_in *)ss) ? -1 : 0;
}

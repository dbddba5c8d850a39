/*
 * hwasmd_forwarded.h — what a request says about the proxies it came through, believed
 * only from a proxy the config trusts (trusted_proxies; hwasmd_forwarded.c).
 *
 * Apps behind a proxy read the client's address, scheme and host from fields that proxy
 * sets: X-Forwarded-For, -Proto, -Host (Django, Express, Rails, Spring, Werkzeug's
 * ProxyFix), Forwarded (Spring prefers it), X-Real-IP (chi's RealIP), X-Original-URL
 * (Symfony, IIS). An app told to trust them because hwasmd sets some must not get any of
 * them from a stranger: from a client that is not a trusted proxy the whole family is
 * dropped as the request arrives, before routes and guests (Traefik does the same). From a
 * trusted proxy they stay. Either way the app gets X-Forwarded-For ending with the
 * client's address, and X-Forwarded-Proto (http unless a trusted proxy or a guest said
 * otherwise): hwd_upstream_head. That address is written by hwd_peer_name, the same way
 * for the access log and the guests.
 */
#ifndef HWASMD_FORWARDED_H
#define HWASMD_FORWARDED_H

#include <stdint.h>
#include <sys/socket.h>

#include <hwasm/hwasm_http.h>

/* A network whose clients are trusted proxies: IPv4 or IPv6, with a prefix length. */
struct hwd_cidr {
    uint8_t addr[16]; /* IPv4 in the first 4 bytes */
    uint8_t bits;
    uint8_t v6;
};

/* Parses "10.0.0.0/8", "192.168.1.1" (/32), "fd00::/8" or "::1" (/128) into *out; host
 * bits past the prefix must be zero. 0, or -1 with why (cap bytes) said. */
int hwd_cidr_parse(const char *s, struct hwd_cidr *out, char *why, size_t cap);

/* Whether the peer sa is inside one of nets[0..n) (an IPv4-mapped IPv6 peer matches IPv4
 * networks). */
int hwd_cidr_match(const struct hwd_cidr *nets, uint32_t n, const struct sockaddr *sa);

/* The client's address as every place that shows it writes it (X-Forwarded-For, the
 * access log, the guests' get_source_addr): "a.b.c.d:port" for IPv4, an IPv4-mapped IPv6
 * peer included (a dual-stack listener's IPv4 client: it was "[::ffff:a.b.c.d]:port", and
 * the app's X-Forwarded-For "::ffff:a.b.c.d", which an app comparing it with an IPv4
 * address or network never matches; trusted_proxies already matched it as IPv4), "[v6]:port"
 * for IPv6, "" for any other family. (nginx 1.22 and HAProxy 2.6 write ::ffff:a.b.c.d on a
 * dual-stack socket; nginx's usual separate IPv4 and IPv6 sockets give a.b.c.d.) cap is at
 * least 64. */
void hwd_peer_name(const struct sockaddr *sa, char *out, size_t cap);

/* Whether a field name is one a proxy vouches for: Forwarded, X-Forwarded-*, X-Real-IP,
 * X-Client-IP, True-Client-IP, X-Cluster-Client-IP, CF-Connecting-IP, Fastly-Client-IP,
 * X-Original-URL, X-Rewrite-URL. */
int hwd_forwarded_field(const char *name, size_t len);

/* Removes every hwd_forwarded_field line of a request whose client is not a trusted proxy,
 * as it arrives: guests and the app never see them. 0 or -1 (no memory). */
int hwd_forwarded_strip(hw_http_headers *h);

#endif /* HWASMD_FORWARDED_H */

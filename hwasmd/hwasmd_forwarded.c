/*
 * hwasmd_forwarded.c — the forwarding fields of a request (X-Forwarded-*, Forwarded,
 * X-Real-IP and kin), believed only from a trusted proxy: hwasmd_forwarded.h says why.
 * Stripped once as the request arrives, so the guests never read a stranger's either; a
 * guest that sets one (a client address it knows better) is what the app gets. And the
 * client's own address as text, one way for every place that shows it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd_forwarded.h"

int hwd_cidr_parse(const char *s, struct hwd_cidr *out, char *why, size_t cap) {
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    memset(out, 0, sizeof *out);
    if (n >= sizeof addr) return snprintf(why, cap, "\"%s\" is not an address", s), -1;
    memcpy(addr, s, n);
    addr[n] = 0;
    if (inet_pton(AF_INET, addr, out->addr) == 1) out->bits = 32;
    else if (inet_pton(AF_INET6, addr, out->addr) == 1) out->bits = 128, out->v6 = 1;
    else return snprintf(why, cap, "\"%s\" is not an IPv4 or IPv6 address", addr), -1;
    if (slash) {
        char *end;
        unsigned long bits = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || slash[1] < '0' || slash[1] > '9' || bits > out->bits)
            return snprintf(why, cap, "\"%s\": the prefix length must be 0..%u", s, out->bits), -1;
        out->bits = (uint8_t)bits;
    }
    /* "::ffff:10.0.0.0/104" is the IPv4 network a dual-stack listener sees mapped: the
     * peer is matched as IPv4 (hwd_cidr_match), so the network is kept as one */
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (out->v6 && out->bits >= 96 && !memcmp(out->addr, mapped, 12)) {
        memmove(out->addr, out->addr + 12, 4);
        memset(out->addr + 4, 0, 12);
        out->bits -= 96;
        out->v6 = 0;
    }
    for (unsigned b = out->bits; b < (out->v6 ? 128u : 32u); b++)
        if (out->addr[b / 8] & (0x80 >> (b % 8)))
            return snprintf(why, cap, "\"%s\" has bits set past its prefix length", s), -1;
    return 0;
}

static int in_net(const struct hwd_cidr *net, const uint8_t *a) {
    unsigned whole = net->bits / 8, rest = net->bits % 8;
    if (memcmp(net->addr, a, whole)) return 0;
    return !rest || !((net->addr[whole] ^ a[whole]) & (uint8_t)(0xff << (8 - rest)));
}

int hwd_cidr_match(const struct hwd_cidr *nets, uint32_t n, const struct sockaddr *sa) {
    const uint8_t *a;
    int v6;
    if (sa->sa_family == AF_INET) {
        a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
        v6 = 0;
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *in6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        v6 = !IN6_IS_ADDR_V4MAPPED(in6);
        a = in6->s6_addr + (v6 ? 0 : 12);
    } else {
        return 0;
    }
    for (uint32_t i = 0; i < n; i++)
        if (nets[i].v6 == v6 && in_net(&nets[i], a)) return 1;
    return 0;
}

void hwd_peer_name(const struct sockaddr *sa, char *out, size_t cap) {
    char ip[INET6_ADDRSTRLEN];
    *out = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        if (inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip)) snprintf(out, cap, "%s:%u", ip, ntohs(v4->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        unsigned port = ntohs(v6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) { /* the last 4 bytes are the IPv4 address */
            if (inet_ntop(AF_INET, v6->sin6_addr.s6_addr + 12, ip, sizeof ip)) snprintf(out, cap, "%s:%u", ip, port);
        } else if (inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip)) {
            snprintf(out, cap, "[%s]:%u", ip, port);
        }
    }
}

int hwd_forwarded_field(const char *name, size_t len) {
    static const char *const names[] = {"forwarded",        "x-real-ip",        "x-client-ip",
                                        "true-client-ip",   "x-cluster-client-ip", "cf-connecting-ip",
                                        "fastly-client-ip", "x-original-url",   "x-rewrite-url"};
    if (len < 9) return 0;
    switch (name[0] | 0x20) { /* most names start otherwise: one compare */
    case 'x':
        if (len > 12 && !strncasecmp(name, "x-forwarded-", 12)) return 1;
        break;
    case 'f': case 't': case 'c': break;
    default: return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == len && !strncasecmp(name, names[i], len)) return 1;
    return 0;
}

/* Removes every line of the field h->fields[i] is. */
static int remove_all(hw_http_headers *h, uint32_t i) {
    char small[64], *name = small;
    size_t len = h->fields[i].name_len;
    if (len >= sizeof small && !(name = malloc(len + 1))) return -1;
    memcpy(name, h->fields[i].name, len); /* removing frees the field's own copy */
    hw_http_headers_remove(h, name, len);
    if (name != small) free(name);
    return 0;
}

int hwd_forwarded_strip(hw_http_headers *h) {
    for (uint32_t i = 0; i < h->count;)
        if (!hwd_forwarded_field(h->fields[i].name, h->fields[i].name_len)) i++;
        else if (remove_all(h, i)) return -1;
    return 0;
}

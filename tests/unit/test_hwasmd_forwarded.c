/*
 * test_hwasmd_forwarded.c — who is a trusted proxy, and what a stranger's request loses
 * (hwasmd/hwasmd_forwarded.c): networks parsed as written or refused with a reason, peers
 * matched over IPv4, IPv6 and IPv4-mapped IPv6 (a dual-stack listener's view of an IPv4
 * client), the forwarding fields stripped whatever their case, every line of them, and the
 * client's address written as text (an IPv4-mapped one as plain IPv4).
 */
#include <arpa/inet.h>
#include <string.h>

#include <check.h>

#include "hwasmd_forwarded.h"
#include "unit_support.h"

/* Whether address a (IPv4 or IPv6 text, as a peer's sockaddr) is inside the one network
 * net; -1 when net does not parse. */
static int inside(const char *net, const char *a) {
    struct hwd_cidr c;
    char why[128];
    if (hwd_cidr_parse(net, &c, why, sizeof why)) return -1;
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, a, &v4.sin_addr) == 1) return hwd_cidr_match(&c, 1, (struct sockaddr *)&v4);
    ck_assert_int_eq(inet_pton(AF_INET6, a, &v6.sin6_addr), 1);
    return hwd_cidr_match(&c, 1, (struct sockaddr *)&v6);
}

START_TEST(networks) {
    ck_assert_int_eq(inside("10.0.0.0/8", "10.1.2.3"), 1);
    ck_assert_int_eq(inside("10.0.0.0/8", "11.0.0.1"), 0);
    ck_assert_int_eq(inside("192.168.1.7", "192.168.1.7"), 1);
    ck_assert_int_eq(inside("192.168.1.7", "192.168.1.8"), 0);
    ck_assert_int_eq(inside("172.16.0.0/12", "172.31.255.255"), 1);
    ck_assert_int_eq(inside("172.16.0.0/12", "172.32.0.0"), 0);
    ck_assert_int_eq(inside("0.0.0.0/0", "8.8.8.8"), 1);
    ck_assert_int_eq(inside("::1", "::1"), 1);
    ck_assert_int_eq(inside("fd00::/8", "fd12::1"), 1);
    ck_assert_int_eq(inside("fd00::/8", "fe80::1"), 0);
    /* an IPv4 client of a dual-stack listener is ::ffff:a.b.c.d: IPv4 networks hold it,
     * and an IPv4-mapped network is an IPv4 one */
    ck_assert_int_eq(inside("127.0.0.0/8", "::ffff:127.0.0.1"), 1);
    ck_assert_int_eq(inside("::ffff:127.0.0.1", "::ffff:127.0.0.1"), 1);
    ck_assert_int_eq(inside("::ffff:127.0.0.1", "127.0.0.1"), 1);
    ck_assert_int_eq(inside("::ffff:10.0.0.0/104", "10.9.9.9"), 1);
    ck_assert_int_eq(inside("::ffff:10.0.0.0/104", "11.0.0.1"), 0);
    ck_assert_int_eq(inside("::/0", "::ffff:10.0.0.1"), 0); /* an IPv6 network: no IPv4 peer */
    /* refused: host bits past the prefix, a prefix too long, not an address */
    static const char *const bad[] = {"10.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
                                      "host.example", "", "10.0.0.0/-1", "1.2.3.4/08x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) ck_assert_int_eq(inside(bad[i], "10.0.0.1"), -1);
}
END_TEST

START_TEST(strip) {
    hw_http_headers h = {0};
    static const char *const lines[][2] = {
        {"Host", "a"},           {"X-Forwarded-For", "1.1.1.1"}, {"forwarded", "for=x"},
        {"Accept", "*/*"},       {"X-FORWARDED-HOST", "evil"},   {"X-Real-IP", "6.6.6.6"},
        {"X-Forwarded-For", "2"}, {"X-Forwardedx", "kept"},      {"X-Original-URL", "/admin"},
        {"True-Client-IP", "6"}, {"x-forwarded-", "kept"},       {"Cookie", "c=1"}};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        ck_assert_int_eq(hw_http_headers_add(&h, lines[i][0], strlen(lines[i][0]), lines[i][1], strlen(lines[i][1])), 0);
    ck_assert_int_eq(hwd_forwarded_strip(&h), 0);
    static const char *const kept[] = {"Host", "Accept", "X-Forwardedx", "x-forwarded-", "Cookie"};
    ck_assert_uint_eq(h.count, 5);
    for (uint32_t i = 0; i < h.count; i++) ck_assert_str_eq(h.fields[i].name, kept[i]);
    hw_http_headers_free(&h);
}
END_TEST

/* hwd_peer_name of address a (IPv4 or IPv6 text) and port. */
static const char *peer(const char *a, unsigned port) {
    static char out[64];
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, a, &v4.sin_addr) == 1) hwd_peer_name((struct sockaddr *)&v4, out, sizeof out);
    else if (inet_pton(AF_INET6, a, &v6.sin6_addr) == 1) hwd_peer_name((struct sockaddr *)&v6, out, sizeof out);
    else ck_abort_msg("%s is no address", a);
    return out;
}

START_TEST(peer_names) {
    ck_assert_str_eq(peer("10.1.2.3", 80), "10.1.2.3:80");
    /* a dual-stack listener's IPv4 client: "[::ffff:10.1.2.3]:5000" before */
    ck_assert_str_eq(peer("::ffff:10.1.2.3", 5000), "10.1.2.3:5000");
    ck_assert_str_eq(peer("::1", 65535), "[::1]:65535");
    ck_assert_str_eq(peer("2001:db8::ffff:10.1.2.3", 1), "[2001:db8::ffff:a01:203]:1"); /* not mapped */
    ck_assert_str_eq(peer("::10.1.2.3", 1), "[::10.1.2.3]:1"); /* IPv4-compatible: not mapped */
    struct sockaddr_storage none = {.ss_family = AF_UNIX};
    char out[64] = "x";
    hwd_peer_name((struct sockaddr *)&none, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

int main(void) {
    Suite *s = suite_create("hwasmd_forwarded");
    TCase *tc = tcase_create("forwarded");
    tcase_add_test(tc, networks);
    tcase_add_test(tc, strip);
    tcase_add_test(tc, peer_names);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

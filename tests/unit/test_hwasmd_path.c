/*
 * test_hwasmd_path.c — the path hwasmd matches routes on (hwasmd/hwasmd_path.c): every
 * spelling of a path normalises to the one the app will see, the spellings with no single
 * meaning are refused, the fast check never lets through a path the slow one would change,
 * and long hostile paths are handled in one bounded pass.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hwasmd_path.h"
#include "unit_support.h"

/* Normalises s; returns the result (static buffer) or NULL when refused. */
static const char *norm(const char *s) {
    static char out[4096];
    size_t n = strlen(s), len = 0;
    ck_assert_uint_lt(n, sizeof out);
    memset(out, 0x55, sizeof out);
    if (hwd_path_normalize(s, n, out, &len)) return NULL;
    ck_assert_uint_le(len, n);
    out[len] = 0;
    return out;
}

START_TEST(spellings) {
    static const char *const rows[][2] = {
        {"/", "/"},
        {"/api/x", "/api/x"},
        {"/%61pi/x", "/api/x"},
        {"/%41PI/x", "/API/x"},
        {"//api/x", "/api/x"},
        {"/api//x///", "/api/x/"},
        {"////", "/"},
        {"/./api/x", "/api/x"},
        {"/x/../api/x", "/api/x"},
        {"/x/%2e%2e/api/x", "/api/x"},
        {"/x/%2E%2e/api/x", "/api/x"},
        {"/x/.%2E/api", "/api"},
        {"/%2e/api", "/api"},
        {"/a/./b/../..", "/"},
        {"/a/.", "/a/"},
        {"/a/..", "/"},
        {"/a/b/.", "/a/b/"},
        {"/a/b/..", "/a/"},
        {"/a/b/", "/a/b/"},
        {"/a/./", "/a/"},
        {"/a//..//b", "/b"},
        {"/%7E", "/~"},
        {"/%7e", "/~"},
        {"/%2D%2d%5F%5f%30%39", "/--__09"},
        {"/caf%c3%a9", "/caf%C3%A9"},
        {"/caf%C3%A9", "/caf%C3%A9"},
        {"/a%20b", "/a%20b"},
        {"/%25", "/%25"},
        {"/%2561", "/%2561"}, /* one decoding only: %25 stays %25 */
        {"/%3F", "/%3F"},     /* an encoded '?' is part of the path, not a query */
        {"/...", "/..."},
        {"/.a/..b/a.", "/.a/..b/a."},
        {"/.well-known/x", "/.well-known/x"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *got = norm(rows[i][0]);
        ck_assert_msg(got && !strcmp(got, rows[i][1]), "%s: got %s, want %s", rows[i][0],
                      got ? got : "(refused)", rows[i][1]);
    }
}
END_TEST

/* The config normalises route prefixes in place. */
START_TEST(in_place) {
    char p[] = "//x/./y/../%61%2f";
    size_t len;
    ck_assert_int_eq(hwd_path_normalize(p, 14, p, &len), 0); /* "//x/./y/../%61" */
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(memcmp(p, "/x/a", 4), 0);
    char q[] = "/%c3%a9//%2E/b";
    ck_assert_int_eq(hwd_path_normalize(q, strlen(q), q, &len), 0);
    ck_assert_uint_eq(len, 9);
    ck_assert_int_eq(memcmp(q, "/%C3%A9/b", 9), 0);
}
END_TEST

START_TEST(refusals) {
    static const char *const rows[] = {
        /* above the root */
        "/..", "/../x", "/a/../..", "/a/./b/../../..", "/%2e%2e", "/a/%2E%2E/%2e%2e/x",
        /* an encoded '/' or NUL */
        "/a%2Fb", "/a%2fb", "/%2F", "/a%00", "/%00/x",
        /* broken escapes */
        "/%", "/a%", "/%4", "/%zz", "/%g1", "/%1g", "/%%41",
        /* not a path */
        "", "api", "%2F",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        ck_assert_msg(norm(rows[i]) == NULL, "%s: not refused (got %s)", rows[i], norm(rows[i]));
}
END_TEST

START_TEST(fast_check) {
    static const char *const normal[] = {"/", "/api/x", "/a.b/c-d_e~f", "/a.", "/a/b/"};
    static const char *const slow[] = {"/%61",   "//",           "/a//b", "/.", "/a/./b",
                                       "/a/..", "/.well-known", "a",     ""};
    for (size_t i = 0; i < sizeof normal / sizeof normal[0]; i++)
        ck_assert_msg(hwd_path_is_normal(normal[i], strlen(normal[i])), "%s", normal[i]);
    for (size_t i = 0; i < sizeof slow / sizeof slow[0]; i++)
        ck_assert_msg(!hwd_path_is_normal(slow[i], strlen(slow[i])), "%s", slow[i]);
}
END_TEST

/* Random paths over the characters that matter: a path the fast check calls normal comes
 * out unchanged, every result is itself normal (normalising it again changes nothing). */
START_TEST(random_paths) {
    static const char alphabet[] = "//..%%2eEfF0a~";
    unsigned seed = 12345;
    char in[64], again[64];
    for (int round = 0; round < 200000; round++) {
        size_t n = 1 + (size_t)(rand_r(&seed) % 40);
        in[0] = '/';
        for (size_t i = 1; i < n; i++) in[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
        in[n] = 0;
        const char *out = norm(in);
        if (hwd_path_is_normal(in, n)) ck_assert_msg(out && !strcmp(out, in), "%s changed", in);
        if (!out) continue;
        size_t len = strlen(out), len2 = 0;
        ck_assert_int_eq(hwd_path_normalize(out, len, again, &len2), 0);
        ck_assert_msg(len2 == len && !memcmp(again, out, len), "%s -> %s is not stable", in, out);
    }
}
END_TEST

/* 1 MiB paths: deep, then climbing back; only slashes; only dots. One pass, no recursion. */
START_TEST(long_paths) {
    size_t n = 1u << 20;
    char *p = malloc(n + 1), *out = malloc(n);
    size_t len;
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n / 2; i += 2) memcpy(p + i, "/a", 2);
    for (size_t i = n / 2; i < n; i += 3) memcpy(p + i, "/..", n - i < 3 ? n - i : 3);
    /* n/4 segments down, n/6 back up: still below the root */
    ck_assert_int_eq(hwd_path_normalize(p, n - n % 3, out, &len), 0);
    memset(p, '/', n);
    ck_assert_int_eq(hwd_path_normalize(p, n, out, &len), 0);
    ck_assert_uint_eq(len, 1);
    for (size_t i = 0; i < n; i += 2) memcpy(p + i, "/.", 2);
    ck_assert_int_eq(hwd_path_normalize(p, n, out, &len), 0);
    ck_assert_uint_eq(len, 1);
    for (size_t i = 0; i < n; i += 3) memcpy(p + i, "/..", n - i < 3 ? n - i : 3);
    ck_assert_int_eq(hwd_path_normalize(p, n, out, &len), -1);
    free(p);
    free(out);
}
END_TEST

/* An encoded '/' read both ways (encoded_slashes: keep): as a byte of its segment (never
 * a separator, never part of a dot-segment) and as the '/' an app that decodes it first
 * sees; refused alone it is -2, with anything else wrong -1; %00 is refused in every mode. */
START_TEST(encoded_slashes) {
    static const char *const rows[][3] = {
        /* path, KEEP, DECODE ("" refused) */
        {"/api/queues/%2F/q", "/api/queues/%2F/q", "/api/queues/q"},
        {"/api/queues/%2f/q", "/api/queues/%2F/q", "/api/queues/q"},
        {"/api%2Fadmin", "/api%2Fadmin", "/api/admin"},
        {"/g%2Fp/-/x", "/g%2Fp/-/x", "/g/p/-/x"},
        {"/a/..%2Fb", "/a/..%2Fb", "/b"},
        {"/a%2F..%2Fb", "/a%2F..%2Fb", "/b"},
        {"/a/%2e%2e%2Fb", "/a/..%2Fb", "/b"},
        {"/a/%2e%2e/b%2F", "/b%2F", "/b/"},
        {"/%2F", "/%2F", "/"},
        {"/%2F%2F%2F", "/%2F%2F%2F", "/"},
        {"/x%2F..%2F..%2Fy", "/x%2F..%2F..%2Fy", ""},
        {"/a%2F%00", "", ""},
        {"/..%2Fx/..", "/", ""},
        {"/a%2F%zz", "", ""},
    };
    static char out[256];
    size_t len;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *p = rows[i][0];
        int rej = hwd_path_normalize(p, strlen(p), out, &len);
        ck_assert_msg(rej == (*rows[i][1] ? -2 : -1), "%s: REJECT gave %d", p, rej);
        for (int m = 1; m <= 2; m++) {
            enum hwd_slash mode = m == 1 ? HWD_SLASH_KEEP : HWD_SLASH_DECODE;
            int rc = hwd_path_normalize_slashes(p, strlen(p), out, &len, mode);
            ck_assert_uint_le(rc ? 0 : len, strlen(p));
            if (!rc) out[len] = 0;
            ck_assert_msg(rc ? !*rows[i][m] : !strcmp(out, rows[i][m]), "%s mode %d: got %s, want %s",
                          p, m, rc ? "(refused)" : out, rows[i][m]);
        }
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("hwasmd_path");
    TCase *tc = tcase_create("path");
    tcase_add_test(tc, spellings);
    tcase_add_test(tc, in_place);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, encoded_slashes);
    tcase_add_test(tc, fast_check);
    tcase_add_test(tc, random_paths);
    tcase_add_test(tc, long_paths);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

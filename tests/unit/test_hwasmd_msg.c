/*
 * test_hwasmd_msg.c — the escaper every "hwasmd: ..." message passes through
 * (hwd_msg_oneline, hwasmd/hwasmd_buf.c): whatever bytes a configuration, a guest or
 * hwasmc put into a message, it comes out one line, escaped exactly as a guest's log text
 * is, within its buffer, a prefix of the whole escaped text and never cut inside an escape
 * or a character; the names hwasmd prints as they are (hwd_name_ok) have no control byte;
 * a guest's log text (hwd_log_text, what guest_log prints) keeps well-formed UTF-8 and
 * escapes every other byte that is not printable ASCII or a tab; and a module url is
 * printed without its credentials (hwd_url_redact).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hwasmd.h"
#include "hwasmd_buf.h"
#include "hwasmd_http_get.h"
#include "unit_support.h"

/* hwd_log_text of in[0..n), as a string. */
static void log_text(const char *in, size_t n, char *out, size_t cap) {
    char *p = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&p, &len);
    ck_assert_ptr_nonnull(f);
    hwd_log_text(f, in, n);
    fclose(f);
    ck_assert_uint_lt(len, cap);
    memcpy(out, p, len + 1);
    free(p);
}

static void oneline(const char *in, size_t cap, char *out) {
    memset(out, 0x55, 512);
    strcpy(out, in);
    hwd_msg_oneline(out, cap);
}

START_TEST(escapes) {
    char out[512];
    oneline("plain text", 64, out);
    ck_assert_str_eq(out, "plain text");
    oneline("a\nb\rc\td\x1b[2Je\x7f" "f", 64, out);
    ck_assert_str_eq(out, "a\\x0ab\\x0dc\td\\x1b[2Je\\x7ff");
    oneline("\n\n\n", 64, out);
    ck_assert_str_eq(out, "\\x0a\\x0a\\x0a");
    oneline("caf\xc3\xa9", 64, out); /* well-formed UTF-8 is kept */
    ck_assert_str_eq(out, "caf\xc3\xa9");
}
END_TEST

/* What a guest's output or hwasmc's words bring into a load error: C1 controls (an 8-bit
 * CSI starts a terminal escape as ESC [ does), bytes that are not UTF-8; escaped as a
 * guest's log text is, by the same function. */
START_TEST(escapes_as_log_text) {
    static const char *const hostile[] = {
        "start: unreachable (guest output: \xc2\x9b" "2J\x9b" "31m)", /* C1 CSI, UTF-8 and raw */
        "function 1 ($\xff\xfe\xc3) at offset 0x21: type mismatch",   /* not UTF-8; cut sequence */
        "\xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf caf\xc3\xa9 \xe2\x82\xac\ttab",
        "a\nhwasmd: forged line\r\x1b[2J",
    };
    char out[512], want[512];
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        oneline(hostile[i], sizeof out, out);
        log_text(hostile[i], strlen(hostile[i]), want, sizeof want);
        ck_assert_msg(!strcmp(out, want), "case %zu: got \"%s\", want \"%s\"", i, out, want);
    }
    oneline(hostile[0], sizeof out, out);
    ck_assert_str_eq(out, "start: unreachable (guest output: \\xc2\\x9b" "2J\\x9b" "31m)");
    oneline(hostile[1], sizeof out, out);
    ck_assert_str_eq(out, "function 1 ($\\xff\\xfe\\xc3) at offset 0x21: type mismatch");
}
END_TEST

/* Every cut of a message mixing every width: a prefix of the whole, whole escapes and
 * whole UTF-8 characters only. */
START_TEST(every_cap) {
    const char *in = "k: \"v\n\x01x\ty\x7f\rz\xe2\x82\xac\xff\xc2\x9b\"";
    char whole[512], out[512];
    oneline(in, sizeof whole, whole);
    size_t full = strlen(whole);
    for (size_t cap = 1; cap <= full + 3; cap++) {
        oneline(in, cap, out);
        size_t n = strlen(out);
        ck_assert_uint_lt(n, cap);
        if (cap > full) ck_assert_uint_eq(n, full);
        else ck_assert_uint_ge(n + 4, cap); /* cut only where the next escape (4 at most) no longer fits */
        ck_assert_int_eq(memcmp(out, whole, n), 0);
        for (size_t i = 0; i < n; i++) ck_assert(out[i] == '\t' || (unsigned char)out[i] >= 0x20);
        /* the next whole-text byte starts an escape, a character or a plain byte, never the
         * inside of one */
        if (n < full) {
            size_t j = 0;
            while (j < n) j += whole[j] == '\\' ? 4 : (unsigned char)whole[j] == 0xe2 ? 3 : 1;
            ck_assert_uint_eq(j, n);
        }
    }
}
END_TEST

START_TEST(names) {
    ck_assert(hwd_name_ok("router"));
    ck_assert(hwd_name_ok("a.b-c_d 1"));
    ck_assert(!hwd_name_ok(""));
    ck_assert(!hwd_name_ok("a\nb"));
    ck_assert(!hwd_name_ok("a\x1b"));
    ck_assert(!hwd_name_ok("\x7f"));
    char long_name[HWD_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name);
    long_name[HWD_NAME_MAX] = 0;
    ck_assert(hwd_name_ok(long_name));
    long_name[HWD_NAME_MAX] = 'n';
    long_name[HWD_NAME_MAX + 1] = 0;
    ck_assert(!hwd_name_ok(long_name));
}
END_TEST

START_TEST(guest_log_text) {
    static const struct {
        const char *in;
        size_t n; /* 0: strlen */
        const char *want;
    } cases[] = {
        {"plain text\twith a tab", 0, "plain text\twith a tab"},
        {"a\nb\rc\x1b[2J", 0, "a\\x0ab\\x0dc\\x1b[2J"},
        {"nul\0x", 5, "nul\\x00x"},
        {"del\x7f", 0, "del\\x7f"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"\x80\xff", 0, "\\x80\\xff"},                    /* stray bytes */
        {"\xc3", 0, "\\xc3"},                              /* cut sequence at the end */
        {"\xc3(", 0, "\\xc3("},                            /* bad continuation */
        {"\xc0\xaf", 0, "\\xc0\\xaf"},                      /* overlong '/' */
        {"\xed\xa0\x80", 0, "\\xed\\xa0\\x80"},              /* a surrogate */
        {"\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"},      /* past U+10FFFF */
        {"\xc2\x9b" "31m", 0, "\\xc2\\x9b" "31m"},              /* C1 CSI */
        {"\xc2\xa0nbsp", 0, "\xc2\xa0nbsp"},                   /* U+00A0 is text */
    };
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        log_text(cases[i].in, cases[i].n ? cases[i].n : strlen(cases[i].in), out, sizeof out);
        ck_assert_msg(!strcmp(out, cases[i].want), "case %zu: got \"%s\"", i, out);
    }
}
END_TEST

/* Module urls as messages print them: credentials never (hwd_url_redact). */
START_TEST(urls_redacted) {
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"https://user:s3cret@host.example/g/auth.wasm", "https://***@host.example/g/auth.wasm"},
        {"http://tok@127.0.0.1:8080/a.wasm", "http://***@127.0.0.1:8080/a.wasm"},
        {"https://u:p@ss@host/x", "https://***@host/x"}, /* the last '@' ends the userinfo */
        {"https://host/a.wasm?token=s3cret&v=2", "https://host/a.wasm?token=***&v=***"},
        {"https://host/a.wasm?s3cret#frag", "https://host/a.wasm?***#***"},
        {"https://u:p@host?X-Amz-Signature=abc", "https://***@host?X-Amz-Signature=***"},
        {"oci://robot:s3cret@registry.example/guests/auth:v1", "oci://***@registry.example/guests/auth:v1"},
        {"oci://registry.example/guests/auth@sha256:0123", "oci://registry.example/guests/auth@sha256:0123"},
        {"https://host.example/g/auth.wasm", "https://host.example/g/auth.wasm"},
        {"/opt/guests/a@b.wasm", "/opt/guests/a@b.wasm"}, /* a path, not a url */
        {"guests/x://y@z", "guests/x://y@z"},
    };
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_ptr_eq(hwd_url_redact(cases[i].in, out, sizeof out), out);
        ck_assert_msg(!strcmp(out, cases[i].want), "case %zu: got \"%s\"", i, out);
    }
    hwd_url_redact("https://user:s3cret@host/a.wasm?token=s3cret", out, 12); /* cut, never past cap */
    ck_assert_str_eq(out, "https://***");
}
END_TEST

int main(void) {
    Suite *s = suite_create("hwasmd_msg");
    TCase *tc = tcase_create("msg");
    tcase_add_test(tc, escapes);
    tcase_add_test(tc, escapes_as_log_text);
    tcase_add_test(tc, every_cap);
    tcase_add_test(tc, names);
    tcase_add_test(tc, guest_log_text);
    tcase_add_test(tc, urls_redacted);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}

/*
 * spec_selftest.c — unit tests (check) for the spec runner's own pieces: the strict JSON
 * reader and the value rules (bit patterns, NaN classes, externref mapping). A runner bug
 * would otherwise show up as a compiler or runtime failure.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwasm/hwasm_module.h>
#include "spec_json.h"
#include "spec_value.h"

static json_value *parse(const char *text) {
    char err[128];
    return json_parse(text, strlen(text), err, sizeof err);
}

START_TEST(json_reads_wast2json_shapes) {
    json_value *v = parse("{\"commands\": [{\"type\": \"module\", \"line\": 12, \"filename\": \"a.0.wasm\"}, []]}");
    ck_assert_ptr_nonnull(v);
    const json_value *cmds = json_get(v, "commands");
    ck_assert_int_eq(cmds->type, JSON_ARRAY);
    ck_assert_uint_eq(cmds->len, 2);
    ck_assert_str_eq(json_get_str(&cmds->items[0], "filename"), "a.0.wasm");
    ck_assert_int_eq(json_get(&cmds->items[0], "line")->integer, 12);
    ck_assert_ptr_null(json_get(&cmds->items[0], "name"));
    json_free(v);
}
END_TEST

START_TEST(json_unescapes_to_bytes) {
    json_value *v = parse("\"a\\u0000b\\u005c\\\"\\n\\ud83d\\ude00\xe2\x88\x80\"");
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->len, 13);
    ck_assert_mem_eq(v->str, "a\0b\\\"\n\xf0\x9f\x98\x80\xe2\x88\x80", 13);
    json_free(v);
}
END_TEST

START_TEST(json_rejects_what_wast2json_never_writes) {
    const char *bad[] = {"1.5", "true", "null", "[1,]", "{\"a\" 1}", "\"\\ud800\"", "\"x", "[1] 2",
                         "\"tab\there\"", "99999999999999999999", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_value *v = parse(bad[i]);
        ck_assert_msg(v == NULL, "accepted %s", bad[i]);
    }
}
END_TEST

static json_value *typed(const char *type, const char *value) {
    char text[128];
    snprintf(text, sizeof text, "{\"type\": \"%s\", \"value\": \"%s\"}", type, value);
    return parse(text);
}

START_TEST(values_are_bit_patterns) {
    spec_value v;
    char why[128];
    json_value *j = typed("f32", "2143289344");
    ck_assert_int_eq(spec_value_parse(j, &v, why, sizeof why), 0);
    ck_assert_int_eq(v.type, HWASM_F32);
    ck_assert_uint_eq(v.bits[0], 0x7fc00000u);
    uint64_t got = 0xdeadbeef7fc00000ull;
    ck_assert(spec_value_matches(&v, &got)); /* high bits ignored */
    json_free(j);
    j = typed("i32", "4294967296");
    ck_assert_int_eq(spec_value_parse(j, &v, why, sizeof why), -1);
    json_free(j);
    j = typed("externref", "0");
    ck_assert_int_eq(spec_value_parse(j, &v, why, sizeof why), 0);
    ck_assert_uint_eq(v.bits[0], 1); /* ref.extern 0 is not null */
    json_free(j);
    j = typed("v128", "0"); /* a v128 needs lanes */
    ck_assert_int_eq(spec_value_parse(j, &v, why, sizeof why), -1);
    json_free(j);
}
END_TEST

/* v128: lanes packed little endian into two slots; float lanes carry their own NaN class. */
START_TEST(v128_lanes) {
    static const char text[] =
        "{\"type\": \"v128\", \"lane_type\": \"f32\", \"value\": [\"1065353216\", \"nan:canonical\", "
        "\"nan:arithmetic\", \"0\"]}";
    spec_value v;
    char why[128];
    json_value *j = parse(text);
    ck_assert_int_eq(spec_value_parse(j, &v, why, sizeof why), 0);
    ck_assert_int_eq(v.type, HWASM_V128);
    ck_assert_uint_eq(spec_value_slots(v.type), 2);
    uint64_t got[2] = {0xffc000003f800000ull, 0x000000007fc00001ull};
    ck_assert(spec_value_matches(&v, got));
    got[1] = 0x000000017fc00001ull; /* lane 3 must be +0 exactly */
    ck_assert(!spec_value_matches(&v, got));
    got[1] = 0x000000007f800001ull; /* lane 2 is a signalling NaN: not arithmetic */
    ck_assert(!spec_value_matches(&v, got));
    json_free(j);
    j = parse("{\"type\": \"v128\", \"lane_type\": \"i16\", \"value\": [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", "
              "\"7\", \"65535\"]}");
    ck_assert_int_eq(spec_value_parse(j, &v, why, sizeof why), 0);
    ck_assert_uint_eq(v.bits[0], 0x0004000300020001ull);
    ck_assert_uint_eq(v.bits[1], 0xffff000700060005ull);
    json_free(j);
    j = parse("{\"type\": \"v128\", \"lane_type\": \"i8\", \"value\": [\"256\", \"0\", \"0\", \"0\", \"0\", \"0\", "
              "\"0\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\"]}");
    ck_assert_int_eq(spec_value_parse(j, &v, why, sizeof why), -1); /* 256 is no i8 */
    json_free(j);
}
END_TEST

static int scalar_matches(uint8_t type, int cls, uint64_t got) {
    spec_value v = {.type = type};
    v.cls[0] = cls;
    return spec_value_matches(&v, &got);
}

START_TEST(nan_classes) {
    ck_assert(scalar_matches(HWASM_F32, VALUE_NAN_CANONICAL, 0xffc00000u));
    ck_assert(!scalar_matches(HWASM_F32, VALUE_NAN_CANONICAL, 0x7fc00001u));
    ck_assert(scalar_matches(HWASM_F32, VALUE_NAN_ARITHMETIC, 0x7fc00001u));
    ck_assert(!scalar_matches(HWASM_F32, VALUE_NAN_ARITHMETIC, 0x7f800001u));
    ck_assert(scalar_matches(HWASM_F64, VALUE_NAN_CANONICAL, 0xfff8000000000000ull));
    ck_assert(!scalar_matches(HWASM_F64, VALUE_NAN_ARITHMETIC, 0x7ff0000000000001ull));
    ck_assert(!scalar_matches(HWASM_F64, VALUE_NAN_CANONICAL, 0x7ff8000000000001ull));
}
END_TEST

int main(void) {
    Suite *s = suite_create("spec runner");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, json_reads_wast2json_shapes);
    tcase_add_test(tc, json_unescapes_to_bytes);
    tcase_add_test(tc, json_rejects_what_wast2json_never_writes);
    tcase_add_test(tc, values_are_bit_patterns);
    tcase_add_test(tc, v128_lanes);
    tcase_add_test(tc, nan_classes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

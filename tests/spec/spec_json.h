/*
 * spec_json.h — a small strict JSON reader for wast2json output: objects, arrays, strings
 * and integers. Anything else (true/false/null, fractions, exponents) is rejected.
 * Strings are unescaped to bytes and may hold NUL, so every string carries its length.
 */
#ifndef SPEC_JSON_H
#define SPEC_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum json_type { JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_INTEGER } json_type;

typedef struct json_value json_value;
struct json_value {
    json_type type;
    size_t len;          /* STRING: bytes; ARRAY/OBJECT: number of items */
    char *str;           /* STRING: NUL-terminated copy (may also hold NULs inside) */
    int64_t integer;     /* INTEGER */
    json_value *items;   /* ARRAY: the elements; OBJECT: the member values */
    json_value *keys;    /* OBJECT: the member names (STRING values), parallel to items */
};

/* Parses text[0..len). On success returns a tree the caller frees with json_free; on
 * failure returns NULL and writes "offset N: what" to err. */
json_value *json_parse(const char *text, size_t len, char *err, size_t err_size);
void json_free(json_value *v);

/* The member named key of an object, or NULL (also when v is NULL or not an object). */
const json_value *json_get(const json_value *v, const char *key);
/* The member's string, or NULL when absent or not a string. */
const char *json_get_str(const json_value *v, const char *key);

#endif /* SPEC_JSON_H */

/*
 * hwasmd_yaml.h — hwasmd's bounded YAML reader (hwasmd_yaml.c): what the configuration and
 * the Dapr loaders open their files with instead of libyaml's file input.
 */
#ifndef HWASMD_YAML_H
#define HWASMD_YAML_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

/* The bounds every file is read within (--config-limit NAME=N; docs/hwasmd.md). */
struct hwd_yaml_limits {
    uint64_t bytes;    /* the file's size (1 MiB) */
    uint64_t depth;    /* sequences and mappings nested in each other (64) */
    uint64_t aliases;  /* &anchors in the file, and *alias uses (256 each) */
    uint64_t expanded; /* scalar bytes plus one per node, aliases expanded (4 Mi) */
};
/* Sets one bound from "NAME=N" (N > 0); 0, or -1 when malformed. Call before any thread
 * starts: the bounds are read without a lock. */
int hwd_yaml_limit_set(const char *name_eq_value);

/* A file read whole and checked: the bounds above, no alias inside its own anchor, no key
 * twice in one mapping. path is borrowed and must outlive the reader. */
struct hwd_yaml {
    yaml_parser_t parser;
    const char *path;
    unsigned char *text;
    size_t len;
    int ready;
};
/* Reads and checks path; 0, or -1 with "hwasmd: FILE:LINE: what" in msg (nothing to
 * close then). */
/* Writes the one-line error every configuration reader reports, "hwasmd: PATH:LINE: what"
 * (line counted from 0, as libyaml's marks are), into msg; returns -1. */
int hwd_yaml_vfail(char *msg, size_t cap, const char *path, size_t line, const char *fmt, va_list ap);
int hwd_yaml_open(struct hwd_yaml *y, const char *path, char *msg, size_t cap);
/* The next document, as yaml_parser_load gives it (no root node: the stream ended); the
 * caller deletes it. 0, or -1 with the message. */
int hwd_yaml_next(struct hwd_yaml *y, yaml_document_t *doc, char *msg, size_t cap);
void hwd_yaml_close(struct hwd_yaml *y);

/* A guest configuration from a node, as bytes (*out malloc'd, NUL-terminated past *len for
 * convenience; NUL bytes inside are kept): a scalar is its bytes as written (a "\0" escape
 * is a NUL byte), a `!!binary` scalar is base64-decoded, a mapping or list is its JSON text.
 * 0, or -1 with why (bad base64, out of memory). */
int hwd_yaml_bytes(yaml_document_t *doc, yaml_node_t *n, char **out, size_t *len, char *why, size_t cap);

#endif /* HWASMD_YAML_H */

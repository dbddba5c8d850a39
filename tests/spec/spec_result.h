/*
 * spec_result.h — what running one .wast file produces: counts per command kind and the
 * failure messages. The runner places it in memory shared with the child that runs the
 * file, so the counts and the line in progress survive the child crashing.
 */
#ifndef SPEC_RESULT_H
#define SPEC_RESULT_H

#include <stddef.h>
#include <stdint.h>

typedef enum cmd_kind {
    CMD_MODULE,
    CMD_REGISTER,
    CMD_ACTION,
    CMD_ASSERT_RETURN,
    CMD_ASSERT_TRAP,
    CMD_ASSERT_EXHAUSTION,
    CMD_ASSERT_INVALID,
    CMD_ASSERT_MALFORMED_BINARY,
    CMD_ASSERT_MALFORMED_TEXT,
    CMD_ASSERT_UNLINKABLE,
    CMD_ASSERT_UNINSTANTIABLE,
    CMD_KIND_COUNT
} cmd_kind;

/* The name printed in reports, e.g. "assert_malformed(binary)". */
const char *cmd_kind_name(cmd_kind k);

#define SPEC_FAILURE_TEXT_SIZE (1u << 20)

typedef struct spec_result {
    uint32_t total[CMD_KIND_COUNT];   /* commands in the file, known once its JSON is read */
    uint32_t passed[CMD_KIND_COUNT];
    uint32_t failed[CMD_KIND_COUNT];
    uint32_t skipped[CMD_KIND_COUNT];
    int32_t line;                     /* line of the command in progress, or 0 */
    int32_t kind;                     /* its cmd_kind, or -1 */
    int setup_failed;                 /* wast2json or the JSON itself failed: see setup_error */
    char setup_error[512];
    uint32_t num_failures;
    size_t failure_len;               /* bytes used in failure_text */
    char failure_text[SPEC_FAILURE_TEXT_SIZE]; /* one "line N: kind: message\n" per failure */
} spec_result;

/* Counts a failure of kind k at line and appends its message (truncated when full). */
void spec_result_fail(spec_result *r, cmd_kind k, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* SPEC_RESULT_H */

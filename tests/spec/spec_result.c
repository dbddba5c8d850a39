/*
 * spec_result.c — names of command kinds and the failure log of one .wast file.
 */
#include "spec_result.h"

#include <stdarg.h>
#include <stdio.h>

const char *cmd_kind_name(cmd_kind k) {
    static const char *const names[CMD_KIND_COUNT] = {
        [CMD_MODULE] = "module",
        [CMD_REGISTER] = "register",
        [CMD_ACTION] = "action",
        [CMD_ASSERT_RETURN] = "assert_return",
        [CMD_ASSERT_TRAP] = "assert_trap",
        [CMD_ASSERT_EXHAUSTION] = "assert_exhaustion",
        [CMD_ASSERT_INVALID] = "assert_invalid",
        [CMD_ASSERT_MALFORMED_BINARY] = "assert_malformed(binary)",
        [CMD_ASSERT_MALFORMED_TEXT] = "assert_malformed(text)",
        [CMD_ASSERT_UNLINKABLE] = "assert_unlinkable",
        [CMD_ASSERT_UNINSTANTIABLE] = "assert_uninstantiable",
    };
    return k < CMD_KIND_COUNT ? names[k] : "?";
}

void spec_result_fail(spec_result *r, cmd_kind k, int line, const char *fmt, ...) {
    r->failed[k]++;
    r->num_failures++;
    size_t room = SPEC_FAILURE_TEXT_SIZE - r->failure_len;
    if (room < 2)
        return;
    char *o = r->failure_text + r->failure_len;
    int n = snprintf(o, room, "line %d: %s: ", line, cmd_kind_name(k));
    if (n >= 0 && (size_t)n < room) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(o + n, room - (size_t)n, fmt, ap);
        va_end(ap);
        n = m < 0 ? n : n + m;
    }
    if (n < 0 || (size_t)n >= room - 1) /* truncated: keep the log line-structured */
        n = (int)room - 2;
    for (int i = 0; i < n; i++) /* one failure, one line, whatever the message holds */
        if ((unsigned char)o[i] < 0x20)
            o[i] = ' ';
    o[n] = '\n';
    o[n + 1] = 0;
    r->failure_len += (size_t)n + 1;
}

/*
 * http_common.c — the out-of-line half of http_common.h, what host functions use on a
 * guest call: the trap that names the function and phase, the per-instance scratch
 * buffer, and a guest's log lines within their per-call budget.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_common.h"

const char *http_phase_name(int phase) {
    switch (phase) {
    case PHASE_INIT: return "initialisation";
    case PHASE_REQUEST: return "handle_request";
    case PHASE_RESPONSE: return "handle_response";
    default: return "idle";
    }
}

void http_trap(struct http_inst *hi, hwasm_vmctx *vm, const char *fn, const char *fmt, ...) {
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    /* fn names an http_handler function, or a WASI one with its module ("wasi_...fd_write"). */
    snprintf(hi->trap_msg, sizeof hi->trap_msg, "%s%s: %s (phase %s)",
             strchr(fn, '.') ? "" : "http_handler.", fn, why, http_phase_name(hi->phase));
    hw_trap_raise(vm, HWASM_TRAP_HOST, hi->trap_msg);
}

uint8_t *http_scratch(struct http_inst *hi, hwasm_vmctx *vm, size_t n, const char *fn) {
    if (n <= hi->scratch_cap) return hi->scratch;
    size_t cap = hi->scratch_cap ? hi->scratch_cap : 1024;
    while (cap < n)
        cap *= 2;
    uint8_t *p = realloc(hi->scratch, cap);
    if (!p) http_trap(hi, vm, fn, "out of host memory");
    hi->scratch = p;
    hi->scratch_cap = cap;
    return p;
}

void http_log(struct http_inst *hi, int32_t level, const char *msg, size_t len) {
    const struct http_mw *mw = hi->mw;
    if (!http_log_enabled(mw, level)) return;
    hi->console_used = 1;
    if (hi->log_used + len > HTTP_LOG_BUDGET || hi->log_lines == HTTP_LOG_LINES) {
        hi->log_dropped++;
        return;
    }
    hi->log_used += len;
    hi->log_lines++;
    mw->cfg.log(mw->cfg.log_ctx, level, msg, len);
}

void http_log_call_end(struct http_inst *hi) {
    if (hi->log_dropped) {
        char msg[120];
        int n = snprintf(msg, sizeof msg, "%llu lines of guest output dropped (at most %u lines, %u bytes per call)",
                         (unsigned long long)hi->log_dropped, HTTP_LOG_LINES, HTTP_LOG_BUDGET);
        hi->mw->cfg.log(hi->mw->cfg.log_ctx, HTTP_LOG_WARN, msg, (size_t)n);
    }
    hi->log_used = hi->log_lines = hi->log_dropped = 0;
}

/*
 * rt_error.c — the words libhwasm uses: the spec's exact trap messages (the spec tests
 * compare them), status names, and filling a hw_error (rt_error, declared in rt_error.h:
 * the core and the http layer use this one setter).
 */
#include <stdarg.h>
#include <stdio.h>

#include "rt_internal.h"

const char *hw_trap_message(uint32_t trap) {
    switch (trap) {
    case HWASM_TRAP_NONE: return "no trap";
    case HWASM_TRAP_UNREACHABLE: return "unreachable";
    case HWASM_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case HWASM_TRAP_INT_DIV_ZERO: return "integer divide by zero";
    case HWASM_TRAP_INT_OVERFLOW: return "integer overflow";
    case HWASM_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case HWASM_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case HWASM_TRAP_UNINITIALIZED: return "uninitialized element";
    case HWASM_TRAP_INDIRECT_SIG: return "indirect call type mismatch";
    case HWASM_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case HWASM_TRAP_TABLE_OOB: return "out of bounds table access";
    case HWASM_TRAP_INTERRUPTED: return "interrupted";
    case HWASM_TRAP_HOST: return "host function failed";
    default: return "unknown trap";
    }
}

const char *hw_strerror(int status) {
    switch (status) {
    case HW_OK: return "success";
    case HW_EIO: return "cannot open module";
    case HW_EABI: return "not a compatible hwasm module";
    case HW_ELINK: return "unlinkable";
    case HW_ETRAP: return "trap";
    case HW_ENOMEM: return "out of memory";
    case HW_EINVAL: return "invalid argument";
    case HW_ENOENT: return "no such export";
    case HW_EBUSY: return "busy";
    case HW_EREFUSED: return "refused before loading";
    default: return "unknown error";
    }
}

int rt_error(hw_error *err, int status, const char *fmt, ...) {
    if (err) {
        err->status = status;
        err->trap = HWASM_TRAP_NONE;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

void rt_copy_message(char *dst, size_t cap, const char *src) {
    size_t i = 0;
    for (; src && src[i] && i + 1 < cap; i++)
        dst[i] = src[i];
    if (cap) dst[i] = 0;
}

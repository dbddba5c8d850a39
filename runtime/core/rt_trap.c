/*
 * rt_trap.c — getting out of guest code on a trap: the thread's stack of armed guest
 * calls (pushed by rt_call.c) and the unwind to the innermost one, used by generated
 * code's trap callback, host functions (hw_trap_raise) and the fault handler
 * (rt_signal.c). The layer below both: it calls neither.
 */
#include <stdlib.h>
#include <unistd.h>

#include "rt_internal.h"

RT_TLS rt_frame *rt_top_frame;

void rt_trap_unwind(uint32_t trap, const char *message) {
    rt_frame *f = rt_top_frame;
    if (!f) {
        /* Guest code ran outside hw_call/hw_call_guarded: there is nowhere safe to go. */
        static const char msg[] = "libhwasm: trap outside a guarded guest call\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
        abort();
    }
    if (f->err) {
        f->err->status = HW_ETRAP;
        f->err->trap = trap;
        rt_copy_message(f->err->message, sizeof f->err->message,
                        message ? message : hw_trap_message(trap));
    }
    rt_longjmp(f->jb);
}

void rt_trap_callback(hwasm_vmctx *vm, uint32_t code) {
    /* The interrupt is consumed by the trap it causes. */
    if (code == HWASM_TRAP_INTERRUPTED) vm->interrupt = 0;
    rt_trap_unwind(code, NULL);
}

void hw_trap_raise(hwasm_vmctx *caller, uint32_t trap, const char *message) {
    (void)caller;
    if (trap == HWASM_TRAP_NONE || trap >= HWASM_TRAP_COUNT) trap = HWASM_TRAP_HOST;
    rt_trap_unwind(trap, message);
}

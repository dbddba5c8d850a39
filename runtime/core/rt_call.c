/*
 * rt_call.c — entering guest code. Each guarded call pushes a frame holding a jmp_buf on
 * the thread-local stack rt_trap.c unwinds; a trap (from generated code, a runtime
 * callback, a host function or the fault handler) fills the frame's hw_error and
 * rt_longjmps to it (rt_jump.c). The jump does not restore the signal mask: the fault
 * handler runs with SA_NODEFER, so nothing stays blocked after jumping out of it, and
 * entry costs no syscall. The steps are in rt_guard.h, for layers that write the call out.
 */
#include "rt_guard.h"

int hw_call_guarded(hw_instance *inst, void (*body)(void *arg), void *arg, hw_error *err) {
    if (!inst || !body) return rt_error(err, HW_EINVAL, "hw_call_guarded: NULL argument");
    rt_frame f;
    int rc = rt_guard_enter(&f, &inst->vm, err);
    if (rc != HW_OK) return rc;
    if (rt_setjmp(f.jb) != 0) return rt_guard_trapped(&f);
    rt_guard_arm(&f);
    body(arg);
    rt_guard_leave(&f);
    return HW_OK;
}

typedef struct call_args {
    hw_instance *inst;
    uint32_t func_index;
    uint64_t *slots;
} call_args;

static void call_body(void *arg) {
    const call_args *a = arg;
    const hwasm_descriptor *d = a->inst->mod->d;
    const hwasm_funcref *f = a->inst->funcs[a->func_index];
    d->trampolines[d->func_types[a->func_index]](f->code, f->env, &a->inst->vm, a->slots);
}

int hw_call(hw_instance *inst, uint32_t func_index, uint64_t *slots, hw_error *err) {
    if (!inst || func_index >= inst->mod->d->num_funcs)
        return rt_error(err, HW_EINVAL, "hw_call: no function %u", func_index);
    const hwasm_functype *t = &inst->mod->d->types[inst->mod->d->func_types[func_index]];
    if (!slots && (t->num_params || t->num_results))
        return rt_error(err, HW_EINVAL, "hw_call: NULL slots");
    call_args a = {inst, func_index, slots};
    return hw_call_guarded(inst, call_body, &a, err);
}

void hw_instance_interrupt(hw_instance *inst) {
    if (inst) __atomic_store_n(&inst->vm.interrupt, 1, __ATOMIC_RELAXED);
}

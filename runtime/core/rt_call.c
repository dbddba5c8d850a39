/*
 * rt_call.c — entering guest code. Each guarded call pushes a frame holding a jmp_buf on
 * the thread-local stack rt_trap.c unwinds; a trap (from generated code, a runtime
 * callback, a host function or the fault handler) fills the frame's hw_error and
 * rt_longjmps to it (rt_jump.c). The jump does not restore the signal mask: the fault
 * handler runs with SA_NODEFER, so nothing stays blocked after jumping out of it, and
 * entry costs no syscall. The call itself is rt_guard.h's, which the http host inlines.
 */
#include "rt_guard.h"

int hw_call_guarded(hw_instance *inst, void (*body)(void *arg), void *arg, hw_error *err) {
    if (!inst || !body) return rt_error(err, HW_EINVAL, "hw_call_guarded: NULL argument");
    return rt_guard_call(&inst->vm, (void *)body, arg, 0, 0, NULL, err);
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

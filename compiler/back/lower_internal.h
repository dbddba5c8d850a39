/*
 * lower_internal.h — the state of one function being lowered, shared by lower_func.c
 * (prologue, locals, the instruction loop), the helpers in lower_util.c and the
 * instruction families in lower_control.c, lower_numeric.c, lower_memory.c and
 * lower_call.c. Families call lower_util.c, never each other or lower_func.c.
 */
#ifndef HWASMC_LOWER_INTERNAL_H
#define HWASMC_LOWER_INTERNAL_H

#include <stdbool.h>

#include "insn.h"
#include "lower.h"

enum frame_kind { FRAME_FUNC, FRAME_BLOCK, FRAME_LOOP, FRAME_IF };

/* One entry of the control stack. Branch values travel through allocas (`slots`), which
 * mem2reg/SROA turn into phi nodes; that keeps this pass simple and single-forward. */
typedef struct frame {
    uint8_t kind;
    bool unreachable;           /* the rest of this frame's current arm is dead code */
    uint32_t num_params, num_results;
    const uint8_t *params, *results;
    size_t height;              /* value stack height below the frame's params */
    LLVMBasicBlockRef target;   /* where `br` lands: the loop header, or `end` */
    LLVMBasicBlockRef end;      /* the code after the frame's `end` */
    LLVMBasicBlockRef else_arm; /* IF: the else arm, until `else` or `end` fills it */
    LLVMValueRef *slots;        /* one alloca per branch value (params for loops) */
    LLVMValueRef *if_params;    /* IF: the param values, pushed again for the else arm */
} frame;

typedef struct fn_state {
    lower_unit *u;
    const wasm_module *m;
    uint32_t func_index;
    LLVMValueRef fn;
    LLVMBuilderRef b;
    LLVMBuilderRef alloca_b; /* stays at the top of the entry block */
    LLVMValueRef vmctx;

    /* Fields of the vmctx that never change during an instance's life, loaded once. */
    LLVMValueRef mem_base, memory, globals, tables, funcs, sig_ids, rt;

    LLVMValueRef *locals; /* allocas, params first */
    uint8_t *local_types;
    uint64_t num_locals;

    LLVMValueRef *stack;
    size_t sp, stack_cap;
    frame *frames;
    size_t num_frames, frames_cap;

    LLVMBasicBlockRef trap_blocks[HWASM_TRAP_COUNT];
    wasm_error *err;
} fn_state;

/* Whether the LLVM mirrors of the ABI structs match include/hwasm/hwasm_module.h (lower_types.c). */
bool lower_layout_ok(const lower_unit *u);

/* --- lower_util.c: helpers every family uses ---------------------------------------- */

/* Value stack. */
void push(fn_state *s, LLVMValueRef v);
LLVMValueRef pop(fn_state *s);

/* A block that calls the runtime's trap callback with `code`; one per code per function. */
void trap_if(fn_state *s, LLVMValueRef cond, uint32_t code);
void trap_now(fn_state *s, uint32_t code);

/* Calls an overloaded LLVM intrinsic such as "llvm.ctlz" with the given overload types. */
/* v through an empty asm: the same value, but LLVM cannot see that it is a constant (so it
 * cannot fold x*1.0 and friends into a NaN-quieting-free identity) (lower_util.c). */
LLVMValueRef opaque_value(fn_state *s, LLVMValueRef v);
/* wasm's fNN.min / fNN.max (name: llvm.minimum or llvm.maximum), scalar or vector. */
LLVMValueRef wasm_min_max(fn_state *s, const char *name, LLVMValueRef x, LLVMValueRef y);
LLVMValueRef call_intrinsic(fn_state *s, const char *name, LLVMTypeRef *overloads,
                            unsigned num_overloads, LLVMValueRef *args, unsigned num_args);

/* Loads a field of a runtime structure at a byte offset from `base`. */
LLVMValueRef load_field(fn_state *s, LLVMValueRef base, size_t offset, LLVMTypeRef type,
                        bool invariant);

/* Calls the runtime callback at `offset` in hwasm_runtime_calls as fn(vmctx, args...). */
LLVMValueRef runtime_call(fn_state *s, size_t offset, LLVMTypeRef ret, LLVMValueRef *args,
                          unsigned n);

/* Marks a loaded pointer non-null and dereferenceable for `bytes` (no-op for 0). */
void mark_dereferenceable(fn_state *s, LLVMValueRef load, uint64_t bytes);

LLVMValueRef const_i32(fn_state *s, uint64_t v);
LLVMValueRef const_i64(fn_state *s, uint64_t v);

/* The address of a `bytes`-wide access at zext(index) + offset in linear memory, computed
 * in 64 bits so it never wraps; with --bounds=explicit it first traps when the access
 * does not fit in the current memory size. In guard mode the guard region faults instead
 * (and lower_keepalive.c keeps every load whose value is unused). */
LLVMValueRef heap_address(fn_state *s, LLVMValueRef index, uint32_t offset, unsigned bytes);

/* A new basic block at the end of the function. */
LLVMBasicBlockRef new_block(fn_state *s, const char *name);

/* An alloca in the entry block (above every instruction of the body). */
LLVMValueRef entry_alloca(fn_state *s, LLVMTypeRef type);

/* Traps with HWASM_TRAP_INTERRUPTED when vmctx->interrupt is set (only with
 * interrupt_checks): at function entry and loop headers. */
void poll_interrupt(fn_state *s);

/* Keeps a loaded value alive so an out-of-bounds load whose result is dropped still
 * faults in guard mode (the guard page is the only check there). */
void force_read(fn_state *s, LLVMValueRef v);

/* --- lower_control.c ----------------------------------------------------------------- */

/* Pushes a control frame whose label slots are allocated in the entry block; the
 * function's own frame (FRAME_FUNC) is pushed by lower_function. */
frame *push_frame(fn_state *s, uint8_t kind, uint32_t np, const uint8_t *params, uint32_t nr,
                  const uint8_t *results);
void free_frame(frame *f);

/* Control instructions. Returns 1 when `in` was lowered, 0 when it is not one; sets
 * *done when the function's final `end` was lowered. */
int lower_control(fn_state *s, const wasm_insn *in, int *done);

/* Operator families: return 1 when `in` was lowered, 0 when it is not theirs. */
int lower_numeric(fn_state *s, const wasm_insn *in);
int lower_memory(fn_state *s, const wasm_insn *in);
int lower_call(fn_state *s, const wasm_insn *in);
int lower_simd(fn_state *s, const wasm_insn *in); /* every 0xFD instruction (lower_simd.c) */

/* With --canonicalize-nans (lower_nan.c), after `op` was lowered: when op is a float
 * arithmetic that can compute a NaN, replaces a NaN on top of the stack by the canonical one. */
void canonicalize_nan(fn_state *s, uint32_t op);

/* After lowering (lower_keepalive.c), in guard mode: force_read on every wasm memory load,
 * so it executes, in order, and can fault. */
void keep_loads_alive(fn_state *s);

/* After lowering (lower_alias.c): TBAA tags saying linear memory never aliases the
 * runtime's structures. */
void tag_memory_accesses(fn_state *s);

#endif /* HWASMC_LOWER_INTERNAL_H */

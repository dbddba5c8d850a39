/*
 * emit.c — from a lowered LLVM module to an object file: target set-up (the triple and
 * baseline CPU of target.c, PIC), IR verification, the pass pipeline and code generator
 * of each -O level, object emission into memory.
 *
 * Never aborts: broken IR from the lowering becomes an internal error naming the function.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/Support.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "emit.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_level; /* the -O level of the first emit_init: one per process */

/* Both targets, whichever is asked for: a few microseconds, and one hwasmc process may
 * serve either. The asm parsers assemble the interrupt poll's inline asm (lower_util.c). */
static void init_targets(void) {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeX86AsmParser();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
    LLVMInitializeAArch64AsmParser();
}

/* What each -O level runs. -O1 is the fast-compile level: four function passes (SSA
 * form, redundancy elimination and constant folding, CFG clean-up) and the -O0 code
 * generator (FastISel, GlobalISel on aarch64; no machine-code optimisation) with the
 * greedy register allocator in place of the fast one. Measured with llc on SQLite's IR
 * after those passes: 2.8 s at -O0, 8.0 s at -O1 with FastISel and the fast allocator,
 * 10.5 s with FastISel and the greedy one, 12 s at plain -O1 (the machine-code passes are
 * the cost, not instruction selection). The greedy allocator roughly doubles the -O0
 * codegen time but makes the code run 1.55x fewer instructions than -O0's (callgrind, ten
 * kernels); with the fast one's spills -O1 ran 0.91x of -O0's. -O2 and -O3 are LLVM's
 * own. bench/findings.md has the numbers. */
typedef struct level_plan {
    const char *pipeline; /* new-pass-manager text, NULL for none */
    LLVMCodeGenOptLevel codegen;
    bool greedy_regalloc; /* the optimising register allocator even at LLVMCodeGenLevelNone */
} level_plan;

static const level_plan plans[] = {
    {NULL, LLVMCodeGenLevelNone, false},
    {"function(sroa,early-cse,instcombine<no-verify-fixpoint>,simplifycfg)", LLVMCodeGenLevelNone,
     true},
    {"default<O2>", LLVMCodeGenLevelDefault, false},
    {"default<O3>", LLVMCodeGenLevelAggressive, false},
};

static const level_plan *plan_of(int opt_level) {
    return &plans[opt_level < 0 ? 0 : opt_level > 3 ? 3 : opt_level];
}

/* The targets, and the register allocator: an LLVM command-line option, so process-wide. */
static void init_llvm(void) {
    if (plan_of(init_level)->greedy_regalloc) {
        const char *argv[] = {"hwasmc", "-optimize-regalloc"};
        LLVMParseCommandLineOptions(2, argv, NULL);
    }
    init_targets();
}

void emit_init(int opt_level) {
    init_level = opt_level;
    pthread_once(&init_once, init_llvm);
}

LLVMTargetMachineRef emit_target_machine(hwasmc_target target, int opt_level, wasm_error *err) {
    const target_info *t = target_info_of(target);
    const char *triple = t->triple;
    char *msg = NULL;
    LLVMTargetRef llvm_target;
    LLVMTargetMachineRef tm = NULL;
    if (LLVMGetTargetFromTriple(triple, &llvm_target, &msg) != 0) {
        wasm_error_set(err, -1, 0, "internal error: no LLVM target for %s: %s", triple, msg);
        LLVMDisposeMessage(msg);
    } else {
        tm = LLVMCreateTargetMachine(llvm_target, triple, t->cpu, t->features,
                                     plan_of(opt_level)->codegen, LLVMRelocPIC,
                                     LLVMCodeModelDefault);
        if (!tm) wasm_error_set(err, -1, 0, "internal error: cannot create an LLVM target machine");
    }
    return tm;
}

/* Copies the first line of an LLVM message into err (the rest is usually IR dumps). */
static void set_llvm_error(wasm_error *err, int64_t func_index, const char *what, const char *msg) {
    size_t n = strcspn(msg ? msg : "", "\n");
    wasm_error_set(err, func_index, 0, "internal error: %s: %.*s", what, (int)n, msg ? msg : "");
}

/* Finds the first defined wasm function whose IR does not verify: -1 if it is not one
 * of them (a trampoline or the descriptor). */
static int64_t broken_function(LLVMModuleRef mod, size_t *offset, const lower_unit *u) {
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f) || !LLVMVerifyFunction(f, LLVMReturnStatusAction)) continue;
        unsigned idx;
        size_t len;
        const char *name = LLVMGetValueName2(f, &len);
        if (sscanf(name, "hwasm_f%u", &idx) == 1 && idx < u->m->num_funcs) {
            *offset = u->m->funcs[idx].body_offset;
            return idx;
        }
    }
    return -1;
}

static int verify(lower_unit *u, wasm_error *err) {
    char *msg = NULL;
    if (!LLVMVerifyModule(u->mod, LLVMReturnStatusAction, &msg)) {
        LLVMDisposeMessage(msg);
        return 0;
    }
    size_t offset = 0;
    int64_t func = broken_function(u->mod, &offset, u);
    set_llvm_error(err, func, "generated IR does not verify", msg);
    err->offset = offset;
    LLVMDisposeMessage(msg);
    return -1;
}

/* -O0 runs no IR pass: the fast instruction selector handles the lowering's local-variable
 * allocas directly. Measured on a 1,254-function module: mem2reg first made -O0 15% slower
 * (0.75 s vs 0.64 s) and the .so 10% larger, since fast register allocation spills the
 * resulting phis anyway. */
static int optimize(lower_unit *u, LLVMTargetMachineRef tm, wasm_error *err) {
    const char *pipeline = plan_of(u->opts->opt_level)->pipeline;
    if (!pipeline) return 0;
    LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(u->mod, pipeline, tm, pbo);
    /* Lane loads merged into wide ones leave chains of extracts and inserts for
     * instcombine to fold into shuffles. */
    if (!e && merge_lane_loads(u)) e = LLVMRunPasses(u->mod, "function(instcombine<no-verify-fixpoint>)", tm, pbo);
    LLVMDisposePassBuilderOptions(pbo);
    if (!e) {
        /* Only once the optimiser is done may a guard-mode load lose its keep-alive. */
        release_needed_loads(u->mod);
        return 0;
    }
    char *msg = LLVMGetErrorMessage(e);
    set_llvm_error(err, -1, "LLVM passes failed", msg);
    LLVMDisposeErrorMessage(msg);
    return -1;
}

int emit_unit(lower_unit *u, LLVMTargetMachineRef tm, LLVMMemoryBufferRef *obj, char **ir,
              wasm_error *err) {
    *obj = NULL;
    if (ir) *ir = NULL;
    if (verify(u, err) != 0 || optimize(u, tm, err) != 0) return -1;
    if (ir) *ir = LLVMPrintModuleToString(u->mod);
    char *msg = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, u->mod, LLVMObjectFile, &msg, obj) != 0) {
        set_llvm_error(err, -1, "LLVM code generation failed", msg);
        LLVMDisposeMessage(msg);
        if (ir) LLVMDisposeMessage(*ir), *ir = NULL;
        *obj = NULL;
        return -1;
    }
    return 0;
}

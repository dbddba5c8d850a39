/*
 * emit.c — from a lowered LLVM module to an object file: target set-up (the triple and
 * baseline CPU of target.c, PIC), IR verification, the pass pipeline and code generator
 * of each -O level (-O2's pipeline is spelled out here: LLVM's default<O2> less the passes
 * that cannot change hwasm's IR), object emission into memory.
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
 * kernels); with the fast one's spills -O1 ran 0.91x of -O0's. -O3 is LLVM's own;
 * -O2 is LLVM 19's default<O2> (as `opt -passes='default<O2>' -print-pipeline-passes`
 * spells it) less what cannot change hwasm's IR: OpenMP and coroutine passes,
 * called-value-propagation, the loop vectoriser with loop-distribute and
 * loop-load-elim (a wasm load's keep-alive asm, or in explicit mode its bounds check,
 * stops any loop that reads memory from vectorising), the clean-up after the SLP
 * vectoriser that the later instcombine repeats, the CGSCC pipeline's devirtualisation
 * repeat (indirect calls go through tables in memory, never resolved at compile time),
 * the call-graph profile and the final verifier (verify() runs before). Measured on 15
 * TinyGo guests, two 100 KB TinyGo modules and the 20 bench kernel builds: every .so
 * byte-identical to default<O2>'s, for 3.1% fewer instructions executed compiling
 * tck.wasm. bench/findings.md has the numbers. */
#define SCFG_OPTS "bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;" \
    "no-switch-to-lookup;keep-loops;"
#define SCFG_TAIL "speculate-blocks;simplify-cond-branch;"
#define SCFG "simplifycfg<" SCFG_OPTS "no-hoist-common-insts;no-sink-common-insts;" SCFG_TAIL \
    "no-speculate-unpredictables>"
#define IC "instcombine<max-iterations=1;no-use-loop-info;no-verify-fixpoint>"
static const char o2_pipeline[] =
    "annotation2metadata,forceattrs,inferattrs,"
    "function<eager-inv>(ee-instrument<>,lower-expect,"
    "simplifycfg<bonus-inst-threshold=1;no-forward-switch-cond;no-switch-range-to-icmp;"
    "no-switch-to-lookup;keep-loops;no-hoist-common-insts;no-sink-common-insts;" SCFG_TAIL
    "no-speculate-unpredictables>,sroa<modify-cfg>,early-cse<>),"
    "ipsccp,globalopt,function<eager-inv>(mem2reg," IC "," SCFG "),"
    "always-inline,require<globals-aa>,function(invalidate<aa>),require<profile-summary>,"
    /* inlining, each function simplified bottom-up */
    "cgscc(inline,function-attrs<skip-non-recursive-function-attrs>,"
    "function<eager-inv;no-rerun>(sroa<modify-cfg>,early-cse<memssa>,"
    "speculative-execution<only-if-divergent-target>,jump-threading,correlated-propagation,"
    SCFG "," IC ",aggressive-instcombine,libcalls-shrinkwrap,tailcallelim," SCFG ","
    "reassociate,constraint-elimination,"
    "loop-mssa(loop-instsimplify,loop-simplifycfg,licm<no-allowspeculation>,"
    "loop-rotate<header-duplication;no-prepare-for-lto>,licm<allowspeculation>,"
    "simple-loop-unswitch<no-nontrivial;trivial>)," SCFG "," IC ","
    "loop(loop-idiom,indvars,simple-loop-unswitch<no-nontrivial;trivial>,loop-deletion,"
    "loop-unroll-full),sroa<modify-cfg>,vector-combine,mldst-motion<no-split-footer-bb>,"
    "gvn<>,sccp,bdce," IC ",jump-threading,correlated-propagation,adce,memcpyopt,dse,"
    "move-auto-init,loop-mssa(licm<allowspeculation>),"
    "simplifycfg<" SCFG_OPTS "hoist-common-insts;sink-common-insts;" SCFG_TAIL
    "no-speculate-unpredictables>," IC "),"
    "function-attrs,function(require<should-not-run-function-passes>)),"
    "deadargelim,globalopt,globaldce,elim-avail-extern,rpo-function-attrs,recompute-globalsaa,"
    /* the optimisation pipeline, without the loop vectoriser */
    "function<eager-inv>(float2int,lower-constant-intrinsics,"
    "loop(loop-rotate<header-duplication;no-prepare-for-lto>,loop-deletion),"
    "inject-tli-mappings,infer-alignment," IC ","
    "simplifycfg<bonus-inst-threshold=1;forward-switch-cond;switch-range-to-icmp;"
    "switch-to-lookup;no-keep-loops;hoist-common-insts;sink-common-insts;" SCFG_TAIL
    "no-speculate-unpredictables>,"
    "slp-vectorizer,loop-unroll<O2>,transform-warning,sroa<preserve-cfg>,infer-alignment,"
    IC ",loop-mssa(licm<allowspeculation>),alignment-from-assumptions,loop-sink,"
    "instsimplify,div-rem-pairs,tailcallelim,"
    "simplifycfg<" SCFG_OPTS "no-hoist-common-insts;no-sink-common-insts;" SCFG_TAIL
    "speculate-unpredictables>),"
    "globaldce,constmerge,rel-lookup-table-converter";
#undef SCFG
#undef SCFG_TAIL
#undef SCFG_OPTS
#undef IC
typedef struct level_plan {
    const char *pipeline; /* new-pass-manager text, NULL for none */
    LLVMCodeGenOptLevel codegen;
    bool greedy_regalloc; /* the optimising register allocator even at LLVMCodeGenLevelNone */
} level_plan;

static const level_plan plans[] = {
    {NULL, LLVMCodeGenLevelNone, false},
    {"function(sroa,early-cse,instcombine<no-verify-fixpoint>,simplifycfg)", LLVMCodeGenLevelNone,
     true},
    {o2_pipeline, LLVMCodeGenLevelDefault, false},
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

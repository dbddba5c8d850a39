/*
 * lower_alias.c — tells LLVM that wasm linear memory and the runtime's structures (the
 * vmctx, memory and table objects, global cells, funcrefs) never overlap: after a function
 * is lowered, every access gets one of two TBAA tags under a common root, which LLVM
 * treats as never aliasing. Without this, any guest store could in LLVM's eyes change
 * memory->size or a table's size, so explicit-bounds checks reloaded the size before every
 * access instead of once per loop. Calls are untouched: a callback or import may still
 * change anything, and LLVM assumes it does.
 */
#include "lower_internal.h"

static LLVMMetadataRef scalar_tag(LLVMContextRef ctx, LLVMMetadataRef root, const char *name, size_t len) {
    LLVMMetadataRef zero = LLVMValueAsMetadata(LLVMConstInt(LLVMInt64TypeInContext(ctx), 0, 0));
    LLVMMetadataRef type_md[] = {LLVMMDStringInContext2(ctx, name, len), root, zero};
    LLVMMetadataRef type = LLVMMDNodeInContext2(ctx, type_md, 3);
    LLVMMetadataRef tag_md[] = {type, type, zero};
    return LLVMMDNodeInContext2(ctx, tag_md, 3);
}

void tag_memory_accesses(fn_state *s) {
    LLVMContextRef ctx = s->u->ctx;
    LLVMMetadataRef root_name = LLVMMDStringInContext2(ctx, "hwasm tbaa", 10);
    LLVMMetadataRef root = LLVMMDNodeInContext2(ctx, &root_name, 1);
    LLVMValueRef heap = LLVMMetadataAsValue(ctx, scalar_tag(ctx, root, "wasm memory", 11));
    LLVMValueRef runtime = LLVMMetadataAsValue(ctx, scalar_tag(ctx, root, "hwasm runtime", 13));
    unsigned kind = LLVMGetMDKindIDInContext(ctx, "tbaa", 4);
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(s->fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
            LLVMValueRef p;
            if (LLVMIsALoadInst(i)) p = LLVMGetOperand(i, 0);
            else if (LLVMIsAStoreInst(i)) p = LLVMGetOperand(i, 1);
            else continue;
            if (LLVMIsAAllocaInst(p)) continue; /* locals and branch values */
            /* Linear memory is only ever addressed as mem_base + offset (lower_memory.c). */
            bool is_heap = s->mem_base && LLVMIsAGetElementPtrInst(p) && LLVMGetOperand(p, 0) == s->mem_base;
            LLVMSetMetadata(i, kind, is_heap ? heap : runtime);
        }
    }
}

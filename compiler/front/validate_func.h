/*
 * validate_func.h — type-checks function bodies (validate_func.c), the algorithm of the
 * spec's validation appendix. One checker is reused for all bodies of a module so its
 * stacks are allocated once.
 */
#ifndef HWASMC_VALIDATE_FUNC_H
#define HWASMC_VALIDATE_FUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "insn.h"
#include "module.h"

typedef struct func_checker {
    const wasm_module *m;
    const bool *refs; /* [num_funcs]: functions that ref.func may name (the spec's C.refs) */
    uint8_t *vals;    /* operand stack; 0 is the spec's "unknown" type */
    uint32_t num_vals, cap_vals;
    struct ctrl_frame *ctrls;
    uint32_t num_ctrls, cap_ctrls;
    uint64_t *local_ends; /* cumulative local counts per run, to find a local's type */
    uint32_t cap_local_ends;
    uint8_t *tmp; /* br_table: values popped and pushed back */
    uint32_t cap_tmp;
    insn_reader reader;
    int64_t func_index;
    size_t at; /* file offset of the instruction being checked, for errors */
    wasm_error *err;
} func_checker;

/* `refs` must outlive the checker. */
void func_checker_init(func_checker *c, const wasm_module *m, const bool *refs, wasm_error *err);
void func_checker_free(func_checker *c);
/* Validates the body of defined function `func_index`; 0 or -1 with the error set. */
int func_checker_run(func_checker *c, uint32_t func_index);

#endif /* HWASMC_VALIDATE_FUNC_H */

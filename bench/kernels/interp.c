/*
 * interp.c — an interpreter loop: a register bytecode machine with switch dispatch runs a
 * small program (nested loops doing arithmetic, a lookup table, a branchy collatz step)
 * n times. The shape of every scripting-language VM: indirect jumps and unpredictable
 * branches.
 */
#include "kernel.h"

enum op { LI, ADD, SUB, MUL, AND, XOR, SHR, LOAD, STORE, ADDI, BLT, BNE, JMP, ODD, HALT };

typedef struct insn { uint8_t op, a, b, c; int32_t imm; } insn;

/*
 * r0 = accumulator, r1 = i, r2 = limit, r3 = x, r4 = tmp, r5 = 1, r6 = j, r7 = 3
 *   for i in 0..limit: x = i; j = 0; while x != 1 && j < 24: x = odd(x) ? 3x+1 : x>>1; j++
 *                      acc ^= mem[x & 63] + j; mem[i & 63] += acc
 */
static const insn prog[] = {
    /* 0 */ {LI, 0, 0, 0, 0},
    /* 1 */ {LI, 1, 0, 0, 0},
    /* 2 */ {LI, 5, 0, 0, 1},
    /* 3 */ {LI, 7, 0, 0, 3},
    /* 4 */ {ADDI, 3, 1, 0, 2},       /* loop_i: x = i + 2 */
    /* 5 */ {LI, 6, 0, 0, 0},
    /* 6 */ {BNE, 3, 5, 0, 8},        /* loop_x: if x != 1 goto 8 */
    /* 7 */ {JMP, 0, 0, 0, 16},
    /* 8 */ {LI, 4, 0, 0, 24},
    /* 9 */ {BLT, 6, 4, 0, 11},       /* if j < 24 goto 11 */
    /* 10 */ {JMP, 0, 0, 0, 16},
    /* 11 */ {ODD, 4, 3, 0, 0},       /* tmp = x & 1 */
    /* 12 */ {BNE, 4, 5, 0, 20},      /* even: goto 20 */
    /* 13 */ {MUL, 3, 3, 7, 0},       /* x = 3x + 1 */
    /* 14 */ {ADD, 3, 3, 5, 0},
    /* 15 */ {JMP, 0, 0, 0, 21},
    /* 16 */ {LOAD, 4, 3, 0, 0},      /* done: tmp = mem[x & 63] */
    /* 17 */ {ADD, 4, 4, 6, 0},
    /* 18 */ {XOR, 0, 0, 4, 0},
    /* 19 */ {JMP, 0, 0, 0, 23},
    /* 20 */ {SHR, 3, 3, 5, 0},       /* x >>= 1 */
    /* 21 */ {ADDI, 6, 6, 0, 1},      /* j++ */
    /* 22 */ {JMP, 0, 0, 0, 6},
    /* 23 */ {STORE, 0, 1, 0, 0},     /* mem[i & 63] += acc */
    /* 24 */ {ADDI, 1, 1, 0, 1},
    /* 25 */ {BLT, 1, 2, 0, 4},
    /* 26 */ {HALT, 0, 0, 0, 0},
};

static int64_t execute(const insn *code, int64_t limit, int64_t *mem) {
    int64_t r[8] = {0};
    r[2] = limit;
    for (const insn *pc = code;; pc++) {
        switch (pc->op) {
        case LI: r[pc->a] = pc->imm; break;
        case ADD: r[pc->a] = r[pc->b] + r[pc->c]; break;
        case SUB: r[pc->a] = r[pc->b] - r[pc->c]; break;
        case MUL: r[pc->a] = r[pc->b] * r[pc->c]; break;
        case AND: r[pc->a] = r[pc->b] & r[pc->c]; break;
        case XOR: r[pc->a] = r[pc->b] ^ r[pc->c]; break;
        case SHR: r[pc->a] = (int64_t)((uint64_t)r[pc->b] >> r[pc->c]); break;
        case LOAD: r[pc->a] = mem[r[pc->b] & 63]; break;
        case STORE: mem[r[pc->b] & 63] += r[pc->a]; break;
        case ADDI: r[pc->a] = r[pc->b] + pc->imm; break;
        case BLT: if (r[pc->a] < r[pc->b]) pc = code + pc->imm - 1; break;
        case BNE: if (r[pc->a] != r[pc->b]) pc = code + pc->imm - 1; break;
        case JMP: pc = code + pc->imm - 1; break;
        case ODD: r[pc->a] = r[pc->b] & 1; break;
        case HALT: return r[0];
        default: return -1;
        }
    }
}

int64_t run(int32_t n) {
    int64_t mem[64];
    for (int i = 0; i < 64; i++) mem[i] = i * 7;
    uint64_t h = 0;
    for (int32_t r = 0; r < n; r++) h = mix(h, (uint64_t)execute(prog, 20000 + r, mem));
    return (int64_t)h;
}

/*
 * rt_jump.c — the call that catches a trap, and the jump back to it. rt_catch_call saves
 * what a jump back needs (as setjmp does) and calls the guest's code; rt_longjmp returns
 * from rt_catch_call a second time, with `trapped` set. Being an ordinary function to its
 * callers, not a returns-twice one, it lets the compiler keep their values in registers
 * and inline them (setjmp made every caller spill its arguments: a guest call cost ~50
 * instructions of its own; now ~20).
 *
 * On x86-64 it is a minimal one: the six callee-saved registers, the stack pointer and the
 * return address, the last three xored with a per-process random guard (as glibc mangles
 * them, so a jmp_buf overwritten through a host bug does not hand out control flow);
 * nothing else (no signal mask, no shadow-stack unwinding: hwasm's objects are not marked
 * for CET shadow stacks, so a process loading them never runs with one). Elsewhere
 * rt_catch_call is C around _setjmp/_longjmp (below). Under AddressSanitizer the jump
 * first tells ASan that the frames it skips are gone, as its interceptor of longjmp does.
 */
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/random.h>

#include "rt_internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define RT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_ASAN 1
#endif
#endif
#ifdef RT_ASAN
void __asan_handle_no_return(void);
#endif

#if RT_JUMP_NATIVE
uintptr_t rt_jump_guard __attribute__((visibility("hidden")));

/* rt_jmp_buf: rbx r12 r13 r14 r15, then rbp rsp rip xored with rt_jump_guard. The saved
 * rsp points at rt_catch_call's return address and the saved rip at its second return
 * (label 2), which reports the trap in rdx: rt_catch_result comes back in rax:rdx. The
 * guest's code gets (env, vm, a, b) in rdi, rsi, edx, ecx. */
__asm__(".text\n"
        ".globl rt_catch_call\n"
        ".hidden rt_catch_call\n"
        ".type rt_catch_call,@function\n"
        "rt_catch_call:\n"
        "  mov rt_jump_guard(%rip), %rax\n"
        "  mov %rbx, 0(%rdi)\n"
        "  mov %r12, 8(%rdi)\n"
        "  mov %r13, 16(%rdi)\n"
        "  mov %r14, 24(%rdi)\n"
        "  mov %r15, 32(%rdi)\n"
        "  mov %rbp, %r11\n"
        "  xor %rax, %r11\n"
        "  mov %r11, 40(%rdi)\n"
        "  mov %rsp, %r11\n"
        "  xor %rax, %r11\n"
        "  mov %r11, 48(%rdi)\n"
        "  lea 2f(%rip), %r11\n"
        "  xor %rax, %r11\n"
        "  mov %r11, 56(%rdi)\n"
        "  mov %rsi, %r10\n"
        "  mov %rdx, %rdi\n"
        "  mov %rcx, %rsi\n"
        "  mov %r8d, %edx\n"
        "  mov %r9d, %ecx\n"
        "  sub $8, %rsp\n" /* the callee's stack 16-byte aligned */
        "  call *%r10\n"
        "  add $8, %rsp\n"
        "  xor %edx, %edx\n"
        "  ret\n"
        "2:\n"
        "  xor %eax, %eax\n"
        "  mov $1, %edx\n"
        "  ret\n"
        ".size rt_catch_call, .-rt_catch_call\n"
        ".globl rt_longjmp_native\n"
        ".hidden rt_longjmp_native\n"
        ".type rt_longjmp_native,@function\n"
        "rt_longjmp_native:\n"
        "  mov rt_jump_guard(%rip), %rax\n"
        "  mov 0(%rdi), %rbx\n"
        "  mov 8(%rdi), %r12\n"
        "  mov 16(%rdi), %r13\n"
        "  mov 24(%rdi), %r14\n"
        "  mov 32(%rdi), %r15\n"
        "  mov 40(%rdi), %rbp\n"
        "  xor %rax, %rbp\n"
        "  mov 48(%rdi), %rdx\n"
        "  xor %rax, %rdx\n"
        "  mov 56(%rdi), %rcx\n"
        "  xor %rax, %rcx\n"
        "  mov %rdx, %rsp\n"
        "  jmp *%rcx\n"
        ".size rt_longjmp_native, .-rt_longjmp_native\n");

void rt_longjmp_native(rt_jmp_buf jb) __attribute__((noreturn));
#endif

#if !RT_JUMP_NATIVE
/* The callee is generated code, which follows the platform's C convention: integer
 * arguments it does not take are ignored, and a void function leaves the result register
 * unspecified (the caller reads it only for functions that return one). */
rt_catch_result rt_catch_call(rt_frame *f, void *code, void *env, hwasm_vmctx *vm, int32_t a, int32_t b) {
    if (_setjmp(f->jb)) return (rt_catch_result){0, 1};
    int64_t v = ((int64_t(*)(void *, hwasm_vmctx *, int32_t, int32_t))code)(env, vm, a, b);
    return (rt_catch_result){v, 0};
}
#endif

void rt_jump_init(void) {
#if RT_JUMP_NATIVE
    uintptr_t g = 0;
    if (getrandom(&g, sizeof g, GRND_NONBLOCK) != (ssize_t)sizeof g) {
        const uintptr_t *r = (const uintptr_t *)getauxval(AT_RANDOM); /* 16 kernel bytes */
        g = (r ? r[0] ^ r[1] : 0) ^ (uintptr_t)&g;
    }
    rt_jump_guard = g;
#endif
}

void rt_longjmp(rt_jmp_buf jb) {
#ifdef RT_ASAN
    __asan_handle_no_return();
#endif
#if RT_JUMP_NATIVE
    rt_longjmp_native(jb);
#else
    _longjmp(jb, 1);
#endif
}

/*
 * rt_jump.c — the setjmp/longjmp pair trap recovery uses. On x86-64 a minimal one: the six
 * callee-saved registers, the stack pointer and the return address, the last three xored
 * with a per-process random guard (as glibc mangles them, so a jmp_buf overwritten through
 * a host bug does not hand out control flow); nothing else (no signal mask, no shadow-stack
 * unwinding: hwasm's objects are not marked for CET shadow stacks, so a process loading
 * them never runs with one). glibc's _setjmp costs ~4 ns, twice per request; this one ~1.
 * Elsewhere _setjmp/_longjmp (rt_internal.h). Under AddressSanitizer the jump first tells
 * ASan that the frames it skips are gone, as its interceptor of longjmp does.
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

/* rt_jmp_buf: rbx r12 r13 r14 r15, then rbp rsp rip xored with rt_jump_guard. */
__asm__(".text\n"
        ".globl rt_setjmp\n"
        ".hidden rt_setjmp\n"
        ".type rt_setjmp,@function\n"
        "rt_setjmp:\n"
        "  mov rt_jump_guard(%rip), %rax\n"
        "  mov %rbx, 0(%rdi)\n"
        "  mov %r12, 8(%rdi)\n"
        "  mov %r13, 16(%rdi)\n"
        "  mov %r14, 24(%rdi)\n"
        "  mov %r15, 32(%rdi)\n"
        "  mov %rbp, %rdx\n"
        "  xor %rax, %rdx\n"
        "  mov %rdx, 40(%rdi)\n"
        "  lea 8(%rsp), %rdx\n"
        "  xor %rax, %rdx\n"
        "  mov %rdx, 48(%rdi)\n"
        "  mov (%rsp), %rdx\n"
        "  xor %rax, %rdx\n"
        "  mov %rdx, 56(%rdi)\n"
        "  xor %eax, %eax\n"
        "  ret\n"
        ".size rt_setjmp, .-rt_setjmp\n"
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
        "  mov $1, %eax\n"
        "  jmp *%rcx\n"
        ".size rt_longjmp_native, .-rt_longjmp_native\n");

void rt_longjmp_native(rt_jmp_buf jb) __attribute__((noreturn));
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

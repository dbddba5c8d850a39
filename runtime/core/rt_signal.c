/*
 * rt_signal.c — the per-thread and process-wide setup guest calls need: a SIGSEGV/SIGBUS
 * handler that turns a guard-page fault of guest code into "out of bounds memory access",
 * an alternate signal stack per thread, and the stack limit guest prologues check.
 * The handler traps only when all hold: a guest call is active on this thread, the kernel
 * sent the signal, the PC is in a loaded module's code and the address is in a memory
 * reservation ("out of bounds memory access") or in this thread's stack below the limit
 * guest code may use, down to its guard ("call stack exhausted": a frame too large for
 * the prologue's check, probed page by page). Anything else goes to the previous handler:
 * a real crash stays a crash.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "rt_internal.h"

#define ALTSTACK_SIZE (64u * 1024)
#define STACK_MARGIN (128u * 1024) /* left for host functions, the trap path, libc */

RT_TLS bool rt_thread_ready;
RT_TLS uintptr_t rt_thread_stack_limit;
static RT_TLS uintptr_t thread_stack_lo; /* the stack's lowest mapped byte */

/* Below the stack's last page sits its guard (glibc: one page, more when asked): faults
 * this far below the stack still count as the stack's. */
#define STACK_GUARD_REACH (64u * 1024)

static struct sigaction prev_segv, prev_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static bool install_failed;
static pthread_key_t altstack_key;

/* The faulting instruction's address, from the machine's signal frame. The data address
 * comes from si_addr on both (aarch64 also has uc_mcontext.fault_address: the same value). */
static uintptr_t fault_pc(const ucontext_t *uc) {
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
#error "libhwasm runs on x86-64 and aarch64 Linux only"
#endif
}

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    uintptr_t pc = fault_pc(ctx);
    uintptr_t addr = (uintptr_t)si->si_addr;
    if (rt_top_frame && si->si_code > 0 && rt_ranges_contains(&rt_fault_code, pc)) {
        if (rt_ranges_contains(&rt_fault_memories, addr)) rt_trap_unwind(HWASM_TRAP_MEMORY_OOB, NULL);
        if (addr < rt_thread_stack_limit && addr + STACK_GUARD_REACH >= thread_stack_lo)
            rt_trap_unwind(HWASM_TRAP_STACK_EXHAUSTED, NULL);
    }
    struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
    if (prev->sa_flags & SA_SIGINFO) {
        prev->sa_sigaction(sig, si, ctx);
    } else if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
        /* Returning re-executes a faulting instruction, which now kills the process; a
         * signal someone sent is sent again. */
        sigaction(sig, prev, NULL);
        if (si->si_code <= 0) raise(sig);
    } else {
        prev->sa_handler(sig);
    }
}

static void free_altstack(void *p) {
    stack_t ss = {.ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    munmap(p, ALTSTACK_SIZE + getpagesize());
}

static void install(void) {
    rt_jump_init();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (pthread_key_create(&altstack_key, free_altstack) != 0 ||
        sigaction(SIGSEGV, &sa, &prev_segv) != 0 || sigaction(SIGBUS, &sa, &prev_bus) != 0)
        install_failed = true;
}

/* Keeps an alternate stack the embedder set up; otherwise maps one with a guard page. */
static int ensure_altstack(void) {
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) &&
        old.ss_size >= (size_t)MINSIGSTKSZ)
        return 0;
    size_t page = (size_t)getpagesize();
    uint8_t *p = mmap(NULL, ALTSTACK_SIZE + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    mprotect(p, page, PROT_NONE);
    stack_t ss = {.ss_sp = p + page, .ss_size = ALTSTACK_SIZE};
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(p, ALTSTACK_SIZE + page);
        return -1;
    }
    pthread_setspecific(altstack_key, p);
    return 0;
}

/* The lowest stack address guest code may reach on this thread: the thread's stack bottom
 * (kept in thread_stack_lo) plus a margin. For an unknown or unbounded stack, assume 8 MiB
 * below the current frame. */
static uintptr_t stack_limit(void) {
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t lo = 0, size = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t sz;
        if (pthread_attr_getstack(&attr, &addr, &sz) == 0) lo = (uintptr_t)addr, size = sz;
        pthread_attr_destroy(&attr);
    }
    if (!lo || sp < lo || sp >= lo + size || size > (1u << 30)) {
        size = 8u << 20;
        lo = sp > size ? sp - size : 0;
    }
    uintptr_t margin = size / 4 < STACK_MARGIN ? size / 4 : STACK_MARGIN;
    thread_stack_lo = lo;
    return lo + margin;
}

int rt_thread_prepare(hw_error *err) {
    if (rt_thread_ready) return HW_OK;
    pthread_once(&install_once, install);
    if (install_failed) return rt_error(err, HW_ENOMEM, "cannot install the fault handler");
    if (ensure_altstack() != 0)
        return rt_error(err, HW_ENOMEM, "cannot allocate an alternate signal stack");
    rt_thread_stack_limit = stack_limit();
    rt_thread_ready = true;
    return HW_OK;
}

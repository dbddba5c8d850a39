/*
 * rt_internal.h — libhwasm's private types and the functions its rt_*.c files share.
 * The public API is hwasm.h; nothing here is visible to embedders. Memories and tables
 * wrap the ABI structs (first member), so a hwasm_memory* from an hw_extern converts back.
 */
#ifndef HWASM_RT_INTERNAL_H
#define HWASM_RT_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include <hwasm/hwasm.h>

#include "rt_error.h" /* rt_error, rt_copy_message */

#define RT_TLS __thread __attribute__((tls_model("initial-exec")))

/* Largest table we create or grow to (wasmtime's default): keeps a hostile table.grow
 * from allocating gigabytes of pointers. Growing past it returns -1 as the spec allows. */
#define RT_TABLE_LIMIT 10000000u

/* --- rt_memory.c ----------------------------------------------------------------------- */

typedef struct rt_memory {
    hwasm_memory pub;   /* first: what generated code and hw_extern see */
    uint32_t min_pages; /* declared limits, for import matching */
    uint32_t declared_max;
    uint32_t has_max;
    int range_slot; /* in rt_fault_memories, so the fault handler knows the reservation */
    hw_memory_budget *budget; /* what its size counts in while an instance owns it, or NULL */
} rt_memory;

static inline rt_memory *rt_memory_of(hwasm_memory *m) {
    return (rt_memory *)m;
}

/* Reserves and maps a memory of min_pages. guard: reserve HWASM_GUARD_RESERVATION (no
 * bounds checks in the code); otherwise reserve exactly the growth limit. cap_pages (0 =
 * none) lowers the growth limit below the declared max. Returns HW_OK or HW_ENOMEM. */
int rt_memory_create(uint32_t min_pages, uint32_t max_pages, int has_max, uint32_t cap_pages,
                     bool guard, rt_memory **out, hw_error *err);
/* Gives a spare memory (rt_spare.c) the limits of a fresh one; fails like rt_memory_create
 * when they are invalid, leaving m to the caller. */
int rt_memory_reuse(rt_memory *m, uint32_t max_pages, int has_max, uint32_t cap_pages,
                    hw_error *err);
void rt_memory_free(rt_memory *m);
/* memory.grow: the old size in pages, or -1 with nothing changed. */
int32_t rt_memory_grow(hwasm_memory *m, uint32_t delta_pages);
/* Counts bytes in budget: false (nothing counted) when that would pass its limit. */
bool rt_budget_take(hw_memory_budget *budget, uint64_t bytes);
void rt_budget_give(hw_memory_budget *budget, uint64_t bytes);

/* --- rt_table.c ------------------------------------------------------------------------ */

typedef struct rt_table {
    hwasm_table pub; /* first */
    uint32_t has_max;
    uint64_t *room; /* elements its instance's tables may still gain together (the
                       max_table_elements option), or NULL for no such cap */
    hw_memory_budget *budget; /* what its elements count in (8 bytes each), or NULL */
} rt_table;

static inline rt_table *rt_table_of(hwasm_table *t) {
    return (rt_table *)t;
}

int rt_table_create(uint8_t elem_type, uint32_t min, uint32_t max, int has_max, rt_table **out,
                    hw_error *err);
void rt_table_free(rt_table *t);
/* table.grow: the old size, or -1 with nothing changed (also past the instance's room). */
int32_t rt_table_grow(hwasm_table *t, void *init, uint32_t delta);

/* --- rt_ranges.c: address ranges the fault handler may read at any time ---------------- */

typedef struct rt_ranges rt_ranges;
extern rt_ranges rt_fault_code;     /* executable segments of loaded modules */
extern rt_ranges rt_fault_memories; /* memory reservations */

/* Returns a slot for rt_ranges_remove, or -1 when out of memory. */
int rt_ranges_add(rt_ranges *r, uintptr_t lo, uintptr_t hi);
void rt_ranges_remove(rt_ranges *r, int slot);
/* Async-signal-safe and lock-free. */
bool rt_ranges_contains(rt_ranges *r, uintptr_t addr);

/* --- rt_elf.c: what a .so would run inside dlopen, refused from its bytes alone ---------- */

/* 0 when bytes[0..len) is an ELF shared object for this runtime's machine (x86-64 or
 * aarch64) that runs no code while loaded (no DT_NEEDED, filters, constructors, IFUNCs,
 * non-data or out-of-object relocations) and defines the descriptor symbol with this
 * runtime's size; else -1 and what is wrong in why (a foreign machine is named). */
int rt_elf_check(const uint8_t *bytes, size_t len, char *why, size_t cap);
/* The host's ELF e_machine, and a readable name for one ("x86-64", "aarch64"). */
unsigned rt_elf_host_machine(void);
const char *rt_elf_machine_name(unsigned machine);

/* --- rt_module.c ----------------------------------------------------------------------- */

#define RT_SPARES 16u                   /* wiped spare memories per module (rt_spare.c) */
#define RT_SPARE_MAX_BYTES (256u << 10) /* larger memories are rewound, not wiped */
#define RT_KEPT 256u                    /* rewound spare memories per module (rt_spare.c) */

struct hw_module {
    void *dl;
    int memfd; /* the sealed copy dlopen mapped, open while loaded so its name stays unique */
    const hwasm_descriptor *d;
    uint32_t *sig_ids; /* [num_types]: canonical id of each type */
    int code_slots[4]; /* the .so's executable segments in rt_fault_code */
    int num_code_slots;
    hw_instance *zombies; /* instances whose functions may still be referenced (see
                             rt_instance.c), freed with the module */
    pthread_mutex_t spare_lock; /* guards spares (rt_spare.c) */
    uint32_t num_spares, num_kept; /* written under spare_lock, read as hints without */
    struct rt_memory *spares[RT_SPARES];
    struct rt_memory *kept[RT_KEPT];
};

/* --- rt_spare.c: freed instances' memories, made fresh and kept for the next instance --- */

/* Keeps m (made fresh) for the module's next instance, or returns false: the caller frees
 * it. */
bool rt_spare_give(hw_module *mod, struct rt_memory *m);
/* A spare memory of the module's initial size, all zero, or NULL. */
struct rt_memory *rt_spare_take(hw_module *mod);
/* At hw_module_free: unmaps every spare. */
void rt_spare_free_all(hw_module *mod);

/* --- rt_instance.c / rt_link.c --------------------------------------------------------- */

struct hw_instance {
    hwasm_vmctx vm; /* vm.host == this */
    hw_module *mod;
    hwasm_funcref **funcs;     /* vm.funcs */
    hwasm_global **globals;    /* vm.globals */
    hwasm_table **tables;      /* vm.tables */
    hwasm_funcref *own_funcs;  /* [num_funcs - num_imported_funcs] */
    hwasm_global *own_globals; /* [num_globals - num_imported_globals] */
    rt_memory *own_memory;     /* NULL when imported or absent */
    uint64_t table_room;       /* what its tables may still gain (max_table_elements) */
    uint64_t *dropped;         /* bitset: data segments [0, num_data), then elem segments */
    bool start_pending;        /* the start function was deferred (hw_instance_start) */
    hw_instance *next_zombie;
};

static inline hw_instance *rt_instance_of(hwasm_vmctx *vm) {
    return (hw_instance *)vm->host;
}

/* Checks every import against the module's import types (the spec's matching rules) and
 * stores the bound objects into inst's arrays. HW_ELINK with a message on mismatch. */
int rt_link_imports(hw_instance *inst, const hw_extern *imports, uint32_t num_imports,
                    hw_error *err);

/* Frees an instance and everything it owns (hw_instance_free, and zombies at module free). */
void rt_instance_destroy(hw_instance *inst);

/* --- rt_const.c ------------------------------------------------------------------------ */

/* Evaluates a constant expression of the instance (globals and functions must be set). */
uint64_t rt_const_eval(const hw_instance *inst, const hwasm_const *c);
/* A global's initial value, all 16 bytes (a v128 needs more than rt_const_eval returns). */
void rt_const_eval_global(const hw_instance *inst, const hwasm_const *c, hwasm_global *out);

/* --- rt_bulk.c ------------------------------------------------------------------------- */

extern const hwasm_runtime_calls rt_calls;

/* The bulk operations without the trap: each returns HWASM_TRAP_NONE or the trap code,
 * and changes nothing when it traps. Used by the callbacks and by instantiation. */
uint32_t rt_memory_init(hw_instance *inst, uint32_t data_index, uint32_t dst, uint32_t src,
                        uint32_t n);
uint32_t rt_table_init(hw_instance *inst, uint32_t table_index, uint32_t elem_index, uint32_t dst,
                       uint32_t src, uint32_t n);
void rt_data_drop(hw_instance *inst, uint32_t data_index);
void rt_elem_drop(hw_instance *inst, uint32_t elem_index);

/* --- rt_trap.c, rt_call.c, rt_signal.c: trap recovery ---------------------------------- */

/* One armed guest call on this thread; innermost on top. jb: where rt_longjmp returns. */
#if defined(__x86_64__)
#define RT_JUMP_NATIVE 1
typedef uintptr_t rt_jmp_buf[8];
#else
#define RT_JUMP_NATIVE 0
typedef jmp_buf rt_jmp_buf;
#endif
typedef struct rt_frame {
    rt_jmp_buf jb;
    struct rt_frame *prev;
    hw_error *err;
} rt_frame;

extern RT_TLS rt_frame *rt_top_frame;

/* rt_jump.c: calls code(env, vm, a, b), generated code or a body taking (env) alone, and
 * returns its result (value: meaningful only if the code returns one), or, when
 * rt_longjmp(f->jb) is called during it, returns again with trapped = 1. On x86-64 a
 * minimal save of the callee-saved registers (RT_JUMP_NATIVE), else _setjmp/_longjmp
 * (neither saves the signal mask). rt_jump_init draws the pointer guard (once per
 * process, before any guest call). */
typedef struct {
    int64_t value;
    int64_t trapped;
} rt_catch_result;
rt_catch_result rt_catch_call(rt_frame *f, void *code, void *env, hwasm_vmctx *vm, int32_t a, int32_t b);
void rt_longjmp(rt_jmp_buf jb) __attribute__((noreturn));
void rt_jump_init(void);

/* Unwinds to the innermost guest call with trap code and message (NULL: the spec's
 * wording). Async-signal-safe. */
void rt_trap_unwind(uint32_t trap, const char *message) __attribute__((noreturn));

/* vmctx->rt->trap: generated code's explicit traps. */
void rt_trap_callback(hwasm_vmctx *vm, uint32_t code) __attribute__((noreturn));

/* Per-thread setup before the first guest call: fault handler (process-wide, once),
 * alternate signal stack, stack limit. Returns HW_OK or HW_ENOMEM. */
int rt_thread_prepare(hw_error *err);
extern RT_TLS bool rt_thread_ready;
/* The stack limit guest prologues compare against on this thread (valid once prepared). */
extern RT_TLS uintptr_t rt_thread_stack_limit;

#endif /* HWASM_RT_INTERNAL_H */

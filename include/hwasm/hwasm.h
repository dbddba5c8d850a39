/*
 * hwasm.h — libhwasm's public API: load modules compiled by hwasmc, link and instantiate
 * them, call their functions, and survive their traps.
 *
 * Conventions (after libuv): hw_<noun>_<verb>; functions return 0 on success or a negative
 * HW_E* code and, when given one, fill a hw_error with a one-line message. Nothing here
 * calls exit() or abort() on bad input. Objects are opaque and freed by their *_free.
 * A hw_instance is single-threaded: call it from one thread at a time.
 */
#ifndef HWASM_H
#define HWASM_H

#include <stddef.h>
#include <stdint.h>

#include <hwasm/hwasm_module.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hw_status {
    HW_OK = 0,
    HW_EIO = -1,      /* cannot open or dlopen a file */
    HW_EABI = -2,     /* not a hwasm module, wrong ABI version, digest mismatch, bad descriptor */
    HW_ELINK = -3,    /* an import is missing or has the wrong type ("unlinkable") */
    HW_ETRAP = -4,    /* the guest trapped; hw_error.trap says why */
    HW_ENOMEM = -5,   /* out of memory or address space */
    HW_EINVAL = -6,   /* bad argument from the embedder */
    HW_ENOENT = -7,   /* no such export */
    HW_EBUSY = -8,    /* every pooled instance is busy and the caller asked not to wait, or
                         a memory budget that live instances share is used up (freeing one
                         makes room: hw_memory_budget) */
    HW_EREFUSED = -9, /* the file would run code when loaded (constructors, dependencies,
                         IFUNCs, stray relocations), is not an x86-64 ELF shared object, or
                         its bytes do not have the required sha256: refused before dlopen */
};

typedef struct hw_error {
    int status;         /* enum hw_status */
    uint32_t trap;      /* enum hwasm_trap, when status == HW_ETRAP */
    char message[512];
} hw_error;

typedef struct hw_module hw_module;
typedef struct hw_instance hw_instance;

/* The spec's wording for a trap code ("out of bounds memory access"). */
const char *hw_trap_message(uint32_t trap);
const char *hw_strerror(int status);

/* --- Modules -------------------------------------------------------------------------- */

typedef struct hw_load_options {
    const uint8_t *require_sha256; /* when non-NULL, the module's wasm digest must match */
    const uint8_t *require_file_sha256; /* when non-NULL, the sha256 of the .so file's own
                                           bytes must match (a pin, or a cache's record) */
} hw_load_options;

/* The largest .so hw_module_load reads (512 MiB): a bigger file, or anything but a regular
 * file (a FIFO, /dev/zero, a directory), is refused with HW_EIO before a byte is copied. */
#define HW_MODULE_MAX_BYTES (512ull << 20)

/* Loads a .so produced by hwasmc and checks its descriptor. opts may be NULL.
 * The file is copied once into a sealed memfd; those bytes are hashed (when opts asks) and
 * inspected (runtime/core/rt_elf.c) before anything is mapped as code, and it is exactly
 * those bytes that dlopen maps, so a file changed or swapped meanwhile cannot slip in.
 * Anything that would run code inside dlopen is refused with HW_EREFUSED. The path is
 * opened, never searched: "foo.so" means ./foo.so, not a library path.
 * On success *out owns the library handle. */
int hw_module_load(const char *path, const hw_load_options *opts, hw_module **out, hw_error *err);
const hwasm_descriptor *hw_module_descriptor(const hw_module *m);
/* Frees the module. All its instances must be freed first. */
void hw_module_free(hw_module *m);

/* --- Values that cross module boundaries (imports and exports) ------------------------ */

typedef struct hw_extern {
    uint32_t kind; /* hwasm_extern_kind */
    union {
        hwasm_funcref *func;
        hwasm_table *table;
        hwasm_memory *memory;
        hwasm_global *global;
    } of;
    uint8_t global_type;    /* GLOBAL: value type */
    uint8_t global_mutable; /* GLOBAL */
} hw_extern;

/* Interns a function type and returns its canonical signature id: equal types, equal ids,
 * across all modules of the process. */
uint32_t hw_sig_intern(const uint8_t *params, uint32_t num_params, const uint8_t *results,
                       uint32_t num_results);

/* Host-made objects (the spectest module, the http host). Owned by the caller, freed with
 * hw_extern_free; they must outlive every instance that imports them. */
int hw_host_func_new(const uint8_t *params, uint32_t num_params, const uint8_t *results,
                     uint32_t num_results, void *code, void *env, hw_extern *out);
int hw_memory_new(uint32_t min_pages, uint32_t max_pages, int has_max, hw_extern *out);
int hw_table_new(uint8_t elem_type, uint32_t min, uint32_t max, int has_max, hw_extern *out);
int hw_global_new(uint8_t value_type, int is_mutable, uint64_t bits, hw_extern *out);
void hw_extern_free(hw_extern *e);

/* --- Instances ------------------------------------------------------------------------ */

/*
 * A ceiling on what several instances hold together (one middleware's pool, say): the
 * bytes of the linear memory each defines, and 8 per element of the tables it defines.
 * limit is in bytes; used is what they hold now (updated atomically by the runtime; read
 * it for metrics, never write it while instances that share it live). Set limit and
 * used = 0, then name it in each instance's options.
 */
typedef struct hw_memory_budget {
    uint64_t limit;
    uint64_t used;
} hw_memory_budget;

typedef struct hw_instance_options {
    uint32_t max_memory_pages; /* cap on memory.grow for a defined memory; 0 = module max */
    uint32_t max_table_elements; /* cap on the elements of all the instance's defined tables
                                    together: a larger declared min fails instantiation
                                    (HW_ENOMEM), table.grow past it answers -1; 0 = none
                                    (each table still stops at 10,000,000) */
    uint32_t defer_start; /* 1: hw_instance_new leaves the start function to the caller,
                             who runs it with hw_instance_start (under a time budget, say:
                             a start that never returns would hold hw_instance_new forever,
                             out of reach of hw_instance_interrupt); 0 = run it inside */
    hw_memory_budget *memory_budget; /* NULL = none. The memory and tables the instance
                                        defines count in it from creation (past the limit:
                                        HW_ENOMEM) and at every memory.grow or table.grow
                                        (past it: -1) until the instance is freed; it must
                                        outlive the instance */
} hw_instance_options;

/*
 * Creates an instance: reserves and maps memory, creates tables and globals, binds the
 * imports (imports[i] answers descriptor->imports[i]; num_imports must match), applies
 * the active element and data segments, and runs the start function (unless
 * opts->defer_start: see hw_instance_start).
 * Returns HW_ELINK when an import does not match, HW_ETRAP when a segment or the start
 * function traps (the spec's "uninstantiable"; nothing is left allocated).
 */
int hw_instance_new(hw_module *m, const hw_extern *imports, uint32_t num_imports,
                    const hw_instance_options *opts, hw_instance **out, hw_error *err);
/*
 * Runs the start function that hw_instance_new deferred (opts->defer_start), once: like
 * hw_call, so hw_instance_interrupt from another thread stops it with the trap
 * "interrupted". HW_OK at once when the module has no start function or it already ran.
 * On HW_ETRAP the instance is the spec's "uninstantiable": call nothing else on it, free
 * it with hw_instance_free. Call it before any other call on the instance.
 */
int hw_instance_start(hw_instance *inst, hw_error *err);
void hw_instance_free(hw_instance *inst);

/* Looks up an export by name (name_len bytes; names may hold NUL). HW_ENOENT if absent. */
int hw_instance_export(hw_instance *inst, const char *name, size_t name_len, hw_extern *out);
/* The function index an exported function has in this instance, or -1. */
int64_t hw_instance_export_func_index(hw_instance *inst, const char *name, size_t name_len);

hwasm_vmctx *hw_instance_vmctx(hw_instance *inst);
hwasm_memory *hw_instance_memory(hw_instance *inst);

/*
 * The one part of an instance's state that its memory, tables and globals do not show:
 * which data and element segments are dropped (by instantiation, data.drop or elem.drop).
 * A host that resets an instance to a snapshot saves it with the rest and puts it back:
 * hw_instance_dropped_words tells how many 64-bit words it takes (0 for a module without
 * segments), hw_instance_dropped_save copies them into out, hw_instance_dropped_restore
 * makes saved (taken from the same instance) the current state again.
 */
size_t hw_instance_dropped_words(const hw_instance *inst);
void hw_instance_dropped_save(const hw_instance *inst, uint64_t *out);
void hw_instance_dropped_restore(hw_instance *inst, const uint64_t *saved);

/*
 * Calls function func_index of inst (imports included) generically: arguments packed in
 * slots from slots[0], results written back packed from slots[0], one slot per value and
 * two for a v128 (bytes 0..7, then 8..15; see hwasm_trampoline). slots must have room for
 * the larger of hwasm_slot_count(params) and hwasm_slot_count(results). A trap returns
 * HW_ETRAP with err->trap and err->message set.
 */
int hw_call(hw_instance *inst, uint32_t func_index, uint64_t *slots, hw_error *err);

/*
 * Runs body(arg) as a guest call on inst: sets the stack limit, arms trap recovery, and
 * turns a trap anywhere inside into HW_ETRAP. body calls typed entry points directly
 * (e.g. ((int64_t (*)(void *, hwasm_vmctx *))fr->code)(fr->env, vm)), which is the fast
 * path the http host uses. Nested hw_call_guarded on the same thread is allowed.
 */
int hw_call_guarded(hw_instance *inst, void (*body)(void *arg), void *arg, hw_error *err);

/* Sets inst's interrupt flag: the guest traps "interrupted" at its next loop header or
 * function entry. Safe from any thread and from signal handlers. */
void hw_instance_interrupt(hw_instance *inst);

/* For host functions: stop the current guest call with a trap. Never returns. */
void hw_trap_raise(hwasm_vmctx *caller, uint32_t trap, const char *message)
    __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* HWASM_H */

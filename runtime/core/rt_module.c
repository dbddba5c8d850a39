/*
 * rt_module.c — loading a compiled module: copy the file into a sealed memfd, check those
 * bytes (their sha256 when required, rt_elf.c before anything runs), dlopen exactly them,
 * find the descriptor, refuse anything whose ABI version, digest or internal consistency
 * is wrong (a bad index here would become a wild pointer later), intern its signatures, and
 * tell the fault handler where its code lives.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "io_util.h"
#include "rt_internal.h"
#include "sha256.h"

static bool reftype_ok(uint8_t t) {
    return t == HWASM_FUNCREF || t == HWASM_EXTERNREF;
}

static bool limits_ok(const hwasm_limits *l, uint32_t hard_max) {
    return l->min <= hard_max && (!l->has_max || (l->max >= l->min && l->max <= hard_max));
}

/* A constant expression of global type `type`, where globals below `num_globals` may be read. */
static bool const_ok(const hwasm_descriptor *d, const hwasm_const *c, uint8_t type,
                     uint32_t num_globals) {
    switch (c->kind) {
    case HWASM_CONST_I32: return type == HWASM_I32;
    case HWASM_CONST_I64: return type == HWASM_I64;
    case HWASM_CONST_F32: return type == HWASM_F32;
    case HWASM_CONST_F64: return type == HWASM_F64;
    case HWASM_CONST_V128: return type == HWASM_V128;
    case HWASM_CONST_REF_NULL: return c->index == type && reftype_ok(type);
    case HWASM_CONST_REF_FUNC: return type == HWASM_FUNCREF && c->index < d->num_funcs;
    case HWASM_CONST_GLOBAL_GET:
        return c->index < num_globals && d->globals[c->index].value_type == type;
    default: return false;
    }
}

/* Returns NULL when d is consistent, else what is wrong (in buf). */
static const char *check_descriptor(const hwasm_descriptor *d, char *buf, size_t cap) {
#define BAD(...) return (snprintf(buf, cap, __VA_ARGS__), buf)
#define NEED(count, ptr)                                                                           \
    if ((count) && !(ptr)) BAD("%s is NULL with %s = %u", #ptr, #count, (unsigned)(count))
    NEED(d->num_types, d->types);
    NEED(d->num_types, d->trampolines);
    for (uint32_t i = 0; i < d->num_types; i++) {
        const hwasm_functype *t = &d->types[i];
        if ((t->num_params + (uint64_t)t->num_results) && !t->types)
            BAD("type %u has no value types", i);
        for (uint32_t k = 0; k < t->num_params + t->num_results; k++)
            if (!hwasm_valtype_valid(t->types[k]))
                BAD("type %u has an unknown value type 0x%02x", i, t->types[k]);
        if (!d->trampolines[i]) BAD("type %u has no trampoline", i);
    }
    if (d->num_imported_funcs > d->num_funcs || d->num_imported_tables > d->num_tables ||
        d->num_imported_globals > d->num_globals || (d->memory_imported && !d->has_memory) ||
        d->has_memory > 1)
        BAD("more imports than definitions");
    NEED(d->num_imports, d->imports);
    uint32_t counts[4] = {0};
    for (uint32_t i = 0; i < d->num_imports; i++) {
        const hwasm_import *im = &d->imports[i];
        if (!im->module || !im->name || im->kind > HWASM_EXTERN_GLOBAL)
            BAD("import %u is malformed", i);
        counts[im->kind]++;
        if (im->kind == HWASM_EXTERN_FUNC && im->type_index >= d->num_types)
            BAD("import %u: bad type index", i);
    }
    if (counts[HWASM_EXTERN_FUNC] != d->num_imported_funcs ||
        counts[HWASM_EXTERN_TABLE] != d->num_imported_tables ||
        counts[HWASM_EXTERN_MEMORY] != d->memory_imported ||
        counts[HWASM_EXTERN_GLOBAL] != d->num_imported_globals)
        BAD("import counts disagree with the import list");
    NEED(d->num_funcs, d->func_types);
    NEED(d->num_funcs, d->func_code);
    for (uint32_t i = 0; i < d->num_funcs; i++) {
        if (d->func_types[i] >= d->num_types) BAD("function %u: bad type index", i);
        if (i >= d->num_imported_funcs && !d->func_code[i]) BAD("function %u has no code", i);
    }
    NEED(d->num_tables, d->tables);
    for (uint32_t i = 0; i < d->num_tables; i++)
        if (!reftype_ok(d->tables[i].elem_type) || !limits_ok(&d->tables[i].limits, UINT32_MAX))
            BAD("table %u is malformed", i);
    if (d->has_memory && !limits_ok(&d->memory_limits, HWASM_MAX_PAGES))
        BAD("memory limits are malformed");
    NEED(d->num_globals, d->globals);
    for (uint32_t i = 0; i < d->num_globals; i++) {
        const hwasm_global_def *g = &d->globals[i];
        if (!hwasm_valtype_valid(g->value_type)) BAD("global %u has an unknown type", i);
        if (i >= d->num_imported_globals && !const_ok(d, &g->init, g->value_type, i))
            BAD("global %u has a malformed initialiser", i);
    }
    uint32_t im_func = 0, im_table = 0, im_global = 0;
    for (uint32_t i = 0; i < d->num_imports; i++) { /* imports must agree with the definitions */
        const hwasm_import *im = &d->imports[i];
        if (im->kind == HWASM_EXTERN_FUNC && d->func_types[im_func++] != im->type_index)
            BAD("import %u: type disagrees with function list", i);
        if (im->kind == HWASM_EXTERN_TABLE && d->tables[im_table++].elem_type != im->value_type)
            BAD("import %u: type disagrees with table list", i);
        if (im->kind == HWASM_EXTERN_GLOBAL && d->globals[im_global++].value_type != im->value_type)
            BAD("import %u: type disagrees with global list", i);
    }
    NEED(d->num_exports, d->exports);
    for (uint32_t i = 0; i < d->num_exports; i++) {
        const hwasm_export *e = &d->exports[i];
        uint32_t limit = e->kind == HWASM_EXTERN_FUNC     ? d->num_funcs
                         : e->kind == HWASM_EXTERN_TABLE  ? d->num_tables
                         : e->kind == HWASM_EXTERN_MEMORY ? d->has_memory
                         : e->kind == HWASM_EXTERN_GLOBAL ? d->num_globals
                                                          : 0;
        if (!e->name || e->index >= limit) BAD("export %u is malformed", i);
    }
    if (d->start_func != -1) {
        if (d->start_func < 0 || d->start_func >= d->num_funcs) BAD("bad start function");
        const hwasm_functype *t = &d->types[d->func_types[d->start_func]];
        if (t->num_params || t->num_results) BAD("start function has parameters or results");
    }
    NEED(d->num_data, d->data);
    for (uint32_t i = 0; i < d->num_data; i++) {
        const hwasm_data_segment *s = &d->data[i];
        if (s->size && !s->bytes) BAD("data segment %u has no bytes", i);
        if (s->mode == HWASM_SEGMENT_ACTIVE) {
            if (!d->has_memory || s->memory_index != 0 ||
                !const_ok(d, &s->offset, HWASM_I32, d->num_globals))
                BAD("data segment %u is malformed", i);
        } else if (s->mode != HWASM_SEGMENT_PASSIVE) {
            BAD("data segment %u has a bad mode", i);
        }
    }
    NEED(d->num_elems, d->elems);
    for (uint32_t i = 0; i < d->num_elems; i++) {
        const hwasm_elem_segment *s = &d->elems[i];
        if (!reftype_ok(s->elem_type) || s->mode > HWASM_SEGMENT_DECLARATIVE)
            BAD("element segment %u is malformed", i);
        if (s->num_items && !s->items) BAD("element segment %u has no items", i);
        if (s->mode == HWASM_SEGMENT_ACTIVE &&
            (s->table_index >= d->num_tables ||
             d->tables[s->table_index].elem_type != s->elem_type ||
             !const_ok(d, &s->offset, HWASM_I32, d->num_globals)))
            BAD("element segment %u is malformed", i);
        for (uint32_t k = 0; k < s->num_items; k++)
            if (!const_ok(d, &s->items[k], s->elem_type, d->num_globals))
                BAD("element segment %u: item %u is malformed", i, k);
    }
    return NULL;
#undef NEED
#undef BAD
}

/* Finds the loaded object whose segments hold the descriptor and records its executable
 * PT_LOAD segments, which is where the module's generated code runs. */
typedef struct code_search {
    uintptr_t descriptor;
    hw_module *m;
    bool found, failed;
} code_search;

static bool holds(const struct dl_phdr_info *info, uintptr_t addr) {
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && addr >= lo && addr < lo + ph->p_memsz) return true;
    }
    return false;
}

static int find_code(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    code_search *s = arg;
    if (!holds(info, s->descriptor)) return 0;
    s->found = true;
    hw_module *m = s->m;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
        if (m->num_code_slots == (int)(sizeof m->code_slots / sizeof *m->code_slots)) {
            s->failed = true;
            break;
        }
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        int slot = rt_ranges_add(&rt_fault_code, lo, lo + ph->p_memsz);
        if (slot < 0)
            s->failed = true;
        else
            m->code_slots[m->num_code_slots++] = slot;
    }
    return 1;
}

static int register_code(hw_module *m) {
    code_search s = {.descriptor = (uintptr_t)m->d, .m = m};
    dl_iterate_phdr(find_code, &s);
    /* A module without functions may have no executable segment at all. */
    return !s.found || s.failed ? -1 : 0;
}

static int intern_sigs(hw_module *m) {
    const hwasm_descriptor *d = m->d;
    m->sig_ids = calloc(d->num_types ? d->num_types : 1, sizeof *m->sig_ids);
    if (!m->sig_ids) return -1;
    for (uint32_t i = 0; i < d->num_types; i++) {
        const hwasm_functype *t = &d->types[i];
        m->sig_ids[i] = hw_sig_intern(t->types, t->num_params,
                                      t->types ? t->types + t->num_params : NULL, t->num_results);
        if (!m->sig_ids[i]) return -1;
    }
    return 0;
}

/* Copies the file at path into a memfd that nobody can change any more (sealed) and
 * checks its bytes; on success m->memfd holds it. The path is only ever open()ed, by
 * open_regular: a FIFO cannot block the load, /dev/zero or a huge sparse file is refused
 * (HW_MODULE_MAX_BYTES) instead of copied until memory runs out. */
static int copy_and_check(hw_module *m, const char *path, const hw_load_options *opts, hw_error *err) {
    char why[256];
    uint64_t size;
    int fd = open_regular(AT_FDCWD, path, 0, HW_MODULE_MAX_BYTES, " (HW_MODULE_MAX_BYTES)", &size, why, sizeof why);
    if (fd < 0) return rt_error(err, HW_EIO, "%s: %s", path, why);
    int rc = HW_OK;
    const char *base = strrchr(path, '/');
    char name[64];
    snprintf(name, sizeof name, "hwasm:%s", base ? base + 1 : path);
    m->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (m->memfd < 0) {
        rc = rt_error(err, HW_EIO, "%s: memfd_create: %s", path, strerror(errno));
        goto out;
    }
    for (uint64_t done = 0; done < size;) {
        ssize_t n = sendfile(m->memfd, fd, NULL, (size_t)(size - done));
        if (n <= 0) {
            rc = rt_error(err, HW_EIO, "%s: %s", path, n ? strerror(errno) : "file shrank while read");
            goto out;
        }
        done += (uint64_t)n;
    }
    if (fcntl(m->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)) {
        rc = rt_error(err, HW_EIO, "%s: sealing its copy: %s", path, strerror(errno));
        goto out;
    }
    size_t len = (size_t)size;
    const uint8_t *b = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, m->memfd, 0) : NULL;
    if (b == MAP_FAILED) {
        rc = rt_error(err, HW_ENOMEM, "%s: mmap: %s", path, strerror(errno));
        goto out;
    }
    uint8_t digest[32];
    if (opts && opts->require_file_sha256 && (sha256(b, len, digest), memcmp(digest, opts->require_file_sha256, 32)))
        rc = rt_error(err, HW_EREFUSED, "%s: refused: its sha256 is not the required one", path);
    else if (rt_elf_check(b, len, why, sizeof why))
        rc = rt_error(err, HW_EREFUSED, "%s: refused before loading: %s", path, why);
    if (len) munmap((void *)b, len);
out:
    close(fd);
    return rc;
}

int hw_module_load(const char *path, const hw_load_options *opts, hw_module **out, hw_error *err) {
    if (!path || !out) return rt_error(err, HW_EINVAL, "hw_module_load: NULL argument");
    *out = NULL;
    hw_module *m = calloc(1, sizeof *m);
    if (!m) return rt_error(err, HW_ENOMEM, "out of memory");
    m->memfd = -1;
    pthread_mutex_init(&m->spare_lock, NULL);
    int rc;
    char why[256];
    if ((rc = copy_and_check(m, path, opts, err)) != HW_OK) goto fail;
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", m->memfd);
    m->dl = dlopen(self, RTLD_NOW | RTLD_LOCAL);
    if (!m->dl) {
        rc = rt_error(err, HW_EIO, "%s: %s", path, dlerror());
        goto fail;
    }
    m->d = dlsym(m->dl, HWASM_DESCRIPTOR_SYMBOL);
    if (!m->d) {
        rc = rt_error(err, HW_EABI, "%s: no %s symbol: not a hwasm module", path,
                      HWASM_DESCRIPTOR_SYMBOL);
        goto fail;
    }
    if (m->d->abi_version != HWASM_ABI_VERSION) {
        rc = rt_error(err, HW_EABI, "%s: ABI version %u, this runtime needs %u", path,
                      m->d->abi_version, HWASM_ABI_VERSION);
        goto fail;
    }
    /* The ELF header was checked before dlopen; a descriptor that records a machine (hwasmc
     * --target) must say the same. 0 records none (an older hwasmc, a hand-made module). */
    unsigned machine = HWASM_FLAG_MACHINE(m->d->flags);
    if (machine && machine != rt_elf_host_machine()) {
        rc = rt_error(err, HW_EABI, "%s: compiled for %s (descriptor machine %u), this runtime runs on %s",
                      path, rt_elf_machine_name(machine), machine, rt_elf_machine_name(rt_elf_host_machine()));
        goto fail;
    }
    if (opts && opts->require_sha256 && memcmp(opts->require_sha256, m->d->wasm_sha256, 32) != 0) {
        rc = rt_error(err, HW_EABI, "%s: wasm digest does not match the required one", path);
        goto fail;
    }
    const char *bad = check_descriptor(m->d, why, sizeof why);
    if (bad) {
        rc = rt_error(err, HW_EABI, "%s: bad descriptor: %s", path, bad);
        goto fail;
    }
    if (intern_sigs(m) != 0) {
        rc = rt_error(err, HW_ENOMEM, "out of memory");
        goto fail;
    }
    if (register_code(m) != 0) {
        rc = rt_error(err, HW_EABI, "%s: cannot locate the module's code segment", path);
        goto fail;
    }
    *out = m;
    return HW_OK;
fail:
    hw_module_free(m);
    return rc;
}

const hwasm_descriptor *hw_module_descriptor(const hw_module *m) {
    return m ? m->d : NULL;
}

void hw_module_free(hw_module *m) {
    if (!m) return;
    while (m->zombies) {
        hw_instance *z = m->zombies;
        m->zombies = z->next_zombie;
        rt_instance_destroy(z);
    }
    rt_spare_free_all(m);
    pthread_mutex_destroy(&m->spare_lock);
    for (int i = 0; i < m->num_code_slots; i++)
        rt_ranges_remove(&rt_fault_code, m->code_slots[i]);
    free(m->sig_ids);
    if (m->dl) dlclose(m->dl);
    if (m->memfd >= 0) close(m->memfd);
    free(m);
}

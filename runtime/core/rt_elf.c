/*
 * rt_elf.c — inspects a shared object's bytes BEFORE it is dlopen()ed, because dlopen runs
 * code: constructors (DT_INIT, DT_INIT_ARRAY, DT_PREINIT_ARRAY), its dependencies' (and
 * filtees') constructors, IFUNC resolvers, and relocations that may write anywhere. A module
 * hwasmc linked has none of these, so anything else is refused here, from the file alone.
 * Reads only the loader's view (program headers, the dynamic segment); every offset is
 * bounds-checked, nothing is trusted.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rt_internal.h"

/* The machine this runtime runs on, and the relocation types a hwasmc module for it has:
 * plain data fix-ups (absolute address, GOT entry, PLT slot, base-relative). */
#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define R_ABS64 R_X86_64_64
#define R_GLOB_DAT R_X86_64_GLOB_DAT
#define R_JUMP_SLOT R_X86_64_JUMP_SLOT
#define R_RELATIVE R_X86_64_RELATIVE
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define R_ABS64 R_AARCH64_ABS64
#define R_GLOB_DAT R_AARCH64_GLOB_DAT
#define R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define R_RELATIVE R_AARCH64_RELATIVE
#else
#error "libhwasm runs on x86-64 and aarch64 Linux only"
#endif
_Static_assert(R_X86_64_NONE == 0 && R_AARCH64_NONE == 0, "R_*_NONE is 0 on both machines");

const char *rt_elf_machine_name(unsigned machine) {
    switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "aarch64";
    case EM_386: return "i386";
    case EM_ARM: return "arm (32-bit)";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390x";
    default: return "an unknown machine";
    }
}

unsigned rt_elf_host_machine(void) { return HOST_MACHINE; }

struct elf {
    const uint8_t *b;
    size_t n;
    const Elf64_Phdr *ph;
    uint16_t phnum;
    char *why;
    size_t cap;
};

static int bad(struct elf *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->why, e->cap, fmt, ap);
    va_end(ap);
    return -1;
}

static bool in_file(const struct elf *e, uint64_t off, uint64_t len) {
    return off <= e->n && len <= e->n - off;
}

/* The file offset of [vaddr, vaddr+len) when one PT_LOAD maps all of it from the file and
 * the offset is aligned to align (so the tables there can be read in place). */
static bool vaddr_off(const struct elf *e, uint64_t vaddr, uint64_t len, uint64_t align, uint64_t *off) {
    for (uint16_t i = 0; i < e->phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type != PT_LOAD || vaddr < p->p_vaddr) continue;
        uint64_t d = vaddr - p->p_vaddr;
        if (d > p->p_filesz || len > p->p_filesz - d) continue;
        *off = p->p_offset + d;
        return in_file(e, *off, len) && *off % align == 0;
    }
    return false;
}

/* Whether [vaddr, vaddr+len) lies inside the memory of one PT_LOAD (a relocation target). */
static bool vaddr_mapped(const struct elf *e, uint64_t vaddr, uint64_t len) {
    for (uint16_t i = 0; i < e->phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type == PT_LOAD && vaddr >= p->p_vaddr && vaddr - p->p_vaddr <= p->p_memsz &&
            len <= p->p_memsz - (vaddr - p->p_vaddr))
            return true;
    }
    return false;
}

/* Relocations the loader applies: only plain data fix-ups inside the object. */
static int check_relocs(struct elf *e, uint64_t addr, uint64_t size, const char *table) {
    if (!size) return 0;
    uint64_t off;
    if (size % sizeof(Elf64_Rela) || !vaddr_off(e, addr, size, 8, &off))
        return bad(e, "%s lies outside the file", table);
    const Elf64_Rela *r = (const Elf64_Rela *)(e->b + off);
    for (uint64_t i = 0; i < size / sizeof *r; i++) {
        uint32_t type = ELF64_R_TYPE(r[i].r_info);
        if (type != 0 && type != R_ABS64 && type != R_GLOB_DAT && type != R_JUMP_SLOT &&
            type != R_RELATIVE)
            return bad(e, "%s entry %llu has relocation type %u (only data relocations are allowed)",
                       table, (unsigned long long)i, type);
        if (type != 0 && !vaddr_mapped(e, r[i].r_offset, 8))
            return bad(e, "%s entry %llu writes outside the object", table, (unsigned long long)i);
    }
    return 0;
}

/* How many entries .dynsym has, from DT_HASH or DT_GNU_HASH (the loader's own tables). */
static int count_syms(struct elf *e, uint64_t hash, uint64_t gnu_hash, uint64_t *count) {
    uint64_t off;
    if (hash) {
        if (!vaddr_off(e, hash, 8, 4, &off)) return bad(e, "DT_HASH lies outside the file");
        *count = ((const uint32_t *)(e->b + off))[1]; /* nchain */
        return 0;
    }
    if (!gnu_hash) return bad(e, "no symbol hash table");
    if (!vaddr_off(e, gnu_hash, 16, 8, &off)) return bad(e, "DT_GNU_HASH lies outside the file");
    const uint32_t *h = (const uint32_t *)(e->b + off);
    uint64_t nbuckets = h[0], symoffset = h[1], bloom = h[2];
    uint64_t buckets_off = off + 16 + bloom * 8, chain_off = buckets_off + nbuckets * 4;
    if (bloom > e->n || nbuckets > e->n || !in_file(e, buckets_off, nbuckets * 4))
        return bad(e, "DT_GNU_HASH lies outside the file");
    const uint32_t *buckets = (const uint32_t *)(e->b + buckets_off);
    uint64_t last = 0;
    for (uint64_t i = 0; i < nbuckets; i++)
        if (buckets[i] > last) last = buckets[i];
    if (last < symoffset) {
        *count = symoffset;
        return 0;
    }
    for (;; last++) { /* walk the last chain to its end marker */
        uint64_t at = chain_off + (last - symoffset) * 4;
        if (!in_file(e, at, 4)) return bad(e, "DT_GNU_HASH chain lies outside the file");
        if (*(const uint32_t *)(e->b + at) & 1) break;
    }
    *count = last + 1;
    return 0;
}

int rt_elf_check(const uint8_t *bytes, size_t len, char *why, size_t cap) {
    struct elf e = {.b = bytes, .n = len, .why = why, .cap = cap};
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)bytes;
    if (len < sizeof *h || memcmp(h->e_ident, ELFMAG, SELFMAG)) return bad(&e, "not an ELF file");
    if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB)
        return bad(&e, "not a 64-bit little-endian ELF file");
    if (h->e_machine != HOST_MACHINE)
        return bad(&e, "it is compiled for %s (ELF machine %u), this runtime runs on %s: compile it "
                       "with hwasmc --target=%s",
                   rt_elf_machine_name(h->e_machine), h->e_machine, rt_elf_machine_name(HOST_MACHINE),
                   HOST_MACHINE == EM_X86_64 ? "x86_64-linux-gnu" : "aarch64-linux-gnu");
    if (h->e_type != ET_DYN) return bad(&e, "ELF type %u is not a shared object", h->e_type);
    if (h->e_phentsize != sizeof(Elf64_Phdr) || !in_file(&e, h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr)) ||
        h->e_phoff % 8)
        return bad(&e, "program headers lie outside the file");
    e.ph = (const Elf64_Phdr *)(bytes + h->e_phoff);
    e.phnum = h->e_phnum;
    const Elf64_Phdr *dyn = NULL;
    for (uint16_t i = 0; i < e.phnum; i++) {
        if (e.ph[i].p_type == PT_LOAD && !in_file(&e, e.ph[i].p_offset, e.ph[i].p_filesz))
            return bad(&e, "segment %u lies outside the file", i);
        if (e.ph[i].p_type == PT_DYNAMIC) dyn = &e.ph[i];
    }
    if (!dyn || !in_file(&e, dyn->p_offset, dyn->p_filesz) || dyn->p_offset % 8)
        return bad(&e, "no dynamic segment");
    const Elf64_Dyn *d = (const Elf64_Dyn *)(bytes + dyn->p_offset);
    uint64_t nd = dyn->p_filesz / sizeof *d;
    uint64_t symtab = 0, strtab = 0, strsz = 0, syment = 0, hash = 0, gnu_hash = 0;
    uint64_t rela = 0, relasz = 0, jmprel = 0, pltrelsz = 0;
    for (uint64_t i = 0; i < nd && d[i].d_tag != DT_NULL; i++) {
        uint64_t v = d[i].d_un.d_val;
        switch (d[i].d_tag) {
        case DT_NEEDED: return bad(&e, "it needs other libraries (DT_NEEDED): they would run their own code");
        case DT_AUXILIARY:
        case DT_FILTER: return bad(&e, "it is a filter library: the loader would load others");
        case DT_INIT: return bad(&e, "it has a constructor (DT_INIT)");
        case DT_PREINIT_ARRAY:
        case DT_PREINIT_ARRAYSZ: return bad(&e, "it has constructors (DT_PREINIT_ARRAY)");
        case DT_INIT_ARRAYSZ:
            if (v) return bad(&e, "it has constructors (DT_INIT_ARRAY)");
            break;
        case DT_REL:
        case DT_RELSZ:
        case DT_RELR:
        case DT_RELRSZ: return bad(&e, "it has a relocation table of a kind hwasmc never emits");
        case DT_PLTREL:
            if (v != DT_RELA) return bad(&e, "its PLT relocations are not RELA");
            break;
        case DT_SYMTAB: symtab = v; break;
        case DT_STRTAB: strtab = v; break;
        case DT_STRSZ: strsz = v; break;
        case DT_SYMENT: syment = v; break;
        case DT_HASH: hash = v; break;
        case DT_GNU_HASH: gnu_hash = v; break;
        case DT_RELA: rela = v; break;
        case DT_RELASZ: relasz = v; break;
        case DT_JMPREL: jmprel = v; break;
        case DT_PLTRELSZ: pltrelsz = v; break;
        default: break;
        }
    }
    if (check_relocs(&e, rela, relasz, "DT_RELA") || check_relocs(&e, jmprel, pltrelsz, "DT_JMPREL"))
        return -1;
    uint64_t nsyms = 0, sym_off, str_off;
    if (!symtab || !strtab || (syment && syment != sizeof(Elf64_Sym))) return bad(&e, "no dynamic symbol table");
    if (count_syms(&e, hash, gnu_hash, &nsyms)) return -1;
    if (nsyms > len / sizeof(Elf64_Sym) || !vaddr_off(&e, symtab, nsyms * sizeof(Elf64_Sym), 8, &sym_off) ||
        !vaddr_off(&e, strtab, strsz, 1, &str_off))
        return bad(&e, "dynamic symbol table lies outside the file");
    const Elf64_Sym *syms = (const Elf64_Sym *)(bytes + sym_off);
    const char *strs = (const char *)(bytes + str_off);
    size_t want = sizeof HWASM_DESCRIPTOR_SYMBOL;
    bool found = false;
    for (uint64_t i = 0; i < nsyms; i++) {
        const Elf64_Sym *s = &syms[i];
        if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC)
            return bad(&e, "symbol %llu is an IFUNC: its resolver would run at load time", (unsigned long long)i);
        if (s->st_name >= strsz || strsz - s->st_name < want ||
            memcmp(strs + s->st_name, HWASM_DESCRIPTOR_SYMBOL, want))
            continue;
        if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_OBJECT)
            return bad(&e, "%s is not a defined data symbol", HWASM_DESCRIPTOR_SYMBOL);
        if (s->st_size != sizeof(hwasm_descriptor))
            return bad(&e, "%s has size %llu, this runtime's descriptor has %zu", HWASM_DESCRIPTOR_SYMBOL,
                       (unsigned long long)s->st_size, sizeof(hwasm_descriptor));
        found = true;
    }
    if (!found) return bad(&e, "no %s symbol: not a hwasm module", HWASM_DESCRIPTOR_SYMBOL);
    return 0;
}

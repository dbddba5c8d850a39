/*
 * hwasm_run.c — `hwasm-run MODULE.so EXPORT [ARG...]`: instantiate a compiled module that
 * has no imports, call one exported function with arguments parsed from the command line,
 * and print its results. A small, honest window onto libhwasm for demos and shell tests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwasm/hwasm.h>
#include <hwasm/hwasm_module.h>

/* A v128 is written as one 128-bit hex number, 0x then up to 32 digits: lane 0 of its
 * i64x2 is the low 64 bits. It fills two slots (hwasm_trampoline). */
static int parse_v128(const char *text, uint64_t *slots) {
    size_t n = strlen(text);
    if (n < 3 || n > 34 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return -1;
    slots[0] = slots[1] = 0;
    for (const char *p = text + 2; *p; p++) {
        int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
        if (d < 0) return -1;
        slots[1] = slots[1] << 4 | slots[0] >> 60;
        slots[0] = slots[0] << 4 | (uint64_t)d;
    }
    return 0;
}

static int parse_arg(const char *text, uint8_t type, uint64_t *slot) {
    char *end;
    errno = 0;
    switch (type) {
    case HWASM_V128: return parse_v128(text, slot);
    case HWASM_I32: {
        long long v = strtoll(text, &end, 0);
        if (v < INT32_MIN || v > UINT32_MAX) return -1;
        *slot = (uint32_t)v;
        break;
    }
    case HWASM_I64: *slot = (uint64_t)strtoll(text, &end, 0); break;
    case HWASM_F32: {
        float f = strtof(text, &end);
        uint32_t bits;
        memcpy(&bits, &f, 4);
        *slot = bits;
        break;
    }
    case HWASM_F64: {
        double d = strtod(text, &end);
        memcpy(slot, &d, 8);
        break;
    }
    default: return -1;
    }
    return (errno || *end || end == text) ? -1 : 0;
}

static void print_value(uint8_t type, const uint64_t *slots) {
    uint64_t slot = slots[0];
    switch (type) {
    case HWASM_V128: printf("0x%016" PRIx64 "%016" PRIx64 "\n", slots[1], slots[0]); break;
    case HWASM_I32: printf("%" PRId32 "\n", (int32_t)(uint32_t)slot); break;
    case HWASM_I64: printf("%" PRId64 "\n", (int64_t)slot); break;
    case HWASM_F32: {
        uint32_t bits = (uint32_t)slot;
        float f;
        memcpy(&f, &bits, 4);
        printf("%.9g\n", f);
        break;
    }
    case HWASM_F64: {
        double d;
        memcpy(&d, &slot, 8);
        printf("%.17g\n", d);
        break;
    }
    default: printf(slot ? "ref\n" : "null\n"); break;
    }
}

static const char usage[] =
    "usage: hwasm-run MODULE.so EXPORT [ARG...]\n"
    "Instantiates a module compiled by hwasmc that has no imports, calls its exported\n"
    "function EXPORT with the arguments (integers in C syntax, floats as decimals) and\n"
    "prints the results, one per line. A trap is reported as an error, exit status 1.\n"
    "  -h, --help, --version\n";

int main(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) return fputs(usage, stdout), 0;
    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return printf("hwasm-run %s (module ABI %u)\n", HWASM_VERSION, HWASM_ABI_VERSION), 0;
    if (argc < 3 || argv[1][0] == '-') {
        fprintf(stderr, "hwasm-run: %s%s (see hwasm-run --help)\n",
                argc < 2 ? "no MODULE.so given" : argv[1][0] == '-' ? "unknown option " : "no EXPORT given",
                argc >= 2 && argv[1][0] == '-' ? argv[1] : "");
        return 2;
    }
    hw_error err = {0};
    hw_module *mod = NULL;
    hw_instance *inst = NULL;
    if (hw_module_load(argv[1], NULL, &mod, &err) != 0 ||
        hw_instance_new(mod, NULL, 0, NULL, &inst, &err) != 0) {
        fprintf(stderr, "hwasm-run: %s\n", err.message);
        if (mod) hw_module_free(mod);
        return 1;
    }
    const hwasm_descriptor *d = hw_module_descriptor(mod);
    int64_t fi = hw_instance_export_func_index(inst, argv[2], strlen(argv[2]));
    int rc = 1;
    if (fi < 0) {
        fprintf(stderr, "hwasm-run: no exported function '%s'\n", argv[2]);
        goto out;
    }
    const hwasm_functype *t = &d->types[d->func_types[fi]];
    if ((uint32_t)(argc - 3) != t->num_params) {
        fprintf(stderr, "hwasm-run: %s takes %u arguments, %d given\n", argv[2], t->num_params, argc - 3);
        goto out;
    }
    uint32_t in = hwasm_slot_count(t->types, t->num_params);
    uint32_t out_slots = hwasm_slot_count(t->types + t->num_params, t->num_results);
    uint32_t nslots = in > out_slots ? in : out_slots;
    uint64_t *slots = calloc(nslots + 1, sizeof *slots);
    for (uint32_t i = 0, k = 0; i < t->num_params; k += hwasm_slot_width(t->types[i]), i++) {
        if (parse_arg(argv[3 + i], t->types[i], &slots[k]) != 0) {
            fprintf(stderr, "hwasm-run: argument %u: '%s' is not a valid value\n", i + 1, argv[3 + i]);
            free(slots);
            goto out;
        }
    }
    if (hw_call(inst, (uint32_t)fi, slots, &err) != 0) {
        fprintf(stderr, "hwasm-run: trap: %s\n", err.message);
    } else {
        const uint8_t *res = t->types + t->num_params;
        for (uint32_t i = 0, k = 0; i < t->num_results; k += hwasm_slot_width(res[i]), i++)
            print_value(res[i], &slots[k]);
        rc = 0;
    }
    free(slots);
out:
    hw_instance_free(inst);
    hw_module_free(mod);
    return rc;
}

/*
 * spec_script.c — the command walk: instantiate modules through libhwasm (imports from
 * `spectest` and registered instances, resolved by name), invoke exports through hw_call's
 * 64-bit slots, and check every assertion bit for bit (values: spec_value.c). A module
 * that fails to compile or instantiate fails every later command that uses it.
 */
#include "spec_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwasm/hwasm.h>
#include "spec_host.h"
#include "spec_value.h"

#define WHY_SIZE 512

/* One instantiation attempt. Hidden slots (assert_unlinkable, assert_uninstantiable) are
 * never the current module, but stay loaded to the end: a failed instantiation may have
 * left its functions in a shared table, and those must still be callable. */
typedef struct module_slot {
    const char *name; /* "$M" (borrowed from the JSON), or NULL */
    int hidden;
    hw_module *mod;
    hw_instance *inst; /* NULL when anything failed */
    char error[WHY_SIZE];
} module_slot;

typedef struct registration {
    const char *as; /* borrowed from the JSON */
    size_t as_len;
    hw_instance *inst;
} registration;

typedef struct script {
    spec_result *r;
    spec_host *host;
    const compile_job *jobs;
    size_t num_jobs;
    module_slot *slots;
    size_t num_slots, cap_slots;
    registration *regs;
    size_t num_regs, cap_regs;
} script;

/* --- Command kinds ---------------------------------------------------------------------- */

static int is_binary(const json_value *cmd) {
    const char *t = json_get_str(cmd, "module_type");
    return !t || strcmp(t, "binary") == 0;
}

int spec_command_kind(const json_value *cmd) {
    static const struct { const char *name; cmd_kind kind; } kinds[] = {
        {"module", CMD_MODULE},
        {"register", CMD_REGISTER},
        {"action", CMD_ACTION},
        {"assert_return", CMD_ASSERT_RETURN},
        {"assert_trap", CMD_ASSERT_TRAP},
        {"assert_exhaustion", CMD_ASSERT_EXHAUSTION},
        {"assert_invalid", CMD_ASSERT_INVALID},
        {"assert_malformed", CMD_ASSERT_MALFORMED_BINARY},
        {"assert_unlinkable", CMD_ASSERT_UNLINKABLE},
        {"assert_uninstantiable", CMD_ASSERT_UNINSTANTIABLE},
    };
    const char *type = json_get_str(cmd, "type");
    if (!type)
        return -1;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(type, kinds[i].name) != 0)
            continue;
        if (kinds[i].kind == CMD_ASSERT_MALFORMED_BINARY && !is_binary(cmd))
            return CMD_ASSERT_MALFORMED_TEXT;
        return kinds[i].kind;
    }
    return -1;
}

const char *spec_command_binary(const json_value *cmd) {
    switch (spec_command_kind(cmd)) {
    case CMD_MODULE:
    case CMD_ASSERT_INVALID:
    case CMD_ASSERT_MALFORMED_BINARY:
    case CMD_ASSERT_UNLINKABLE:
    case CMD_ASSERT_UNINSTANTIABLE:
        return is_binary(cmd) ? json_get_str(cmd, "filename") : NULL;
    default:
        return NULL;
    }
}

/* --- Modules ---------------------------------------------------------------------------- */

static const compile_job *find_job(const script *s, const char *filename) {
    for (size_t i = 0; filename && i < s->num_jobs; i++)
        if (strcmp(s->jobs[i].filename, filename) == 0)
            return &s->jobs[i];
    return NULL;
}

static module_slot *push_slot(script *s, const char *name, int hidden) {
    if (s->num_slots == s->cap_slots) {
        size_t cap = s->cap_slots ? s->cap_slots * 2 : 16;
        module_slot *slots = realloc(s->slots, cap * sizeof *slots);
        if (!slots)
            return NULL;
        s->slots = slots;
        s->cap_slots = cap;
    }
    module_slot *m = &s->slots[s->num_slots++];
    memset(m, 0, sizeof *m);
    m->name = name;
    m->hidden = hidden;
    return m;
}

/* The module an action or register names ("$M"), or the latest one when name is NULL. */
static module_slot *find_slot(script *s, const char *name) {
    for (size_t i = s->num_slots; i-- > 0;) {
        module_slot *m = &s->slots[i];
        if (!m->hidden && (!name || (m->name && strcmp(m->name, name) == 0)))
            return m;
    }
    return NULL;
}

static const registration *find_registration(const script *s, const char *name, size_t len) {
    for (size_t i = s->num_regs; i-- > 0;)
        if (s->regs[i].as_len == len && memcmp(s->regs[i].as, name, len) == 0)
            return &s->regs[i];
    return NULL;
}

/* Resolves every import by name. Returns -1 (why set) when a name is unknown: that is a
 * link error the runner itself detects; type checks are libhwasm's job. */
static int resolve_imports(script *s, const hwasm_descriptor *d, hw_extern *out, char *why) {
    for (uint32_t i = 0; i < d->num_imports; i++) {
        const hwasm_import *imp = &d->imports[i];
        const registration *reg = find_registration(s, imp->module, imp->module_len);
        if (reg && hw_instance_export(reg->inst, imp->name, imp->name_len, &out[i]) == HW_OK)
            continue;
        if (!reg && imp->module_len == 8 && memcmp(imp->module, "spectest", 8) == 0) {
            const hw_extern *e = s->host ? spec_host_lookup(s->host, imp->name, imp->name_len) : NULL;
            if (e) {
                out[i] = *e;
                continue;
            }
        }
        snprintf(why, WHY_SIZE, "unknown import \"%.*s\" \"%.*s\"%s", (int)imp->module_len,
                 imp->module, (int)imp->name_len, imp->name,
                 s->host ? "" : " (the spectest module could not be created)");
        return -1;
    }
    return 0;
}

typedef enum stage { STAGE_COMPILE, STAGE_LOAD, STAGE_LINK, STAGE_INSTANTIATE, STAGE_DONE } stage;

static void describe_compile_failure(const compile_job *job, const char *filename, char *why) {
    if (!job) {
        snprintf(why, WHY_SIZE, "%s was not compiled", filename ? filename : "(no filename)");
        return;
    }
    const char *out = job->output ? job->output : "";
    int first_line = (int)strcspn(out, "\n");
    switch (job->status) {
    case COMPILE_FAILED: snprintf(why, WHY_SIZE, "hwasmc failed (exit %d): %.*s", job->code, first_line, out); break;
    case COMPILE_CRASHED: snprintf(why, WHY_SIZE, "hwasmc crashed (signal %d): %.*s", job->code, first_line, out); break;
    default: snprintf(why, WHY_SIZE, "not compiled: %s", out); break;
    }
}

/* Compiles (looks up), loads, links and instantiates filename into m. Returns the stage
 * reached; *status is hw_instance_new's result and err its error at STAGE_INSTANTIATE. */
static stage instantiate(script *s, const char *filename, module_slot *m, int *status, hw_error *err) {
    const compile_job *job = find_job(s, filename);
    memset(err, 0, sizeof *err);
    *status = HW_OK;
    if (!job || job->status != COMPILE_OK) {
        describe_compile_failure(job, filename, m->error);
        return STAGE_COMPILE;
    }
    hw_load_options opts = {.require_sha256 = job->sha256};
    int rc = hw_module_load(job->so_path, &opts, &m->mod, err);
    if (rc != HW_OK) {
        m->mod = NULL;
        snprintf(m->error, WHY_SIZE, "hw_module_load: %s: %.200s", hw_strerror(rc), err->message);
        return STAGE_LOAD;
    }
    const hwasm_descriptor *d = hw_module_descriptor(m->mod);
    hw_extern *imports = calloc(d->num_imports ? d->num_imports : 1, sizeof *imports);
    if (!imports) {
        snprintf(m->error, WHY_SIZE, "out of memory");
        return STAGE_LINK;
    }
    if (resolve_imports(s, d, imports, m->error) < 0) {
        free(imports);
        return STAGE_LINK;
    }
    *status = hw_instance_new(m->mod, imports, d->num_imports, NULL, &m->inst, err);
    free(imports);
    if (*status != HW_OK) {
        m->inst = NULL;
        if (*status == HW_ETRAP)
            snprintf(m->error, WHY_SIZE, "instantiation trapped: %s (%.200s)", hw_trap_message(err->trap), err->message);
        else
            snprintf(m->error, WHY_SIZE, "hw_instance_new: %s: %.200s", hw_strerror(*status), err->message);
        return STAGE_INSTANTIATE;
    }
    return STAGE_DONE;
}

/* --- Actions ---------------------------------------------------------------------------- */

#define RUNNER_ERROR 1 /* not an hw_status: the runner could not even make the call */

typedef struct outcome {
    int status;                /* HW_OK, a failed hw_call's status, or RUNNER_ERROR */
    hw_error err;
    char why[WHY_SIZE];        /* RUNNER_ERROR, or the trap for messages */
    uint32_t num_results;
    const uint8_t *result_types;
    uint8_t global_type;       /* "get": result_types points here */
    uint64_t *slots;           /* owned: results */
} outcome;

static int runner_error(outcome *o, const char *fmt, const char *arg) {
    snprintf(o->why, WHY_SIZE, fmt, arg);
    o->status = RUNNER_ERROR;
    return RUNNER_ERROR;
}

static int get_global(outcome *o, module_slot *m, const json_value *field) {
    hw_extern ext;
    if (hw_instance_export(m->inst, field->str, field->len, &ext) != HW_OK || ext.kind != HWASM_EXTERN_GLOBAL)
        return runner_error(o, "no exported global \"%s\"", field->str);
    o->slots = calloc(2, sizeof *o->slots);
    if (!o->slots)
        return runner_error(o, "out of memory%s", "");
    const hwasm_global *g = ext.of.global;
    switch (ext.global_type) {
    case HWASM_I32: o->slots[0] = (uint32_t)g->i32; break;
    case HWASM_F32: memcpy(o->slots, g->bytes, 4); break;
    case HWASM_I64:
    case HWASM_F64: memcpy(o->slots, g->bytes, 8); break;
    case HWASM_V128: memcpy(o->slots, g->bytes, 16); break;
    default: o->slots[0] = (uint64_t)(uintptr_t)g->ref; break;
    }
    o->global_type = ext.global_type;
    o->result_types = &o->global_type;
    o->num_results = 1;
    return o->status = HW_OK;
}

static int invoke(outcome *o, module_slot *m, const json_value *field, const json_value *args) {
    int64_t index = hw_instance_export_func_index(m->inst, field->str, field->len);
    const hwasm_descriptor *d = hw_module_descriptor(m->mod);
    if (index < 0 || (uint64_t)index >= d->num_funcs)
        return runner_error(o, "no exported function \"%s\"", field->str);
    const hwasm_functype *ft = &d->types[d->func_types[index]];
    size_t nargs = args && args->type == JSON_ARRAY ? args->len : 0;
    if (nargs != ft->num_params)
        return runner_error(o, "\"%s\" takes a different number of arguments", field->str);
    uint32_t in = hwasm_slot_count(ft->types, ft->num_params);
    uint32_t out = hwasm_slot_count(ft->types + ft->num_params, ft->num_results);
    size_t n = in > out ? in : out;
    o->slots = calloc(n ? n : 1, sizeof *o->slots);
    if (!o->slots)
        return runner_error(o, "out of memory%s", "");
    size_t k = 0;
    for (size_t i = 0; i < nargs; i++) {
        spec_value v;
        int exact = 1;
        if (spec_value_parse(&args->items[i], &v, o->why, WHY_SIZE) < 0) {
            o->status = RUNNER_ERROR;
            return RUNNER_ERROR;
        }
        for (int l = 0; l < 16; l++)
            exact &= v.cls[l] == VALUE_EXACT;
        if (!exact)
            return runner_error(o, "a NaN class as an argument of \"%s\"", field->str);
        if (v.type != ft->types[i])
            return runner_error(o, "argument types differ from the signature of \"%s\"", field->str);
        for (unsigned w = 0; w < spec_value_slots(v.type); w++)
            o->slots[k++] = v.bits[w];
    }
    o->num_results = ft->num_results;
    o->result_types = ft->types + ft->num_params;
    o->status = hw_call(m->inst, (uint32_t)index, o->slots, &o->err);
    return o->status;
}

/* Performs an action ({"type": "invoke"|"get", "module"?, "field", "args"}). */
static int perform(script *s, const json_value *action, outcome *o) {
    memset(o, 0, sizeof *o);
    const char *module = json_get_str(action, "module");
    module_slot *m = find_slot(s, module);
    if (!m)
        return runner_error(o, "no module %s", module ? module : "defined yet");
    if (!m->inst)
        return runner_error(o, "module failed: %.400s", m->error);
    const json_value *field = json_get(action, "field");
    const char *type = json_get_str(action, "type");
    if (!field || field->type != JSON_STRING || !type)
        return runner_error(o, "malformed action%s", "");
    if (strcmp(type, "get") == 0)
        return get_global(o, m, field);
    if (strcmp(type, "invoke") == 0)
        return invoke(o, m, field, json_get(action, "args"));
    return runner_error(o, "unknown action type %s", type);
}

/* Why an action did not return normally, for a failure message. */
static const char *outcome_problem(outcome *o) {
    if (o->status == RUNNER_ERROR)
        return o->why;
    if (o->status == HW_ETRAP)
        snprintf(o->why, WHY_SIZE, "trapped: %s (%.200s)", hw_trap_message(o->err.trap), o->err.message);
    else
        snprintf(o->why, WHY_SIZE, "%s: %.200s", hw_strerror(o->status), o->err.message);
    return o->why;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static int starts_with(const char *s, const char *prefix) {
    if (!s || !prefix)
        return 0;
    while (*prefix && *s == *prefix)
        s++, prefix++;
    return *prefix == 0;
}

/* The reference interpreter's messages sometimes carry details ("uninitialized element 2")
 * that libhwasm's fixed wording does not: either text may extend the other. */
static int trap_text_matches(uint32_t trap, const char *text) {
    const char *msg = hw_trap_message(trap);
    return msg && *msg && (starts_with(msg, text) || starts_with(text, msg));
}

/* --- Commands: each counts itself passed, failed or skipped ----------------------------- */

#define FAIL(...) spec_result_fail(s->r, kind, line, __VA_ARGS__)

static void cmd_module(script *s, const json_value *cmd, cmd_kind kind, int line) {
    module_slot *m = push_slot(s, json_get_str(cmd, "name"), 0);
    if (!m) {
        FAIL("out of memory");
        return;
    }
    int status;
    hw_error err;
    if (instantiate(s, json_get_str(cmd, "filename"), m, &status, &err) == STAGE_DONE)
        s->r->passed[kind]++;
    else
        FAIL("%s", m->error);
}

static void cmd_register(script *s, const json_value *cmd, cmd_kind kind, int line) {
    const json_value *as = json_get(cmd, "as");
    const char *name = json_get_str(cmd, "name");
    module_slot *m = find_slot(s, name);
    if (!as || as->type != JSON_STRING || !m || !m->inst) {
        FAIL("cannot register %s: %s", name ? name : "the current module", m ? m->error : "no such module");
        return;
    }
    if (s->num_regs == s->cap_regs) {
        size_t cap = s->cap_regs ? s->cap_regs * 2 : 8;
        registration *regs = realloc(s->regs, cap * sizeof *regs);
        if (!regs) {
            FAIL("out of memory");
            return;
        }
        s->regs = regs;
        s->cap_regs = cap;
    }
    s->regs[s->num_regs++] = (registration){as->str, as->len, m->inst};
    s->r->passed[kind]++;
}

static const char *field_of(const json_value *cmd) {
    const char *f = json_get_str(json_get(cmd, "action"), "field");
    return f ? f : "?";
}

static void cmd_action(script *s, const json_value *cmd, cmd_kind kind, int line) {
    outcome o;
    if (perform(s, json_get(cmd, "action"), &o) == HW_OK)
        s->r->passed[kind]++;
    else
        FAIL("\"%s\": %s", field_of(cmd), outcome_problem(&o));
    free(o.slots);
}

static void cmd_assert_return(script *s, const json_value *cmd, cmd_kind kind, int line) {
    outcome o;
    const json_value *expected = json_get(cmd, "expected");
    size_t n = expected && expected->type == JSON_ARRAY ? expected->len : 0;
    if (perform(s, json_get(cmd, "action"), &o) != HW_OK) {
        FAIL("\"%s\": %s", field_of(cmd), outcome_problem(&o));
    } else if (n != o.num_results) {
        FAIL("\"%s\": %u results, expected %zu", field_of(cmd), o.num_results, n);
    } else {
        size_t i, k = 0;
        for (i = 0; i < n; i++) {
            spec_value want;
            char why[WHY_SIZE], w[256], g[256];
            if (spec_value_parse(&expected->items[i], &want, why, sizeof why) < 0) {
                FAIL("\"%s\": %s", field_of(cmd), why);
                break;
            }
            if (want.type != o.result_types[i]) {
                FAIL("\"%s\": result %zu is %s, expected %s", field_of(cmd), i, spec_type_name(o.result_types[i]),
                     spec_type_name(want.type));
                break;
            }
            const uint64_t *got = &o.slots[k];
            k += spec_value_slots(want.type);
            if (!spec_value_matches(&want, got)) {
                spec_value have = spec_value_of_slots(&want, got);
                spec_value_format(&want, w, sizeof w);
                spec_value_format(&have, g, sizeof g);
                FAIL("\"%s\": result %zu: expected %s, got %s", field_of(cmd), i, w, g);
                break;
            }
        }
        if (i == n)
            s->r->passed[kind]++;
    }
    free(o.slots);
}

/* assert_trap and assert_exhaustion: the action must trap with the expected text. */
static void cmd_assert_trap(script *s, const json_value *cmd, cmd_kind kind, int line) {
    outcome o;
    const char *text = json_get_str(cmd, "text");
    int status = perform(s, json_get(cmd, "action"), &o);
    if (status == HW_OK) {
        FAIL("\"%s\": returned normally, expected trap \"%s\"", field_of(cmd), or_empty(text));
    } else if (status != HW_ETRAP) {
        FAIL("\"%s\": %s", field_of(cmd), outcome_problem(&o));
    } else if (kind == CMD_ASSERT_EXHAUSTION ? o.err.trap != HWASM_TRAP_STACK_EXHAUSTED
                                             : !trap_text_matches(o.err.trap, text)) {
        FAIL("\"%s\": trapped \"%s\", expected \"%s\"", field_of(cmd), hw_trap_message(o.err.trap),
             or_empty(text));
    } else {
        s->r->passed[kind]++;
    }
    free(o.slots);
}

/* assert_invalid, binary assert_malformed: hwasmc must refuse with one "hwasmc: error:" line. */
static void cmd_assert_rejected(script *s, const json_value *cmd, cmd_kind kind, int line) {
    const char *filename = json_get_str(cmd, "filename");
    const char *text = json_get_str(cmd, "text");
    const compile_job *job = find_job(s, filename);
    char why[WHY_SIZE];
    if (!job || job->status == COMPILE_NOT_RUN || job->status == COMPILE_CRASHED) {
        describe_compile_failure(job, filename, why);
        FAIL("%s (expected \"%s\")", why, or_empty(text));
        return;
    }
    if (job->status == COMPILE_OK) {
        FAIL("hwasmc accepted %s, expected \"%s\"", filename, or_empty(text));
        return;
    }
    const char *out = job->output ? job->output : "";
    size_t len = strlen(out);
    size_t first = strcspn(out, "\n");
    int one_line = first == len || first == len - 1;
    if (!starts_with(out, "hwasmc: error:") || !one_line) {
        FAIL("hwasmc's stderr is not one \"hwasmc: error:\" line: \"%.200s\" (expected \"%s\")", out,
             or_empty(text));
        return;
    }
    s->r->passed[kind]++;
}

static void cmd_assert_unlinkable(script *s, const json_value *cmd, cmd_kind kind, int line) {
    module_slot *m = push_slot(s, NULL, 1);
    if (!m) {
        FAIL("out of memory");
        return;
    }
    int status;
    hw_error err;
    stage st = instantiate(s, json_get_str(cmd, "filename"), m, &status, &err);
    if (st == STAGE_LINK || (st == STAGE_INSTANTIATE && status == HW_ELINK))
        s->r->passed[kind]++;
    else if (st == STAGE_DONE)
        FAIL("instantiated, expected unlinkable \"%s\"", or_empty(json_get_str(cmd, "text")));
    else
        FAIL("%s (expected unlinkable)", m->error);
}

static void cmd_assert_uninstantiable(script *s, const json_value *cmd, cmd_kind kind, int line) {
    module_slot *m = push_slot(s, NULL, 1);
    if (!m) {
        FAIL("out of memory");
        return;
    }
    int status;
    hw_error err;
    const char *text = or_empty(json_get_str(cmd, "text"));
    stage st = instantiate(s, json_get_str(cmd, "filename"), m, &status, &err);
    if (st == STAGE_INSTANTIATE && status == HW_ETRAP && trap_text_matches(err.trap, text))
        s->r->passed[kind]++;
    else if (st == STAGE_INSTANTIATE && status == HW_ETRAP)
        FAIL("instantiation trapped \"%s\", expected \"%s\"", hw_trap_message(err.trap), text);
    else if (st == STAGE_DONE)
        FAIL("instantiated, expected trap \"%s\"", text);
    else
        FAIL("%s (expected trap \"%s\")", m->error, text);
}

static void run_command(script *s, const json_value *cmd, cmd_kind kind, int line) {
    switch (kind) {
    case CMD_MODULE: cmd_module(s, cmd, kind, line); break;
    case CMD_REGISTER: cmd_register(s, cmd, kind, line); break;
    case CMD_ACTION: cmd_action(s, cmd, kind, line); break;
    case CMD_ASSERT_RETURN: cmd_assert_return(s, cmd, kind, line); break;
    case CMD_ASSERT_TRAP:
    case CMD_ASSERT_EXHAUSTION: cmd_assert_trap(s, cmd, kind, line); break;
    case CMD_ASSERT_INVALID:
    case CMD_ASSERT_MALFORMED_BINARY:
        if (is_binary(cmd))
            cmd_assert_rejected(s, cmd, kind, line);
        else
            s->r->skipped[kind]++;
        break;
    case CMD_ASSERT_UNLINKABLE: cmd_assert_unlinkable(s, cmd, kind, line); break;
    case CMD_ASSERT_UNINSTANTIABLE: cmd_assert_uninstantiable(s, cmd, kind, line); break;
    default: s->r->skipped[kind]++; break; /* text assert_malformed: a binary-only compiler */
    }
}

void spec_script_run(const json_value *commands, const compile_job *jobs, size_t num_jobs,
                     unsigned timeout_seconds, spec_result *r) {
    script s = {.r = r, .host = spec_host_new(), .jobs = jobs, .num_jobs = num_jobs};
    for (size_t i = 0; i < commands->len; i++) {
        const json_value *cmd = &commands->items[i];
        const json_value *line = json_get(cmd, "line");
        int kind = spec_command_kind(cmd);
        r->line = line && line->type == JSON_INTEGER ? (int32_t)line->integer : 0;
        r->kind = kind;
        if (kind < 0)
            continue; /* the caller rejected the file when counting */
        alarm(timeout_seconds);
        run_command(&s, cmd, (cmd_kind)kind, r->line);
        alarm(0);
    }
    r->line = 0;
    r->kind = -1;
    /* Instances first (they may import from each other and from the host), then code. */
    for (size_t i = s.num_slots; i-- > 0;)
        if (s.slots[i].inst)
            hw_instance_free(s.slots[i].inst);
    for (size_t i = s.num_slots; i-- > 0;)
        if (s.slots[i].mod)
            hw_module_free(s.slots[i].mod);
    spec_host_free(s.host);
    free(s.slots);
    free(s.regs);
}

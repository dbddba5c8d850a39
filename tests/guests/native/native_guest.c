/*
 * native_guest.c — a hand-made "compiled module" (a descriptor and native code, no wasm)
 * that imports all 19 http_handler functions and WASI fd_write, and whose handle_request /
 * handle_response call hooks the test sets through dlsym. It lets test_http_native drive
 * every host function directly, with exact arguments, through the real runtime.
 */
#include <stddef.h>

#include <hwasm/hwasm_module.h>

typedef int64_t (*req_hook)(hwasm_vmctx *vm);
typedef void (*resp_hook)(hwasm_vmctx *vm, int32_t ctx, int32_t is_error);
req_hook native_guest_on_request;
resp_hook native_guest_on_response;

static int64_t handle_request(void *env, hwasm_vmctx *vm) {
    (void)env;
    return native_guest_on_request ? native_guest_on_request(vm) : 1;
}

static void handle_response(void *env, hwasm_vmctx *vm, int32_t ctx, int32_t is_error) {
    (void)env;
    if (native_guest_on_response) native_guest_on_response(vm, ctx, is_error);
}

#define I HWASM_I32
#define L HWASM_I64
static const uint8_t t_i_i[] = {I, I}, t_ii_i[] = {I, I, I}, t_iii_[] = {I, I, I}, t_ii_[] = {I, I},
                     t_iii_I[] = {I, I, I, L}, t_iiiii_I[] = {I, I, I, I, I, L},
                     t_iiiii_[] = {I, I, I, I, I}, t__i[] = {I}, t_i_[] = {I},
                     t_iiii_i[] = {I, I, I, I, I}, t__I[] = {L};
static const hwasm_functype types[] = {
    {1, 1, t_i_i},   {2, 1, t_ii_i},    {3, 0, t_iii_},   {2, 0, t_ii_},
    {3, 1, t_iii_I}, {5, 1, t_iiiii_I}, {5, 0, t_iiiii_}, {0, 1, t__i},
    {1, 0, t_i_},    {4, 1, t_iiii_i},  {0, 1, t__I},
};
enum { T_I_I, T_II_I, T_III_, T_II_, T_III_I, T_IIIII_I, T_IIIII_, T__I, T_I_, T_IIII_I, T__L };

static void no_trampoline(void *code, void *env, hwasm_vmctx *caller, uint64_t *slots) {
    (void)code, (void)env, (void)caller, (void)slots;
}
static const hwasm_trampoline trampolines[11] = {
    no_trampoline, no_trampoline, no_trampoline, no_trampoline, no_trampoline, no_trampoline,
    no_trampoline, no_trampoline, no_trampoline, no_trampoline, no_trampoline};

#define HH(n, t)                                                                                   \
    { "http_handler", n, 12, sizeof(n) - 1, HWASM_EXTERN_FUNC, t, {0, 0, 0}, 0, 0 }
/* Import order = the function indices test_http_native.c uses (enum there). */
static const hwasm_import imports[] = {
    HH("enable_features", T_I_I),
    HH("get_config", T_II_I),
    HH("log", T_III_),
    HH("log_enabled", T_I_I),
    HH("get_method", T_II_I),
    HH("set_method", T_II_),
    HH("get_uri", T_II_I),
    HH("set_uri", T_II_),
    HH("get_protocol_version", T_II_I),
    HH("get_source_addr", T_II_I),
    HH("get_header_names", T_III_I),
    HH("get_header_values", T_IIIII_I),
    HH("set_header_value", T_IIIII_),
    HH("add_header_value", T_IIIII_),
    HH("remove_header", T_III_),
    HH("read_body", T_III_I),
    HH("write_body", T_III_),
    HH("get_status_code", T__I),
    HH("set_status_code", T_I_),
    {"wasi_snapshot_preview1", "fd_write", 22, 8, HWASM_EXTERN_FUNC, T_IIII_I, {0, 0, 0}, 0, 0},
};
#define NUM_IMPORTS (sizeof imports / sizeof imports[0])

static const uint32_t func_types[NUM_IMPORTS + 2] = {
    T_I_I,  T_II_I, T_III_,  T_I_I,     T_II_I,   T_II_,    T_II_I, T_II_,
    T_II_I, T_II_I, T_III_I, T_IIIII_I, T_IIIII_, T_IIIII_, T_III_, T_III_I,
    T_III_, T__I,   T_I_,    T_IIII_I,  T__L,     T_II_};
static void *const func_code[NUM_IMPORTS + 2] = {[NUM_IMPORTS] = (void *)handle_request,
                                                 [NUM_IMPORTS + 1] = (void *)handle_response};

static const hwasm_export exports[] = {
    {"memory", 6, HWASM_EXTERN_MEMORY, 0},
    {"handle_request", 14, HWASM_EXTERN_FUNC, NUM_IMPORTS},
    {"handle_response", 15, HWASM_EXTERN_FUNC, NUM_IMPORTS + 1},
};

__attribute__((visibility("default"))) const hwasm_descriptor hwasm_module_descriptor = {
    .abi_version = HWASM_ABI_VERSION,
    .flags = HWASM_FLAG_BOUNDS_EXPLICIT,
    .compiler_version = "native-test",
    .num_types = 11,
    .types = types,
    .trampolines = trampolines,
    .num_imports = NUM_IMPORTS,
    .imports = imports,
    .num_imported_funcs = NUM_IMPORTS,
    .num_funcs = NUM_IMPORTS + 2,
    .func_types = func_types,
    .func_code = func_code,
    .has_memory = 1,
    .memory_limits = {1, 1, 1},
    .num_exports = 3,
    .exports = exports,
    .start_func = -1,
};

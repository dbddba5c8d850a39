/*
 * test_compiler_numeric.c — every numeric operator family compiled by the real hwasmc and
 * run through libhwasm: integer arithmetic and its traps, shifts and rotates, bit counts,
 * sign extension, float min/max/nearest/copysign, trapping and saturating truncation,
 * conversions, and NaN payloads. Each case is one call through hw_call, checked bit for bit,
 * at -O2 (the default), at -O0, and after binaryen's optimiser (--wasm-opt=O2), since each
 * takes a different path to machine code.
 */
#include <check.h>
#include <stdlib.h>

#include "unit_support.h"

/* --- One call and its expected outcome -------------------------------------------------- */

#define I32(v) "i", {v}
#define I64(v) "I", {v}
#define F32(v) "f", {v}
#define F64(v) "F", {v}
#define TRAP(t) NULL, {HWASM_TRAP_##t}

/* --- The module: one export per operator, named after it -------------------------------- */

#define BIN(t, op) "(func (export \"" t "." op "\") (param " t " " t ") (result " t ") (" t "." op " (local.get 0) (local.get 1)))\n"
#define UN(t, op) "(func (export \"" t "." op "\") (param " t ") (result " t ") (" t "." op " (local.get 0)))\n"
#define CMP(t, op) "(func (export \"" t "." op "\") (param " t " " t ") (result i32) (" t "." op " (local.get 0) (local.get 1)))\n"
#define CVT(to, op, from) "(func (export \"" to "." op "\") (param " from ") (result " to ") (" to "." op " (local.get 0)))\n"
#define CONST(name, rt, expr) "(func (export \"" name "\") (result " rt ") " expr ")\n"

static const char numeric_wat[] =
    "(module\n"
    BIN("i32", "add") BIN("i32", "sub") BIN("i32", "mul") BIN("i32", "div_s") BIN("i32", "div_u")
    BIN("i32", "rem_s") BIN("i32", "rem_u") BIN("i32", "shl") BIN("i32", "shr_s") BIN("i32", "shr_u")
    BIN("i32", "rotl") BIN("i32", "rotr") UN("i32", "clz") UN("i32", "ctz") UN("i32", "popcnt")
    UN("i32", "extend8_s") UN("i32", "extend16_s") CMP("i32", "lt_s") CMP("i32", "lt_u")
    BIN("i64", "mul") BIN("i64", "div_s") BIN("i64", "div_u") BIN("i64", "rem_s") BIN("i64", "rem_u")
    BIN("i64", "shl") BIN("i64", "shr_s") BIN("i64", "shr_u") BIN("i64", "rotl") BIN("i64", "rotr")
    UN("i64", "clz") UN("i64", "ctz") UN("i64", "popcnt") UN("i64", "extend8_s")
    UN("i64", "extend32_s") CMP("i64", "gt_u")
    BIN("f32", "min") BIN("f32", "max") BIN("f64", "min") BIN("f64", "max") BIN("f32", "copysign")
    BIN("f64", "copysign") BIN("f32", "div") UN("f32", "nearest") UN("f64", "nearest") UN("f32", "floor")
    UN("f32", "ceil") UN("f32", "trunc") UN("f32", "sqrt") UN("f64", "sqrt") UN("f32", "abs")
    UN("f32", "neg") UN("f64", "neg") CMP("f32", "eq") CMP("f64", "ne")
    CVT("i32", "trunc_f32_s", "f32") CVT("i32", "trunc_f32_u", "f32") CVT("i32", "trunc_f64_s", "f64")
    CVT("i32", "trunc_f64_u", "f64") CVT("i64", "trunc_f32_s", "f32") CVT("i64", "trunc_f64_s", "f64")
    CVT("i64", "trunc_f64_u", "f64") CVT("i32", "trunc_sat_f32_s", "f32")
    CVT("i32", "trunc_sat_f32_u", "f32") CVT("i64", "trunc_sat_f64_s", "f64")
    CVT("i64", "trunc_sat_f64_u", "f64") CVT("f32", "convert_i32_s", "i32")
    CVT("f32", "convert_i32_u", "i32") CVT("f32", "convert_i64_s", "i64") CVT("f32", "convert_i64_u", "i64")
    CVT("f64", "convert_i64_u", "i64") CVT("i64", "extend_i32_s", "i32") CVT("i64", "extend_i32_u", "i32")
    CVT("i32", "wrap_i64", "i64") CVT("f32", "demote_f64", "f64") CVT("f64", "promote_f32", "f32")
    CVT("f32", "reinterpret_i32", "i32") CVT("i32", "reinterpret_f32", "f32")
    CVT("f64", "reinterpret_i64", "i64") CVT("i64", "reinterpret_f64", "f64")
    "(func (export \"f32.id\") (param f32) (result f32) (local f32) (local.set 1 (local.get 0)) (local.get 1))\n"
    /* Constant operands: LLVM folds these, so the lowering must not hand it undefined cases. */
    CONST("c.div_s_ovf", "i32", "(i32.div_s (i32.const 0x80000000) (i32.const -1))")
    CONST("c.rem_s_ovf", "i32", "(i32.rem_s (i32.const 0x80000000) (i32.const -1))")
    CONST("c.rem_u_zero", "i64", "(i64.rem_u (i64.const 5) (i64.const 0))")
    CONST("c.shl", "i32", "(i32.shl (i32.const 1) (i32.const 33))")
    CONST("c.trunc_nan", "i32", "(i32.trunc_f32_s (f32.const nan))")
    CONST("c.trunc_big", "i64", "(i64.trunc_f64_u (f64.const 1e20))")
    CONST("c.dead_div", "i32", "(drop (i32.div_u (i32.const 1) (i32.const 0))) (i32.const 7)")
    ")\n";

static const unit_case cases[] = {
    /* i32 arithmetic: wrap-around, division edge cases */
    {"i32.add", {0x7fffffff, 1}, I32(0x80000000)},
    {"i32.sub", {0, 1}, I32(0xffffffff)},
    {"i32.mul", {0x10000, 0x10000}, I32(0)},
    {"i32.div_s", {0x80000000, 0xffffffff}, TRAP(INT_OVERFLOW)},
    {"i32.div_s", {7, 0}, TRAP(INT_DIV_ZERO)},
    {"i32.div_s", {0xfffffff9, 2}, I32(0xfffffffd)}, /* -7 / 2 = -3 */
    {"i32.div_s", {0x80000000, 1}, I32(0x80000000)},
    {"i32.div_u", {0xffffffff, 2}, I32(0x7fffffff)},
    {"i32.div_u", {1, 0}, TRAP(INT_DIV_ZERO)},
    {"i32.rem_s", {0x80000000, 0xffffffff}, I32(0)},
    {"i32.rem_s", {0xfffffff9, 2}, I32(0xffffffff)}, /* -7 % 2 = -1 */
    {"i32.rem_s", {7, 0}, TRAP(INT_DIV_ZERO)},
    {"i32.rem_u", {0xffffffff, 10}, I32(5)},
    {"i32.rem_u", {7, 0}, TRAP(INT_DIV_ZERO)},
    /* shift counts are taken modulo the width */
    {"i32.shl", {1, 33}, I32(2)},
    {"i32.shl", {1, 32}, I32(1)},
    {"i32.shr_s", {0x80000000, 63}, I32(0xffffffff)},
    {"i32.shr_u", {0x80000000, 0xffffffff}, I32(1)},
    {"i32.rotl", {0x80000001, 1}, I32(3)},
    {"i32.rotl", {0x12345678, 0}, I32(0x12345678)},
    {"i32.rotr", {1, 33}, I32(0x80000000)},
    {"i32.clz", {0}, I32(32)},
    {"i32.clz", {1}, I32(31)},
    {"i32.ctz", {0}, I32(32)},
    {"i32.ctz", {0x80000000}, I32(31)},
    {"i32.popcnt", {0}, I32(0)},
    {"i32.popcnt", {0xffffffff}, I32(32)},
    {"i32.extend8_s", {0x80}, I32(0xffffff80)},
    {"i32.extend8_s", {0x17f}, I32(0x7f)},
    {"i32.extend16_s", {0x8000}, I32(0xffff8000)},
    {"i32.lt_s", {0x80000000, 0}, I32(1)},
    {"i32.lt_u", {0x80000000, 0}, I32(0)},
    /* i64 */
    {"i64.mul", {0x100000000, 0x100000000}, I64(0)},
    {"i64.div_s", {0x8000000000000000, 0xffffffffffffffff}, TRAP(INT_OVERFLOW)},
    {"i64.div_s", {1, 0}, TRAP(INT_DIV_ZERO)},
    {"i64.div_u", {0xffffffffffffffff, 0x100000000}, I64(0xffffffff)},
    {"i64.div_u", {1, 0}, TRAP(INT_DIV_ZERO)},
    {"i64.rem_s", {0x8000000000000000, 0xffffffffffffffff}, I64(0)},
    {"i64.rem_u", {1, 0}, TRAP(INT_DIV_ZERO)},
    {"i64.shl", {1, 65}, I64(2)},
    {"i64.shr_s", {0x8000000000000000, 64}, I64(0x8000000000000000)},
    {"i64.shr_u", {0x8000000000000000, 127}, I64(1)},
    {"i64.rotl", {0x8000000000000000, 65}, I64(1)},
    {"i64.rotr", {1, 1}, I64(0x8000000000000000)},
    {"i64.clz", {0}, I64(64)},
    {"i64.ctz", {0}, I64(64)},
    {"i64.popcnt", {0xffffffffffffffff}, I64(64)},
    {"i64.extend8_s", {0xff}, I64(0xffffffffffffffff)},
    {"i64.extend32_s", {0x80000000}, I64(0xffffffff80000000)},
    {"i64.gt_u", {0xffffffffffffffff, 1}, I32(1)},
    /* min/max: -0 < +0, NaN wins */
    {"f32.min", {0x80000000, 0x00000000}, F32(0x80000000)},
    {"f32.min", {0x00000000, 0x80000000}, F32(0x80000000)},
    {"f32.max", {0x80000000, 0x00000000}, F32(0x00000000)},
    {"f32.max", {0x00000000, 0x80000000}, F32(0x00000000)},
    {"f32.min", {0x3f800000, 0x7fc00000}, "n", {0}},
    {"f32.max", {0x7fc00000, 0x3f800000}, "n", {0}},
    {"f64.min", {0, 0x8000000000000000}, F64(0x8000000000000000)},
    {"f64.max", {0x8000000000000000, 0}, F64(0)},
    {"f64.max", {0x3ff0000000000000, 0x7ff8000000000000}, "N", {0}},
    {"f64.min", {0xfff8000000000000, 0xfff0000000000000}, "N", {0}}, /* NaN, -inf */
    /* nearest rounds ties to even; sign of zero kept */
    {"f32.nearest", {0x40200000}, F32(0x40000000)}, /* 2.5 -> 2 */
    {"f32.nearest", {0x40600000}, F32(0x40800000)}, /* 3.5 -> 4 */
    {"f32.nearest", {0xbf000000}, F32(0x80000000)}, /* -0.5 -> -0 */
    {"f32.nearest", {0x3f000000}, F32(0x00000000)}, /* 0.5 -> 0 */
    {"f64.nearest", {0x4004000000000000}, F64(0x4000000000000000)}, /* 2.5 -> 2 */
    {"f64.nearest", {0xbff8000000000000}, F64(0xc000000000000000)}, /* -1.5 -> -2 */
    {"f32.floor", {0xbf000000}, F32(0xbf800000)},                   /* -0.5 -> -1 */
    {"f32.ceil", {0xbf000000}, F32(0x80000000)},                    /* -0.5 -> -0 */
    {"f32.trunc", {0xbfc00000}, F32(0xbf800000)},                   /* -1.5 -> -1 */
    {"f32.sqrt", {0xbf800000}, "n", {0}},
    {"f64.sqrt", {0x4010000000000000}, F64(0x4000000000000000)},
    {"f32.div", {0x3f800000, 0}, F32(0x7f800000)},
    /* sign operations are bitwise, NaN payloads included */
    {"f32.copysign", {0x3f800000, 0x80000000}, F32(0xbf800000)},
    {"f32.copysign", {0x7fc00000, 0xbf800000}, F32(0xffc00000)},
    {"f64.copysign", {0x4000000000000000, 0xfff8000000000000}, F64(0xc000000000000000)},
    {"f32.abs", {0xffc00001}, F32(0x7fc00001)},
    {"f32.neg", {0x7fa00001}, F32(0xffa00001)},
    {"f64.neg", {0x7ff0000000000001}, F64(0xfff0000000000001)},
    {"f32.eq", {0x7fc00000, 0x7fc00000}, I32(0)},
    {"f64.ne", {0x7ff8000000000000, 0x7ff8000000000000}, I32(1)},
    /* trapping truncation: NaN, out of range, exact boundaries */
    {"i32.trunc_f32_s", {0x7fc00000}, TRAP(INVALID_CONVERSION)},
    {"i32.trunc_f32_s", {0x4f000000}, TRAP(INT_OVERFLOW)},  /* 2^31 */
    {"i32.trunc_f32_s", {0xcf000000}, I32(0x80000000)},     /* -2^31 */
    {"i32.trunc_f32_s", {0xcf000001}, TRAP(INT_OVERFLOW)},  /* -2^31 - 256 */
    {"i32.trunc_f32_s", {0x7f800000}, TRAP(INT_OVERFLOW)},  /* inf */
    {"i32.trunc_f32_u", {0xbf666666}, I32(0)},              /* -0.9 */
    {"i32.trunc_f32_u", {0xbf800000}, TRAP(INT_OVERFLOW)},  /* -1 */
    {"i32.trunc_f32_u", {0x4f7fffff}, I32(0xffffff00)},
    {"i32.trunc_f32_u", {0x4f800000}, TRAP(INT_OVERFLOW)},  /* 2^32 */
    {"i32.trunc_f64_s", {0x41dffffffff9999a}, I32(0x7fffffff)}, /* 2147483647.9 */
    {"i32.trunc_f64_s", {0xc1e00000001ccccd}, I32(0x80000000)}, /* -2147483648.9 */
    {"i32.trunc_f64_s", {0x41e0000000000000}, TRAP(INT_OVERFLOW)},
    {"i32.trunc_f64_s", {0xc1e0000000200000}, TRAP(INT_OVERFLOW)}, /* -2147483649 */
    {"i32.trunc_f64_u", {0x41effffffffccccd}, I32(0xffffffff)},    /* 4294967295.9 */
    {"i32.trunc_f64_u", {0x41f0000000000000}, TRAP(INT_OVERFLOW)},
    {"i32.trunc_f64_u", {0xbfefae147ae147ae}, I32(0)}, /* -0.99 */
    {"i32.trunc_f64_u", {0xfff8000000000000}, TRAP(INVALID_CONVERSION)},
    {"i64.trunc_f32_s", {0xff800000}, TRAP(INT_OVERFLOW)}, /* -inf */
    {"i64.trunc_f64_s", {0x43e0000000000000}, TRAP(INT_OVERFLOW)}, /* 2^63 */
    {"i64.trunc_f64_s", {0xc3e0000000000000}, I64(0x8000000000000000)},
    {"i64.trunc_f64_s", {0x7ff8000000000001}, TRAP(INVALID_CONVERSION)},
    {"i64.trunc_f64_u", {0x43f0000000000000}, TRAP(INT_OVERFLOW)}, /* 2^64 */
    {"i64.trunc_f64_u", {0x43efffffffffffff}, I64(0xfffffffffffff800)},
    /* saturating truncation */
    {"i32.trunc_sat_f32_s", {0x7fc00000}, I32(0)},
    {"i32.trunc_sat_f32_s", {0x4f32d05e}, I32(0x7fffffff)}, /* 3e9 */
    {"i32.trunc_sat_f32_s", {0xcf32d05e}, I32(0x80000000)},
    {"i32.trunc_sat_f32_u", {0xbf800000}, I32(0)},
    {"i32.trunc_sat_f32_u", {0x7f800000}, I32(0xffffffff)},
    {"i64.trunc_sat_f64_s", {0x7ff8000000000000}, I64(0)},
    {"i64.trunc_sat_f64_s", {0x43e158e460913d00}, I64(0x7fffffffffffffff)}, /* 1e19 */
    {"i64.trunc_sat_f64_s", {0xfff0000000000000}, I64(0x8000000000000000)},
    {"i64.trunc_sat_f64_u", {0x4415af1d78b58c40}, I64(0xffffffffffffffff)}, /* 1e20 */
    {"i64.trunc_sat_f64_u", {0xc014000000000000}, I64(0)},                  /* -5 */
    /* conversions, including the double-rounding traps of u64 -> f32 */
    {"f32.convert_i32_s", {0x80000000}, F32(0xcf000000)},
    {"f32.convert_i32_u", {0xffffffff}, F32(0x4f800000)},
    {"f32.convert_i64_s", {0x7fffff4000000001}, F32(0x5effffff)},
    {"f32.convert_i64_s", {0x0020000020000001}, F32(0x5a000001)},
    {"f32.convert_i64_u", {0xffffffffffffffff}, F32(0x5f800000)},
    {"f32.convert_i64_u", {0x8000008000000001}, F32(0x5f000001)},
    {"f32.convert_i64_u", {0xfffffe8000000001}, F32(0x5f7fffff)},
    {"f64.convert_i64_u", {0xffffffffffffffff}, F64(0x43f0000000000000)},
    {"i64.extend_i32_s", {0xffffffff}, I64(0xffffffffffffffff)},
    {"i64.extend_i32_u", {0xffffffff}, I64(0x00000000ffffffff)},
    {"i32.wrap_i64", {0x123456789}, I32(0x23456789)},
    {"f32.demote_f64", {0x7e37e43c8800759c}, F32(0x7f800000)}, /* 1e300 -> inf */
    {"f32.demote_f64", {0x7ff0000000000001}, "n", {0}},
    {"f64.promote_f32", {0x7fa00000}, "N", {0}},
    {"f64.promote_f32", {0xbf800000}, F64(0xbff0000000000000)},
    /* reinterpretation keeps every bit, signalling NaNs included */
    {"f32.reinterpret_i32", {0x7fa00001}, F32(0x7fa00001)},
    {"i32.reinterpret_f32", {0xffc12345}, I32(0xffc12345)},
    {"f64.reinterpret_i64", {0x7ff0000000000001}, F64(0x7ff0000000000001)},
    {"i64.reinterpret_f64", {0xfff4000000000abc}, I64(0xfff4000000000abc)},
    {"f32.id", {0x7f800001}, F32(0x7f800001)},
    /* constant operands */
    {"c.div_s_ovf", {0}, TRAP(INT_OVERFLOW)},
    {"c.rem_s_ovf", {0}, I32(0)},
    {"c.rem_u_zero", {0}, TRAP(INT_DIV_ZERO)},
    {"c.shl", {0}, I32(2)},
    {"c.trunc_nan", {0}, TRAP(INVALID_CONVERSION)},
    {"c.trunc_big", {0}, TRAP(INT_OVERFLOW)},
    {"c.dead_div", {0}, TRAP(INT_DIV_ZERO)},
};

/* --- Fixtures: one compile per optimisation level, shared by the forked cases ----------- */

static hw_instance *inst;
static hw_module *mod;

static void setup_flags(const char *flags) {
    inst = unit_instantiate_wat(numeric_wat, flags, &mod);
}
static void setup_o2(void) { setup_flags(""); }
static void setup_o0(void) { setup_flags("-O0"); }
static void setup_wasm_opt(void) { setup_flags("--wasm-opt=O2"); }
static void teardown(void) {
    if (inst) hw_instance_free(inst);
    if (mod) hw_module_free(mod);
    inst = NULL;
    mod = NULL;
}

START_TEST(numeric_case) { unit_run_case(inst, &cases[_i], UNIT_ZERO_EXTENDED); }
END_TEST

int main(void) {
    Suite *s = suite_create("compiler_numeric");
    static const struct { const char *name; void (*setup)(void); } levels[] = {
        {"O2", setup_o2}, {"O0", setup_o0}, {"wasm-opt", setup_wasm_opt}};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        TCase *tc = tcase_create(levels[i].name);
        tcase_add_unchecked_fixture(tc, levels[i].setup, teardown);
        tcase_add_loop_test(tc, numeric_case, 0, (int)(sizeof cases / sizeof cases[0]));
        suite_add_tcase(s, tc);
    }
    return unit_run_suite(s);
}

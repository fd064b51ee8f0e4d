/* test_plugin.c - native-kernel plugins (harness/backends/w4a16.h, backend_plugin):
 * the example CPU plugin (its conversions against reference/dtype, whole
 * cases through the runner, a group size that is not a multiple of 8, its
 * thread split), what the backend hands a plugin (a probe plugin echoes it),
 * and each kind of bad plugin (ERROR with its reason, FAILED for a write
 * past the output). The plugins are built by `make plugins` under
 * GH_PLUGIN_DIR (the Makefile passes build/plugins); run from the checkout
 * root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "verdict/runner.h"
#include "../plugins/cpu/cpu_dtype.h"
#include "suites.h"

#ifndef GH_PLUGIN_DIR
#define GH_PLUGIN_DIR "build/plugins"
#endif
#define CPU_PLUGIN GH_PLUGIN_DIR "/libw4a16_cpu.so"
#define TEST_PLUGIN(name) GH_PLUGIN_DIR "/test/" name ".so"
#define SMALL_CASE "m=3 n=16 k=64 g=32"

/* ---- the CPU plugin's own f16/bf16 conversions --------------------------- */

static int same_value(dtype_t dt, uint16_t want, uint16_t got) {
    return want == got || (dt_is_nan(dt, want) && dt_is_nan(dt, got));
}

/* Narrowing float x both ways; counts disagreements. */
static int narrow_mismatch(float x) {
    return !same_value(DT_F16, float_to_f16(x), cpu_float_to_f16(x)) +
           !same_value(DT_BF16, float_to_bf16(x), cpu_float_to_bf16(x));
}

static void test_cpu_widening_all_codes(void) {
    int bad = 0;
    for (uint32_t h = 0; h <= 0xFFFFu; h++) {
        const float a = f16_to_float((uint16_t)h), b = cpu_f16_to_float((uint16_t)h);
        const float c = bf16_to_float((uint16_t)h), d = cpu_bf16_to_float((uint16_t)h);
        bad += !((a != a && b != b) || memcmp(&a, &b, sizeof a) == 0); /* -0 too */
        bad += !((c != c && d != d) || memcmp(&c, &d, sizeof c) == 0);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_cpu_narrowing(void) {
    int bad = 0;
    /* every 16-bit code, the midpoints between neighbours (ties) and one
     * float ulp either side of them: the cases RNE is about */
    for (int dt = 0; dt < 2; dt++)
        for (uint32_t h = 0; h < 0xFFFFu; h++) {
            const float lo = dt ? bf16_to_float((uint16_t)h) : f16_to_float((uint16_t)h);
            const float hi =
                dt ? bf16_to_float((uint16_t)(h + 1)) : f16_to_float((uint16_t)(h + 1));
            if (lo != lo || hi != hi) continue;
            const float mid = lo + (hi - lo) / 2; /* exact: one more bit than the format */
            bad += narrow_mismatch(lo) + narrow_mismatch(mid);
            bad += narrow_mismatch(nextafterf(mid, 0.0f)) + narrow_mismatch(nextafterf(mid, 1e30f));
        }
    /* random bit patterns over every exponent, plus specials */
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 200000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        bad += narrow_mismatch(cpu_bits_to_float((uint32_t)(s >> 32)));
    }
    const float special[] = {0.0f,   -0.0f,    65504.0f, 65519.99f,  65520.0f, 1e30f,
                             -1e30f, 0x1p-25f, 0x1p-24f, 0x1.8p-24f, 0x1p-14f, 3.4e38f};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        bad += narrow_mismatch(special[i]);
    bad += narrow_mismatch(cpu_bits_to_float(0x7F800000u)) +
           narrow_mismatch(cpu_bits_to_float(0xFFC00001u)) +
           narrow_mismatch(cpu_bits_to_float(0x7F800001u)); /* signalling NaN stays NaN */
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- whole cases through the runner -------------------------------------- */

/* Runs one descriptor through --kernel plugin:PATH as `run` does. */
static verdict_t run_one(const char *plugin, const char *line, struct case_result *r) {
    struct case_desc d;
    struct kernel_under_test kut;
    char err[256], kernel[512];
    memset(r, 0, sizeof *r);
    if (desc_parse(line, &d, err, sizeof err) != 0) {
        fprintf(stderr, "\n  bad descriptor '%s': %s\n", line, err);
        return V_COUNT;
    }
    snprintf(kernel, sizeof kernel, "%s%s", PLUGIN_PREFIX, plugin);
    if (kut_open(kernel, NULL, &kut, err, sizeof err) != 0) {
        fprintf(stderr, "\n  kut_open(%s): %s\n", kernel, err);
        return V_COUNT;
    }
    struct run_settings s = {.threads = 2, .max_bytes = 0, .safety = 0};
    run_case(&d, &s, &kut.kb, r, NULL, NULL);
    kut_close(&kut);
    return r->verdict;
}

static void expect_pass(const char *line) {
    struct case_result r;
    CU_ASSERT_EQUAL(run_one(CPU_PLUGIN, line, &r), V_PASSED);
    if (r.verdict != V_PASSED) fprintf(stderr, "\n  %s: %s\n", line, r.reason);
    case_result_free(&r);
}

static void test_cpu_cases(void) {
    expect_pass("fmt=gptq-v1 zp=asym gidx=act g=32 dt=f16 data=exact m=5 n=24 k=256 bias=1");
    expect_pass("fmt=ct zp=asym gidx=act g=64 dt=bf16 data=real m=7 n=40 k=384 bias=1");
    expect_pass("fmt=awq zp=asym g=-1 dt=bf16 data=exact m=3 n=56 k=384");
    expect_pass("fmt=gptq-v2 zp=sym g=128 dt=f16 data=real m=1 n=8 k=128");
}

static void test_cpu_threads(void) {
    /* 1, 3 (uneven column blocks) and more threads than columns */
    const char *counts[] = {"1", "3", "64"};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        CU_ASSERT_EQUAL(setenv("W4A16_CPU_THREADS", counts[i], 1), 0);
        expect_pass("fmt=ct zp=asym gidx=act g=32 dt=f16 data=exact m=13 n=40 k=256 bias=1");
    }
    CU_ASSERT_EQUAL(unsetenv("W4A16_CPU_THREADS"), 0);
}

/* ---- direct calls: hand-made ABI tensors ---------------------------------- */

#define TM 3
#define TN 8
#define TK 24
#define TGS 4 /* not a multiple of 8: groups change inside a packed word */

struct tiny {
    uint16_t a[TM * TK], scale[TK / TGS * TN], bias[TN];
    uint32_t b[TN * TK / 8], zp[TK / TGS * TN / 8];
    int32_t perm[TK];
    uint16_t outbuf[COMPARE_GUARD_MIN + TM * TN + COMPARE_GUARD_MIN];
    uint16_t *out; /* outbuf + COMPARE_GUARD_MIN */
};

/* Exact data: small integer activations, power-of-two scales. */
static void tiny_fill(struct tiny *x, struct abi_tensors *t, dtype_t dt, int optional) {
    uint32_t s = 12345;
    for (int i = 0; i < TM * TK; i++)
        x->a[i] = dt_from_double(dt, (double)((int)((s = s * 1103515245u + 12345u) >> 28) - 8));
    for (int i = 0; i < TN * TK / 8; i++)
        x->b[i] = (s = s * 1103515245u + 12345u);
    for (int i = 0; i < TK / TGS * TN; i++)
        x->scale[i] = dt_from_double(dt, 1.0 / (1 << ((s = s * 1103515245u + 12345u) >> 30)));
    for (int i = 0; i < TK / TGS * TN / 8; i++)
        x->zp[i] = (s = s * 1103515245u + 12345u);
    for (int i = 0; i < TN; i++)
        x->bias[i] = dt_from_double(dt, i - 3.5);
    for (int k = 0; k < TK; k++)
        x->perm[k] = (k * 7 + 3) % TK; /* 7 is coprime to 24: a permutation */
    x->out = x->outbuf + COMPARE_GUARD_MIN;
    compare_poison(dt, x->out, TM * TN, COMPARE_GUARD_MIN);
    *t = (struct abi_tensors){.dt = dt,
                              .M = TM,
                              .N = TN,
                              .K = TK,
                              .group_size = TGS,
                              .zp_scalar = 9,
                              .a = x->a,
                              .b = x->b,
                              .b_words = TN * TK / 8,
                              .scale = x->scale,
                              .scale_elems = TK / TGS * TN,
                              .zp = optional ? x->zp : NULL,
                              .zp_words = optional ? TK / TGS * TN / 8 : 0,
                              .perm = optional ? x->perm : NULL,
                              .bias = optional ? x->bias : NULL};
}

static void test_cpu_odd_group_size(void) {
    struct plugin_backend *pb = plb_open(CPU_PLUGIN);
    CU_ASSERT_FATAL(plb_loaded(pb));
    for (int dt = 0; dt < 2; dt++)
        for (int optional = 0; optional < 2; optional++) {
            struct tiny x;
            struct abi_tensors t;
            char err[256];
            double y[TM * TN];
            tiny_fill(&x, &t, (dtype_t)dt, optional);
            CU_ASSERT_EQUAL_FATAL(abi_check(&t, err, sizeof err), 0);
            CU_ASSERT_EQUAL_FATAL(abi_reference(&t, y), 0);
            uint16_t guard[COMPARE_GUARD_MIN];
            memcpy(guard, x.out + TM * TN, sizeof guard);
            struct bk_result res;
            plb_run(pb, &t, x.out, COMPARE_GUARD_MIN, &res);
            CU_ASSERT_EQUAL(res.status, BK_OK);
            CU_ASSERT(res.kernel_ms >= 0);
            int bad = 0;
            for (int i = 0; i < TM * TN; i++)
                bad += x.out[i] != dt_from_double((dtype_t)dt, y[i]);
            CU_ASSERT_EQUAL(bad, 0);
            CU_ASSERT_EQUAL(memcmp(guard, x.out + TM * TN, sizeof guard), 0);
        }
    plb_close(pb);
}

/* What the backend hands a plugin: pointers, flags, sizes, kernel_ms. */
static void test_probe_args(void) {
    struct plugin_backend *pb = plb_open(TEST_PLUGIN("probe"));
    CU_ASSERT_FATAL(plb_loaded(pb));
    CU_ASSERT_STRING_EQUAL(plb_name(pb), "probe plugin");
    for (int optional = 0; optional < 2; optional++) {
        struct tiny x;
        struct abi_tensors t;
        tiny_fill(&x, &t, DT_BF16, optional);
        struct bk_result res;
        plb_run(pb, &t, x.out, COMPARE_GUARD_MIN, &res);
        CU_ASSERT_EQUAL(res.status, BK_OK);
        CU_ASSERT_DOUBLE_EQUAL(res.kernel_ms, 1.25, 1e-12);
        const uint16_t flags = optional ? 7 : 0, absent = optional ? 0 : 1;
        const uint16_t want[10] = {flags, absent, absent, absent, 1, TM, TN, TK, TGS, 9};
        for (int i = 0; i < 10; i++)
            CU_ASSERT_EQUAL(x.out[i], want[i]);
    }
    plb_close(pb);
}

/* ---- bad plugins ------------------------------------------------------------ */

static void expect_error(const char *plugin, const char *needle1, const char *needle2) {
    struct case_result r;
    CU_ASSERT_EQUAL(run_one(plugin, SMALL_CASE, &r), V_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, needle1));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, needle2));
    case_result_free(&r);
}

static void test_bad_plugins(void) {
    expect_error(TEST_PLUGIN("returns_error"), "plugin returned 7", "");
    expect_error(TEST_PLUGIN("no_gemm"), "does not export w4a16_gemm", "no_gemm.so");
    expect_error(TEST_PLUGIN("no_version"), "does not export w4a16_abi_version", "no_version.so");
    expect_error(TEST_PLUGIN("wrong_version"), "ABI version 42", "needs version 1");
    expect_error("tests/plugins/not_a_library.so", "dlopen", "not_a_library.so");
    expect_error(GH_PLUGIN_DIR "/no_such_plugin.so", "dlopen", "no_such_plugin.so");
    expect_error("", "no path", "");
}

static void test_load_state(void) {
    struct plugin_backend *good = plb_open(CPU_PLUGIN), *bad = plb_open(TEST_PLUGIN("no_gemm"));
    struct plugin_backend *nameless = plb_open(TEST_PLUGIN("returns_error"));
    CU_ASSERT(plb_loaded(good));
    CU_ASSERT_STRING_EQUAL(plb_error(good), "");
    CU_ASSERT_PTR_NOT_NULL(strstr(plb_name(good), "w4a16_cpu"));
    CU_ASSERT(!plb_loaded(bad));
    CU_ASSERT(strlen(plb_error(bad)) > 0);
    CU_ASSERT_STRING_EQUAL(plb_name(nameless), "native plugin");
    plb_close(good);
    plb_close(bad);
    plb_close(nameless);
}

static void test_overrun_fails(void) {
    struct case_result r;
    CU_ASSERT_EQUAL(run_one(TEST_PLUGIN("overrun"), SMALL_CASE, &r), V_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "guard"));
    CU_ASSERT_EQUAL(r.met.mismatches, 0); /* every output element was right */
    case_result_free(&r);
}

int register_plugin_suite(void) {
    GH_ADD_SUITE(s, "plugin");
    GH_ADD_TEST(s, test_cpu_widening_all_codes);
    GH_ADD_TEST(s, test_cpu_narrowing);
    GH_ADD_TEST(s, test_cpu_cases);
    GH_ADD_TEST(s, test_cpu_threads);
    GH_ADD_TEST(s, test_cpu_odd_group_size);
    GH_ADD_TEST(s, test_probe_args);
    GH_ADD_TEST(s, test_bad_plugins);
    GH_ADD_TEST(s, test_load_state);
    GH_ADD_TEST(s, test_overrun_fails);
    return 0;
}

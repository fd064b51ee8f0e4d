/* test_refgemm.c - the double reference against a deliberately different
 * computation: unpack the *packed* checkpoint tensors of each format and
 * compute in long double with a naive triple loop; the blocked ref_gemm
 * against ref_gemm_naive bit for bit (every build, awkward shapes); plus
 * thread-count independence and a hand-computed case. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "cases/prng.h"
#include "cases/problem.h"
#include "reference/refgemm.h"
#include "suites.h"

/* y from the packed tensors, long double, naive m-n-k loop. */
static int naive_from_packed(const struct problem *p, long double *y) {
    struct tensor_set ts;
    struct logical_weights w;
    char err[256];
    memset(&ts, 0, sizeof ts);
    memset(&w, 0, sizeof w);
    if (format_pack(p, &ts, err, sizeof err) != 0) return -1;
    if (format_unpack(p->d.fmt, p->d.zp, &ts, p->K, p->N, p->G, &w, err, sizeof err) != 0) {
        tensor_set_free(&ts);
        return -1;
    }
    int64_t gs = p->K / p->G;
    for (int64_t m = 0; m < p->M; m++)
        for (int64_t n = 0; n < p->N; n++) {
            long double acc = 0;
            for (int64_t k = 0; k < p->K; k++) {
                int64_t g = w.g_idx ? w.g_idx[k] : k / gs;
                long double x = dt_to_double(p->d.dt, p->x[m * p->K + k]);
                long double s = dt_to_double(p->d.dt, w.s[g * p->N + n]);
                acc += x * ((long double)w.q[k * p->N + n] - w.z[g * p->N + n]) * s;
            }
            if (p->bias) acc += dt_to_double(p->d.dt, p->bias[n]);
            y[m * p->N + n] = acc;
        }
    logical_weights_free(&w);
    tensor_set_free(&ts);
    return 0;
}

static const char *FMTS[] = {"gptq-v1", "gptq-v2", "ct", "awq"};
static const char *ZPS[] = {"sym", "asym"};
static const char *GIDX[] = {"none", "trivial", "act"};
static const char *GS[] = {"32", "64", "128", "-1"};

/* Many random cases, both data modes, all formats and variants. */
static void test_against_naive(void) {
    int cases = 0, checked_exact = 0;
    for (int f = 0; f < 4; f++)
        for (int z = 0; z < 2; z++)
            for (int gi = 0; gi < 3; gi++)
                for (int g = 0; g < 4; g++) {
                    if (f == 3 && gi != 0) continue; /* awq has no g_idx */
                    if (g == 3 && gi == 2) continue; /* act-order needs groups */
                    uint64_t seed = (uint64_t)(cases * 7919 + 13);
                    int64_t m = 1 + (int64_t)(prng_u64(seed, RT_AUX, 0) % 5);
                    int64_t n = 8 * (1 + (int64_t)(prng_u64(seed, RT_AUX, 1) % 5));
                    int64_t k = 128 * (1 + (int64_t)(prng_u64(seed, RT_AUX, 2) % 3));
                    for (int mode = 0; mode < 2; mode++) {
                        char line[256];
                        snprintf(line, sizeof line,
                                 "fmt=%s zp=%s gidx=%s g=%s m=%lld n=%lld k=%lld data=%s dt=%s "
                                 "bias=%d seed=%llu",
                                 FMTS[f], ZPS[z], GIDX[gi], GS[g], (long long)m, (long long)n,
                                 (long long)k, mode ? "real" : "exact",
                                 (cases & 1) ? "bf16" : "f16", cases % 3 == 0,
                                 (unsigned long long)seed);
                        struct case_desc d;
                        struct problem p;
                        char err[256];
                        CU_ASSERT_FATAL(desc_parse(line, &d, err, sizeof err) == 0);
                        CU_ASSERT_FATAL(problem_generate(&d, &p, err, sizeof err) == 0);
                        double *y = malloc((size_t)(m * n) * sizeof *y);
                        double *ad = malloc((size_t)(m * n) * sizeof *ad);
                        long double *yl = malloc((size_t)(m * n) * sizeof *yl);
                        struct ref_input ri = problem_ref_input(&p, 2);
                        CU_ASSERT_FATAL(y && ad && yl && ref_gemm(&ri, y, ad) == 0);
                        CU_ASSERT_FATAL(naive_from_packed(&p, yl) == 0);
                        for (int64_t i = 0; i < m * n; i++) {
                            if (mode == 0) {
                                CU_ASSERT((long double)y[i] == yl[i]);
                                checked_exact++;
                            } else {
                                CU_ASSERT(fabsl((long double)y[i] - yl[i]) <= 1e-13L * ad[i]);
                            }
                        }
                        free(y);
                        free(ad);
                        free(yl);
                        problem_free(&p);
                        cases++;
                    }
                }
    CU_ASSERT(cases > 100);
    CU_ASSERT(checked_exact > 1000);
}

/* Bits do not depend on the thread count. */
static void test_threads(void) {
    struct case_desc d;
    struct problem p;
    char err[256];
    CU_ASSERT_FATAL(desc_parse("m=3 n=1032 k=384 g=128 zp=asym gidx=act data=real dt=f16 bias=1",
                               &d, err, sizeof err) == 0);
    CU_ASSERT_FATAL(problem_generate(&d, &p, err, sizeof err) == 0);
    size_t sz = (size_t)(p.M * p.N) * sizeof(double);
    double *y1 = malloc(sz), *y2 = malloc(sz), *y7 = malloc(sz), *a1 = malloc(sz), *a7 = malloc(sz);
    CU_ASSERT_FATAL(y1 && y2 && y7 && a1 && a7);
    struct ref_input r1 = problem_ref_input(&p, 1), r2 = problem_ref_input(&p, 2),
                     r7 = problem_ref_input(&p, 7);
    CU_ASSERT(ref_gemm(&r1, y1, a1) == 0);
    CU_ASSERT(ref_gemm(&r2, y2, NULL) == 0);
    CU_ASSERT(ref_gemm(&r7, y7, a7) == 0);
    CU_ASSERT(memcmp(y1, y2, sz) == 0);
    CU_ASSERT(memcmp(y1, y7, sz) == 0);
    CU_ASSERT(memcmp(a1, a7, sz) == 0);
    free(y1);
    free(y2);
    free(y7);
    free(a1);
    free(a7);
    problem_free(&p);
}

/* Hand-computed: M=1, N=8, K=8, one group, column 0 only checked. */
static void test_hand(void) {
    uint16_t x[8], s[8], bias[8];
    uint8_t q[64], z[8];
    int32_t gi[8];
    for (int k = 0; k < 8; k++) {
        x[k] = double_to_f16(k + 1); /* 1..8 */
        gi[k] = 0;
        for (int n = 0; n < 8; n++)
            q[k * 8 + n] = (uint8_t)(k + n); /* column 0: 0..7 */
    }
    for (int n = 0; n < 8; n++) {
        z[n] = 3;
        s[n] = double_to_f16(0.5);
        bias[n] = double_to_f16(n == 0 ? 1.0 : 0.0);
    }
    struct ref_input ri = {.dt = DT_F16,
                           .M = 1,
                           .N = 8,
                           .K = 8,
                           .G = 1,
                           .x = x,
                           .q = q,
                           .z = z,
                           .s = s,
                           .g_idx = gi,
                           .bias = bias,
                           .threads = 1};
    double y[8], ad[8];
    CU_ASSERT_FATAL(ref_gemm(&ri, y, ad) == 0);
    /* column 0: sum_k (k+1) * (k - 3) * 0.5 + 1 = 0.5 * (sum k^2 - 2k - 3 over 0..7) + 1
     * = 0.5 * (140 - 56 - 24) + 1 = 31 */
    CU_ASSERT_DOUBLE_EQUAL(y[0], 31.0, 0.0);
    /* |.|: 0.5 * sum (k+1)|k-3| + 1 = 0.5 * (3+4+3+0+5+12+21+32) + 1 = 41 */
    CU_ASSERT_DOUBLE_EQUAL(ad[0], 41.0, 0.0);
    uint16_t out[8];
    ref_round(DT_F16, y, out, 8);
    CU_ASSERT_EQUAL(out[0], double_to_f16(31.0));
}

/* A random logical problem of any shape (N need not be a multiple of 8 here):
 * real-valued x and scales, random g_idx, optional bias. */
struct raw {
    uint16_t *x, *s, *bias;
    uint8_t *q, *z;
    int32_t *g_idx;
    struct ref_input in;
};

static int raw_make(struct raw *r, int64_t M, int64_t N, int64_t K, int64_t G, int bias,
                    uint64_t seed) {
    memset(r, 0, sizeof *r);
    r->x = malloc((size_t)(M * K) * sizeof *r->x);
    r->s = malloc((size_t)(G * N) * sizeof *r->s);
    r->bias = bias ? malloc((size_t)N * sizeof *r->bias) : NULL;
    r->q = malloc((size_t)(K * N));
    r->z = malloc((size_t)(G * N));
    r->g_idx = malloc((size_t)K * sizeof *r->g_idx);
    if (!r->x || !r->s || (bias && !r->bias) || !r->q || !r->z || !r->g_idx) return -1;
    for (int64_t i = 0; i < M * K; i++)
        r->x[i] = double_to_f16(prng_normal(seed, RT_X, (uint64_t)i));
    for (int64_t i = 0; i < G * N; i++) {
        r->s[i] = double_to_f16(0.01 + prng_unit(seed, RT_S, (uint64_t)i));
        r->z[i] = (uint8_t)prng_range(seed, RT_Z, (uint64_t)i, 0, 15);
    }
    for (int64_t i = 0; i < K * N; i++)
        r->q[i] = (uint8_t)prng_range(seed, RT_Q, (uint64_t)i, 0, 15);
    for (int64_t k = 0; k < K; k++)
        r->g_idx[k] = (int32_t)prng_range(seed, RT_PERM, (uint64_t)k, 0, G - 1);
    for (int64_t n = 0; bias && n < N; n++)
        r->bias[n] = double_to_f16(prng_normal(seed, RT_BIAS, (uint64_t)n));
    r->in = (struct ref_input){.dt = DT_F16,
                               .M = M,
                               .N = N,
                               .K = K,
                               .G = G,
                               .x = r->x,
                               .q = r->q,
                               .z = r->z,
                               .s = r->s,
                               .g_idx = r->g_idx,
                               .bias = r->bias};
    return 0;
}

static void raw_free(struct raw *r) {
    free(r->x);
    free(r->s);
    free(r->bias);
    free(r->q);
    free(r->z);
    free(r->g_idx);
}

/* The blocked ref_gemm equals the naive loop bit for bit (same summation
 * order), y and absdot, in every build this CPU runs and for 1..3 threads, on
 * shapes that are awkward for the blocking: M not a multiple of the tile rows
 * (and above one row block), N not a multiple of the tile columns (and above
 * one column block), K not a multiple of the row block; M = 250 is two full
 * passes of row tiles and a partial one, N = 530 two blocks of columns and a
 * partial tile. */
static void test_blocked_equals_naive(void) {
    static const int64_t shapes[][4] = {/* M, N, K, G */
                                        {1, 8, 8, 1},      {7, 13, 300, 3},   {5, 264, 640, 5},
                                        {133, 24, 264, 2}, {2, 3, 1, 1},      {4, 520, 257, 1},
                                        {64, 280, 520, 4}, {250, 530, 129, 2}};
    static const enum ref_isa isas[] = {REF_ISA_AUTO, REF_ISA_GENERIC, REF_ISA_AVX2,
                                        REF_ISA_AVX512};
    int builds = 0;
    for (size_t c = 0; c < sizeof shapes / sizeof shapes[0]; c++) {
        int64_t M = shapes[c][0], N = shapes[c][1], K = shapes[c][2], G = shapes[c][3];
        struct raw r;
        CU_ASSERT_FATAL(raw_make(&r, M, N, K, G, (int)(c & 1), 100 + c) == 0);
        size_t sz = (size_t)(M * N) * sizeof(double);
        double *y0 = malloc(sz), *a0 = malloc(sz), *y = malloc(sz), *a = malloc(sz);
        CU_ASSERT_FATAL(y0 && a0 && y && a);
        CU_ASSERT(ref_gemm_naive(&r.in, y0, a0) == 0);
        for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
            if (!ref_isa_name(isas[i])) continue;
            for (int t = 1; t <= 3; t++) {
                r.in.isa = isas[i];
                r.in.threads = t;
                memset(y, 0xff, sz);
                memset(a, 0xff, sz);
                CU_ASSERT(ref_gemm(&r.in, y, a) == 0);
                CU_ASSERT(memcmp(y, y0, sz) == 0);
                CU_ASSERT(memcmp(a, a0, sz) == 0);
                builds++;
            }
        }
        free(y0);
        free(a0);
        free(y);
        free(a);
        raw_free(&r);
    }
    CU_ASSERT(builds >= (int)(sizeof shapes / sizeof shapes[0]) * 2 * 3); /* AUTO and GENERIC */
}

/* X values that the fast conversion of X leaves to dt_to_double or treats
 * apart (zeros of both signs, subnormals, the largest finite values), in f16
 * and bf16: the blocked ref_gemm still equals the naive loop bit for bit. */
static void test_blocked_x_values(void) {
    static const uint16_t special[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x03FF,
                                       0x0400, 0x7BFF, 0xFBFF, 0x007F, 0x0080};
    for (int dt = DT_F16; dt <= DT_BF16; dt++) {
        struct raw r;
        int64_t M = 13, N = 40, K = 70;
        CU_ASSERT_FATAL(raw_make(&r, M, N, K, 2, 1, 31 + (uint64_t)dt) == 0);
        r.in.dt = (dtype_t)dt;
        for (int64_t i = 0; i < M * K; i += 3)
            r.x[i] = special[(i / 3) % (sizeof special / sizeof special[0])];
        size_t sz = (size_t)(M * N) * sizeof(double);
        double *y0 = malloc(sz), *a0 = malloc(sz), *y = malloc(sz), *a = malloc(sz);
        CU_ASSERT_FATAL(y0 && a0 && y && a);
        CU_ASSERT(ref_gemm_naive(&r.in, y0, a0) == 0);
        r.in.threads = 2;
        CU_ASSERT(ref_gemm(&r.in, y, a) == 0);
        CU_ASSERT(memcmp(y, y0, sz) == 0);
        CU_ASSERT(memcmp(a, a0, sz) == 0);
        for (int64_t i = 0; i < M * N; i++)
            CU_ASSERT(isfinite(y0[i]));
        free(y0);
        free(a0);
        free(y);
        free(a);
        raw_free(&r);
    }
}

/* ref_dequant: W[k][n] = (q - z) * s, exactly, on an awkward N. */
static void test_dequant(void) {
    struct raw r;
    CU_ASSERT_FATAL(raw_make(&r, 1, 21, 40, 4, 0, 7) == 0);
    double *w = malloc(21 * 40 * sizeof *w);
    CU_ASSERT_FATAL(w != NULL);
    r.in.threads = 2;
    CU_ASSERT(ref_dequant(&r.in, w) == 0);
    for (int64_t k = 0; k < 40; k++)
        for (int64_t n = 0; n < 21; n++) {
            int64_t g = r.g_idx[k];
            double want =
                ((double)r.q[k * 21 + n] - r.z[g * 21 + n]) * f16_to_double(r.s[g * 21 + n]);
            CU_ASSERT(w[k * 21 + n] == want);
        }
    free(w);
    raw_free(&r);
}

/* An isa this machine lacks is refused, not silently replaced. */
static void test_isa_names(void) {
    CU_ASSERT_STRING_EQUAL(ref_isa_name(REF_ISA_GENERIC), "generic");
    CU_ASSERT_PTR_NOT_NULL(ref_isa_name(REF_ISA_AUTO));
#if !defined(__x86_64__)
    CU_ASSERT_PTR_NULL(ref_isa_name(REF_ISA_AVX2));
    CU_ASSERT_PTR_NULL(ref_isa_name(REF_ISA_AVX512));
#endif
}

int register_refgemm_suite(void) {
    GH_ADD_SUITE(s, "refgemm");
    GH_ADD_TEST(s, test_hand);
    GH_ADD_TEST(s, test_threads);
    GH_ADD_TEST(s, test_against_naive);
    GH_ADD_TEST(s, test_blocked_equals_naive);
    GH_ADD_TEST(s, test_blocked_x_values);
    GH_ADD_TEST(s, test_dequant);
    GH_ADD_TEST(s, test_isa_names);
    return 0;
}

/* test_problem.c - the generator: determinism, exact-mode guarantees,
 * act-order structure, real-mode quantization, tensor-parallel shards, the
 * zero points of the v1-zero sweep. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/batch.h"
#include "cases/problem.h"
#include "reference/refgemm.h"
#include "suites.h"

static void gen(const char *line, struct problem *p) {
    struct case_desc d;
    char err[256];
    CU_ASSERT_FATAL(desc_parse(line, &d, err, sizeof err) == 0);
    CU_ASSERT_FATAL(problem_generate(&d, p, err, sizeof err) == 0);
}

static int same_problem(const struct problem *a, const struct problem *b) {
    size_t mk = (size_t)(a->M * a->K), kn = (size_t)(a->K * a->N), gn = (size_t)(a->G * a->N);
    return !memcmp(a->x, b->x, mk * 2) && !memcmp(a->q, b->q, kn) && !memcmp(a->z, b->z, gn) &&
           !memcmp(a->s, b->s, gn * 2) && !memcmp(a->g_idx, b->g_idx, (size_t)a->K * 4) &&
           (!a->bias || !memcmp(a->bias, b->bias, (size_t)a->N * 2));
}

static void test_deterministic(void) {
    const char *lines[] = {
        "m=3 n=24 k=64 g=32 zp=asym gidx=act dt=f16 data=real seed=1 bias=1",
        "m=5 n=40 k=256 g=64 zp=sym gidx=trivial dt=bf16 data=exact seed=99 bias=1"};
    for (int i = 0; i < 2; i++) {
        struct problem a, b;
        gen(lines[i], &a);
        gen(lines[i], &b);
        CU_ASSERT(same_problem(&a, &b));
        problem_free(&a);
        problem_free(&b);
    }
    /* a different seed gives different data */
    struct problem a, b;
    gen("m=3 n=24 k=64 g=32 seed=1", &a);
    gen("m=3 n=24 k=64 g=32 seed=2", &b);
    CU_ASSERT(memcmp(a.q, b.q, (size_t)(a.K * a.N)) != 0);
    problem_free(&a);
    problem_free(&b);
}

/* Every act-order group holds exactly group_size rows and the order is not
 * trivially sequential. */
static void test_act_order(void) {
    struct problem p;
    gen("m=1 n=8 k=512 g=32 gidx=act seed=5", &p);
    int count[16] = {0}, seq = 1;
    for (int64_t k = 0; k < p.K; k++) {
        CU_ASSERT_FATAL(p.g_idx[k] >= 0 && p.g_idx[k] < 16);
        count[p.g_idx[k]]++;
        if (p.g_idx[k] != k / 32) seq = 0;
    }
    for (int g = 0; g < 16; g++)
        CU_ASSERT_EQUAL(count[g], 32);
    CU_ASSERT_FALSE(seq);
    problem_free(&p);
    gen("m=1 n=8 k=512 g=32 gidx=trivial", &p);
    for (int64_t k = 0; k < p.K; k++)
        CU_ASSERT_EQUAL(p.g_idx[k], k / 32);
    problem_free(&p);
}

/* Exact mode: integer activations, power-of-two scales, sum of |products|
 * in units below 2^24, outputs in range; symmetric zeros are 8. */
static void test_exact_bounds(void) {
    const char *lines[] = {"m=2 n=16 k=4096 g=128 zp=asym dt=f16 bias=1 seed=3",
                           "m=2 n=16 k=14336 g=-1 zp=sym dt=bf16 seed=4",
                           "m=2 n=16 k=64 g=32 zp=asym dt=bf16 bias=1 seed=4"};
    for (int i = 0; i < 3; i++) {
        struct problem p;
        gen(lines[i], &p);
        double unit = INFINITY;
        for (int64_t j = 0; j < p.G * p.N; j++) {
            double s = dt_to_double(p.d.dt, p.s[j]);
            int e;
            CU_ASSERT(frexp(s, &e) == 0.5); /* power of two */
            if (s < unit) unit = s;
            if (p.d.zp == ZP_SYM) CU_ASSERT_EQUAL(p.z[j], 8);
        }
        int big = 0;
        for (int64_t m = 0; m < p.M; m++)
            for (int64_t n = 0; n < p.N; n++) {
                double sum = 0, partial = 0;
                for (int64_t k = 0; k < p.K; k++) {
                    double x = dt_to_double(p.d.dt, p.x[m * p.K + k]);
                    CU_ASSERT(x == nearbyint(x));
                    int64_t g = p.g_idx[k];
                    double w = ((double)p.q[k * p.N + n] - p.z[g * p.N + n]) *
                               dt_to_double(p.d.dt, p.s[g * p.N + n]);
                    sum += fabs(x * w) / unit;
                    partial += x * w / unit;
                    if (fabs(partial) > 2048) big = 1;
                }
                if (p.bias) sum += fabs(dt_to_double(p.d.dt, p.bias[n])) / unit;
                CU_ASSERT(sum < 16777216.0);
                CU_ASSERT(sum * unit < dt_max(p.d.dt));
            }
        if (p.K >= 4096) CU_ASSERT(big); /* partial sums beyond f16's 2^11 units */
        problem_free(&p);
    }
}

static void test_real_quant(void) {
    const char *lines[] = {"m=4 n=32 k=256 g=64 zp=asym gidx=act data=real seed=8",
                           "m=4 n=32 k=256 g=-1 zp=sym data=real dt=bf16 seed=8"};
    for (int i = 0; i < 2; i++) {
        struct problem p;
        gen(lines[i], &p);
        int lo = 15, hi = 0;
        for (int64_t j = 0; j < p.K * p.N; j++) {
            CU_ASSERT(p.q[j] <= 15);
            if (p.q[j] < lo) lo = p.q[j];
            if (p.q[j] > hi) hi = p.q[j];
        }
        CU_ASSERT(lo <= 1 && hi >= 14); /* the grid is used end to end */
        for (int64_t j = 0; j < p.G * p.N; j++) {
            CU_ASSERT(p.z[j] <= 15);
            CU_ASSERT(dt_to_double(p.d.dt, p.s[j]) > 0);
            if (p.d.zp == ZP_SYM) CU_ASSERT_EQUAL(p.z[j], 8);
        }
        double sx = 0, sxx = 0;
        for (int64_t j = 0; j < p.M * p.K; j++) {
            double x = dt_to_double(p.d.dt, p.x[j]);
            sx += x;
            sxx += x * x;
        }
        double n = (double)(p.M * p.K);
        CU_ASSERT(fabs(sx / n) < 0.2);
        CU_ASSERT(fabs(sxx / n - 1) < 0.25);
        problem_free(&p);
    }
}

/* ---- tensor-parallel shards (tp=) ----------------------------------------- */

/* y[m][n] of problem p in double (no bias when nobias). */
static double *ref_out(struct problem *p, int nobias) {
    double *y = malloc((size_t)(p->M * p->N) * sizeof *y);
    CU_ASSERT_FATAL(y != NULL);
    struct ref_input ri = problem_ref_input(p, 1);
    if (nobias) ri.bias = NULL;
    CU_ASSERT_FATAL(ref_gemm(&ri, y, NULL) == 0);
    return y;
}

/* A row shard holds the layer's x columns and weight rows k0.., its groups'
 * scales and zeros (all of them with act-order or g=-1), the layer's group ids;
 * the shards' outputs add up to the layer's, exactly. */
static void test_tp_row(void) {
    static const struct {
        const char *keys;
        int k; /* the layer's */
    } layers[] = {
        {"fmt=gptq-v1 zp=asym g=32 m=3 n=24 seed=5", 512},
        {"fmt=gptq-v1 zp=asym gidx=act g=32 m=3 n=24 seed=6", 512},
        {"fmt=ct zp=sym g=-1 m=2 n=16 seed=7", 256},
    };
    for (int i = 0; i < 3; i++) {
        struct problem L;
        char line[256];
        snprintf(line, sizeof line, "%s k=%d", layers[i].keys, layers[i].k);
        gen(line, &L);
        double *yl = ref_out(&L, 1);
        const int W = 4;
        double *sum = calloc((size_t)(L.M * L.N), sizeof *sum);
        CU_ASSERT_FATAL(sum != NULL);
        for (int r = 0; r < W; r++) {
            /* the shard's k is the layer's / W */
            snprintf(line, sizeof line, "%s k=%d tp=row:%d/%d", layers[i].keys, layers[i].k / W, r,
                     W);
            struct problem p;
            gen(line, &p);
            const int64_t K = L.K / W, k0 = r * K;
            CU_ASSERT_EQUAL(p.K, K);
            const int whole = L.d.gidx == GIDX_ACT || L.d.g == -1;
            CU_ASSERT_EQUAL(p.G, whole ? L.G : L.G / W);
            const int64_t g0 = whole ? 0 : r * (L.G / W);
            int ok = 1;
            for (int64_t m = 0; m < p.M; m++)
                for (int64_t k = 0; k < K; k++)
                    ok &= p.x[m * K + k] == L.x[m * L.K + k0 + k];
            for (int64_t k = 0; k < K; k++) {
                ok &= p.g_idx[k] == L.g_idx[k0 + k] - g0;
                for (int64_t n = 0; n < p.N; n++)
                    ok &= p.q[k * p.N + n] == L.q[(k0 + k) * L.N + n];
            }
            for (int64_t j = 0; j < p.G * p.N; j++)
                ok &= p.s[j] == L.s[g0 * L.N + j] && p.z[j] == L.z[g0 * L.N + j];
            CU_ASSERT(ok);
            double *y = ref_out(&p, 1);
            for (int64_t j = 0; j < L.M * L.N; j++)
                sum[j] += y[j];
            free(y);
            problem_free(&p);
        }
        CU_ASSERT(memcmp(sum, yl, (size_t)(L.M * L.N) * sizeof *sum) == 0);
        free(sum);
        free(yl);
        problem_free(&L);
    }
}

/* A column shard's outputs are the layer's columns n0.., bias included. */
static void test_tp_col(void) {
    const char *layer = "fmt=awq zp=asym g=32 m=3 n=64 k=128 bias=1 seed=9";
    struct problem L;
    gen(layer, &L);
    double *yl = ref_out(&L, 0);
    for (int r = 0; r < 2; r++) {
        char line[256];
        snprintf(line, sizeof line, "fmt=awq zp=asym g=32 m=3 n=32 k=128 bias=1 seed=9 tp=col:%d/2",
                 r);
        struct problem p;
        gen(line, &p);
        double *y = ref_out(&p, 0);
        int ok = p.G == L.G;
        for (int64_t m = 0; m < p.M; m++)
            for (int64_t n = 0; n < p.N; n++)
                ok &= y[m * p.N + n] == yl[m * L.N + r * 32 + n];
        CU_ASSERT(ok);
        free(y);
        problem_free(&p);
    }
    free(yl);
    problem_free(&L);
}

/* fixtures/sweeps/v1-zero.batch: every case has a zero point 0 below the top
 * nibble of a word, where the per-nibble and the whole-word v1 writers store
 * different words (the batch's point). */
static void test_v1_zero_batch(void) {
    struct case_list l;
    memset(&l, 0, sizeof l);
    char err[512];
    CU_ASSERT_FATAL(batch_read_file("fixtures/sweeps/v1-zero.batch", &l, err, sizeof err) == 0);
    CU_ASSERT(l.n >= 8);
    int words = 0;
    for (size_t i = 0; i < l.n; i++) {
        struct problem p;
        char e[256];
        CU_ASSERT_FATAL(problem_generate(&l.v[i], &p, e, sizeof e) == 0);
        CU_ASSERT(l.v[i].fmt == FMT_GPTQ_V1 && l.v[i].zp == ZP_ASYM && l.v[i].data == DATA_EXACT);
        words += l.v[i].v1z == V1Z_WORD;
        int low_zero = 0;
        for (int64_t g = 0; g < p.G; g++)
            for (int64_t n = 0; n < p.N; n++)
                low_zero |= n % 8 != 7 && p.z[g * p.N + n] == 0;
        if (!low_zero) fprintf(stderr, "\n  v1-zero.batch case %zu has no low Z = 0\n", i + 1);
        CU_ASSERT(low_zero);
        problem_free(&p);
    }
    CU_ASSERT(words > 0 && words < (int)l.n); /* both writers */
    case_list_free(&l);
}

int register_problem_suite(void) {
    GH_ADD_SUITE(s, "problem");
    GH_ADD_TEST(s, test_deterministic);
    GH_ADD_TEST(s, test_act_order);
    GH_ADD_TEST(s, test_exact_bounds);
    GH_ADD_TEST(s, test_real_quant);
    GH_ADD_TEST(s, test_tp_row);
    GH_ADD_TEST(s, test_tp_col);
    GH_ADD_TEST(s, test_v1_zero_batch);
    return 0;
}

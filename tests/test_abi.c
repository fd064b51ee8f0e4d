/* test_abi.c - abi_check (contract preconditions) and abi_reference on
 * small hand-computed cases. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/abi.h"
#include "suites.h"

/* A valid set: M=2 N=16 K=64 group 32, zp tensor, identity perm, bias. */
static int make_valid(struct abi_tensors *t) {
    memset(t, 0, sizeof *t);
    t->dt = DT_F16;
    t->M = 2;
    t->N = 16;
    t->K = 64;
    t->group_size = 32;
    t->zp_scalar = 8;
    t->b_words = t->N * t->K / 8;
    t->scale_elems = (t->K / t->group_size) * t->N;
    t->zp_words = (t->K / t->group_size) * t->N / 8;
    t->a = calloc((size_t)(t->M * t->K), sizeof *t->a);
    t->b = calloc((size_t)t->b_words, sizeof *t->b);
    t->scale = calloc((size_t)t->scale_elems, sizeof *t->scale);
    t->zp = calloc((size_t)t->zp_words, sizeof *t->zp);
    t->perm = calloc((size_t)t->K, sizeof *t->perm);
    t->bias = calloc((size_t)t->N, sizeof *t->bias);
    if (!t->a || !t->b || !t->scale || !t->zp || !t->perm || !t->bias) return -1;
    for (int k = 0; k < t->K; k++)
        t->perm[k] = t->K - 1 - k;
    return 0;
}

/* abi_check must fail and its message must contain want. */
static void expect_reject(const struct abi_tensors *t, const char *want) {
    char err[256] = "";
    CU_ASSERT_EQUAL(abi_check(t, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    if (!strstr(err, want)) fprintf(stderr, "\n  expected '%s' in: %s\n", want, err);
}

static void test_check_accepts_valid(void) {
    struct abi_tensors t;
    CU_ASSERT_EQUAL_FATAL(make_valid(&t), 0);
    char err[256] = "";
    CU_ASSERT_EQUAL(abi_check(&t, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    free(t.zp);
    t.zp = NULL; /* scalar zero point */
    free(t.perm);
    t.perm = NULL;
    CU_ASSERT_EQUAL(abi_check(&t, err, sizeof err), 0);
    abi_tensors_free(&t);
    CU_ASSERT_PTR_NULL(t.a);
    abi_tensors_free(&t); /* twice is harmless */
    abi_tensors_free(NULL);
}

static void test_check_group_size(void) {
    struct abi_tensors t;
    CU_ASSERT_EQUAL_FATAL(make_valid(&t), 0);
    t.group_size = -1;
    expect_reject(&t, "group_size=-1: the kernel contract needs a positive group size dividing "
                      "K=64");
    t.group_size = 0;
    expect_reject(&t, "group_size=0");
    t.group_size = 24;
    expect_reject(&t, "group_size=24");
    t.group_size = 128;
    expect_reject(&t, "group_size=128");
    abi_tensors_free(&t);
}

static void test_check_dims(void) {
    struct abi_tensors t;
    CU_ASSERT_EQUAL_FATAL(make_valid(&t), 0);
    t.N = 12;
    expect_reject(&t, "N=12");
    t.N = 16;
    t.K = 60;
    expect_reject(&t, "K=60");
    t.K = 64;
    t.M = 0;
    expect_reject(&t, "M=0");
    t.M = 2;
    t.dt = (dtype_t)7;
    expect_reject(&t, "dtype");
    abi_tensors_free(&t);
}

static void test_check_sizes(void) {
    struct abi_tensors t;
    CU_ASSERT_EQUAL_FATAL(make_valid(&t), 0);
    t.b_words--;
    expect_reject(&t, "b_words=127");
    t.b_words++;
    t.scale_elems = 16; /* [N] instead of [G][N] */
    expect_reject(&t, "scale_elems=16");
    t.scale_elems = 32;
    t.zp_words = 2 * 16; /* unpacked [G][N] */
    expect_reject(&t, "zp_words=32");
    t.zp_words = 4;
    uint16_t *a = t.a;
    t.a = NULL;
    expect_reject(&t, "a is NULL");
    t.a = a;
    uint32_t *zp = t.zp;
    t.zp = NULL;
    t.zp_scalar = 16;
    expect_reject(&t, "zp_scalar=16");
    t.zp = zp;
    abi_tensors_free(&t);
}

static void test_check_perm(void) {
    struct abi_tensors t;
    CU_ASSERT_EQUAL_FATAL(make_valid(&t), 0);
    /* Group ids (what g_idx holds) instead of a permutation. */
    for (int k = 0; k < t.K; k++)
        t.perm[k] = k / 32;
    expect_reject(&t, "perm[1]=0");
    expect_reject(&t, "duplicate");
    for (int k = 0; k < t.K; k++)
        t.perm[k] = k;
    t.perm[5] = 64;
    expect_reject(&t, "perm[5]=64");
    expect_reject(&t, "out of range");
    t.perm[5] = -1;
    expect_reject(&t, "perm[5]=-1");
    abi_tensors_free(&t);
}

/* Scales and bias must be finite (f16 and bf16 bit patterns); the largest
 * finite value, its negative and the smallest subnormal still pass. */
static void test_check_finite(void) {
    static const struct {
        dtype_t dt;
        uint16_t nan, snan, inf, max, sub;
    } DT[2] = {{DT_F16, 0x7e00, 0x7c01, 0x7c00, 0x7bff, 0x0001},
               {DT_BF16, 0x7fc0, 0x7f81, 0x7f80, 0x7f7f, 0x0001}};
    for (int d = 0; d < 2; d++) {
        struct abi_tensors t;
        CU_ASSERT_EQUAL_FATAL(make_valid(&t), 0);
        t.dt = DT[d].dt;
        char err[256] = "";
        t.scale[0] = DT[d].max;
        t.scale[1] = DT[d].max | 0x8000;
        t.scale[2] = DT[d].sub;
        t.bias[0] = DT[d].max;
        t.bias[1] = DT[d].max | 0x8000;
        CU_ASSERT_EQUAL(abi_check(&t, err, sizeof err), 0);
        t.scale[0] = DT[d].nan;
        expect_reject(&t, "scale[0][0] is NaN: scales must be finite");
        t.scale[0] = DT[d].snan;
        expect_reject(&t, "scale[0][0] is NaN");
        t.scale[0] = DT[d].max;
        t.scale[17] = DT[d].inf; /* group 1, column 1 of [2][16] */
        expect_reject(&t, "scale[1][1] is Inf: scales must be finite");
        t.scale[17] = DT[d].inf | 0x8000;
        expect_reject(&t, "scale[1][1] is -Inf");
        double y[32];
        CU_ASSERT_EQUAL(abi_reference(&t, y), -1);
        t.scale[17] = 0;
        t.bias[15] = DT[d].nan;
        expect_reject(&t, "bias[15] is NaN: the bias must be finite");
        t.bias[15] = DT[d].inf;
        expect_reject(&t, "bias[15] is Inf");
        free(t.bias);
        t.bias = NULL; /* no bias: nothing to check */
        CU_ASSERT_EQUAL(abi_check(&t, err, sizeof err), 0);
        abi_tensors_free(&t);
    }
}

/* ---- abi_reference, hand-computed ----------------------------------------
 * M=1 N=8 K=8, a[k] = k+1, q(k, n) = k + n (b[n] = 0x76543210 + n*0x11111111),
 * scale[n] = 0.5 (n even) or 2 (n odd). With zero point z:
 *   sum_k (k+1)(k+n-z) = 168 + 36(n-z);  reversed perm: 84 + 36(n-z). */

struct tiny {
    struct abi_tensors t;
    uint16_t a[16], scale[16], bias[8];
    uint32_t b[8], zp[2];
    int32_t perm[8];
};

static void make_tiny(struct tiny *s, dtype_t dt) {
    memset(s, 0, sizeof *s);
    s->t.dt = dt;
    s->t.M = 1;
    s->t.N = 8;
    s->t.K = 8;
    s->t.group_size = 8;
    s->t.zp_scalar = 8;
    s->t.a = s->a;
    s->t.b = s->b;
    s->t.b_words = 8;
    s->t.scale = s->scale;
    s->t.scale_elems = 8;
    s->t.zp_words = 1;
    for (int k = 0; k < 8; k++)
        s->a[k] = dt_from_double(dt, k + 1);
    for (int n = 0; n < 8; n++) {
        s->b[n] = 0x76543210u + (uint32_t)n * 0x11111111u;
        s->scale[n] = dt_from_double(dt, n % 2 ? 2.0 : 0.5);
        s->bias[n] = dt_from_double(dt, n - 4);
    }
    for (int k = 0; k < 8; k++)
        s->perm[k] = 7 - k;
}

static void expect_y(const struct abi_tensors *t, const double *want, int count) {
    double y[16];
    CU_ASSERT_EQUAL_FATAL(abi_reference(t, y), 0);
    for (int i = 0; i < count; i++) {
        CU_ASSERT_EQUAL(y[i], want[i]);
        if (y[i] != want[i]) fprintf(stderr, "\n  y[%d] = %g, want %g\n", i, y[i], want[i]);
    }
}

static void test_reference_scalar_zp(void) {
    for (int d = 0; d < 2; d++) {
        struct tiny s;
        make_tiny(&s, d ? DT_BF16 : DT_F16);
        const double want[8] = {-60, -168, -24, -24, 12, 120, 48, 264};
        expect_y(&s.t, want, 8);
    }
}

static void test_reference_zp_tensor(void) {
    struct tiny s;
    make_tiny(&s, DT_F16);
    s.zp[0] = 0x01234567u; /* z(n) = 7 - n */
    s.t.zp = s.zp;
    const double want[8] = {-42, -24, 30, 264, 102, 552, 174, 840};
    expect_y(&s.t, want, 8);
}

static void test_reference_perm_bias(void) {
    struct tiny s;
    make_tiny(&s, DT_F16);
    s.t.perm = s.perm; /* A'[k] = a[7-k] = 8-k */
    const double want[8] = {-102, -336, -66, -192, -30, -48, 6, 96};
    expect_y(&s.t, want, 8);
    s.t.bias = s.bias; /* + (n - 4) */
    const double want_b[8] = {-106, -339, -68, -193, -30, -47, 8, 99};
    expect_y(&s.t, want_b, 8);
}

/* Two groups of 4 and two rows: group indexing of scale and zp, row indexing
 * of a. scale = 1 (g=0), 2 (g=1); row 0 a = 1..8, row 1 a = 1. */
static void test_reference_groups(void) {
    struct tiny s;
    make_tiny(&s, DT_BF16);
    s.t.M = 2;
    s.t.group_size = 4;
    s.t.scale_elems = 16;
    s.t.zp_words = 2;
    for (int k = 0; k < 8; k++)
        s.a[8 + k] = dt_from_double(DT_BF16, 1);
    for (int n = 0; n < 8; n++) {
        s.scale[n] = dt_from_double(DT_BF16, 1);
        s.scale[8 + n] = dt_from_double(DT_BF16, 2);
    }
    /* z = 8: row 0: 316 + 62(n-8); row 1: 50 + 12(n-8). */
    const double want[16] = {-180, -118, -56, 6,   68, 130, 192, 254,
                             -46,  -34,  -22, -10, 2,  14,  26,  38};
    expect_y(&s.t, want, 16);
    /* zp tensor: 8 in group 0, 0 in group 1: row 0: 236 + 62n; row 1: 18 + 12n. */
    s.zp[0] = 0x88888888u;
    s.zp[1] = 0;
    s.t.zp = s.zp;
    const double want_zp[16] = {236, 298, 360, 422, 484, 546, 608, 670,
                                18,  30,  42,  54,  66,  78,  90,  102};
    expect_y(&s.t, want_zp, 16);
}

/* The slack: 0 where every partial sum is exact in float, positive where a
 * float accumulator rounds (and then large enough for what it does). */
static void test_reference_slack(void) {
    struct tiny s;
    make_tiny(&s, DT_F16);
    double y[8], yy[8], ad[8], sl[8];
    CU_ASSERT_EQUAL_FATAL(abi_reference_slack(&s.t, y, ad, sl), 0);
    CU_ASSERT_EQUAL_FATAL(abi_reference(&s.t, yy), 0);
    for (int n = 0; n < 8; n++) {
        CU_ASSERT_EQUAL(sl[n], 0.0);
        CU_ASSERT_EQUAL(y[n], yy[n]);
    }
    /* column 0: 2048 + 1 + 2^-14 spans 2^25 units: not exact in float */
    memset(s.a, 0, sizeof s.a);
    s.a[0] = dt_from_double(DT_F16, 2048);
    s.a[1] = dt_from_double(DT_F16, 1);
    s.a[2] = dt_from_double(DT_F16, 0x1p-14);
    s.b[0] = 0x88888999u; /* q - z = 1 on rows 0..2 */
    s.scale[0] = dt_from_double(DT_F16, 1.0);
    CU_ASSERT_EQUAL_FATAL(abi_reference_slack(&s.t, y, ad, sl), 0);
    CU_ASSERT_EQUAL(y[0], 2049.0 + 0x1p-14);
    CU_ASSERT(sl[0] > 0);
    const float f = (2048.0f + 1.0f) + 0x1p-14f; /* what a float accumulator gets: 2049 */
    CU_ASSERT(fabs((double)f - y[0]) <= sl[0]);
    CU_ASSERT(sl[0] < 1.0); /* still far below the output's ulp (2) */
    /* 2^-14 alone on top of 1: 2^14 units, exact */
    s.a[0] = 0;
    CU_ASSERT_EQUAL_FATAL(abi_reference_slack(&s.t, y, NULL, sl), 0);
    CU_ASSERT_EQUAL(sl[0], 0.0);
    /* bf16: 2^127 * (q - z = 1) + 2^127 overflows a float: anything goes */
    make_tiny(&s, DT_BF16);
    memset(s.a, 0, sizeof s.a);
    s.a[0] = s.a[1] = dt_from_double(DT_BF16, 0x1p127);
    s.b[0] = 0x88888899u;
    s.scale[0] = dt_from_double(DT_BF16, 1.0);
    CU_ASSERT_EQUAL_FATAL(abi_reference_slack(&s.t, y, NULL, sl), 0);
    CU_ASSERT(isinf(sl[0]));
    s.b[0] = 0x88888889u; /* one 2^127 alone is exact */
    CU_ASSERT_EQUAL_FATAL(abi_reference_slack(&s.t, y, NULL, sl), 0);
    CU_ASSERT_EQUAL(sl[0], 0.0);
}

static void test_reference_rejects_invalid(void) {
    struct tiny s;
    make_tiny(&s, DT_F16);
    s.t.group_size = -1;
    double y[8];
    CU_ASSERT_EQUAL(abi_reference(&s.t, y), -1);
    CU_ASSERT_EQUAL(abi_reference(NULL, y), -1);
}

int register_abi_suite(void) {
    GH_ADD_SUITE(s, "abi");
    GH_ADD_TEST(s, test_check_accepts_valid);
    GH_ADD_TEST(s, test_check_group_size);
    GH_ADD_TEST(s, test_check_dims);
    GH_ADD_TEST(s, test_check_sizes);
    GH_ADD_TEST(s, test_check_perm);
    GH_ADD_TEST(s, test_check_finite);
    GH_ADD_TEST(s, test_reference_scalar_zp);
    GH_ADD_TEST(s, test_reference_zp_tensor);
    GH_ADD_TEST(s, test_reference_perm_bias);
    GH_ADD_TEST(s, test_reference_groups);
    GH_ADD_TEST(s, test_reference_slack);
    GH_ADD_TEST(s, test_reference_rejects_invalid);
    return 0;
}

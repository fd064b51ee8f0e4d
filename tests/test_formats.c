/* test_formats.c - checkpoint formats (docs/formats.md) and the tensor sets they live in.
 *
 * Problems are built by hand here (a local LCG fills Q, Z, S, g_idx), so this
 * suite depends on formats.c and tensor.c only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "formats/formats.h"
#include "formats/tensor.h"
#include "suites.h"

/* ---- hand-made problems ------------------------------------------------- */

static uint32_t lcg_next(uint64_t *st) {
    *st = *st * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*st >> 33);
}

enum zmode {
    ZM_RANDOM, /* 0..15 */
    ZM_ALL0,   /* v1 stores 0xF everywhere */
    ZM_ALL15,
    ZM_ALT0_15, /* even columns 0, odd 15: v1 words 0xEFEFEFEF */
    ZM_ALT0_1,  /* even columns 0, odd 1: v1 words 0x0F0F0F0F */
    ZM_COUNT
};

struct shape {
    int64_t K, N, G;
};

static void free_problem(struct problem *p) {
    free(p->q);
    free(p->z);
    free(p->s);
    free(p->g_idx);
    memset(p, 0, sizeof *p);
}

static uint8_t zero_of(enum zmode zm, int64_t n, uint64_t *st) {
    switch (zm) {
    case ZM_ALL0:
        return 0;
    case ZM_ALL15:
        return 15;
    case ZM_ALT0_15:
        return n % 2 ? 15 : 0;
    case ZM_ALT0_1:
        return n % 2 ? 1 : 0;
    default:
        return (uint8_t)(lcg_next(st) & 0xF);
    }
}

/* g_idx: k / gs, shuffled (Fisher-Yates) for act-order; every group keeps gs rows. */
static void fill_gidx(struct problem *p, uint64_t *st) {
    for (int64_t k = 0; k < p->K; k++)
        p->g_idx[k] = (int32_t)(k / p->gs);
    if (p->d.gidx != GIDX_ACT) return;
    for (int64_t k = p->K - 1; k > 0; k--) {
        int64_t r = (int64_t)(lcg_next(st) % (uint32_t)(k + 1));
        int32_t t = p->g_idx[k];
        p->g_idx[k] = p->g_idx[r];
        p->g_idx[r] = t;
    }
}

/* Builds a problem by hand. Returns 0, or -1 (out of memory, p freed). */
static int make_problem(struct problem *p, fmt_t f, zp_t zp, gidx_t gi, dtype_t dt, struct shape sh,
                        enum zmode zm, uint64_t seed) {
    memset(p, 0, sizeof *p);
    p->d.fmt = f;
    p->d.zp = zp;
    p->d.gidx = gi;
    p->d.dt = dt;
    p->d.m = p->M = 1;
    p->d.n = p->N = sh.N;
    p->d.k = p->K = sh.K;
    p->G = sh.G;
    p->gs = sh.K / sh.G;
    p->d.g = sh.G == 1 ? -1 : p->gs;
    p->d.seed = seed;
    p->q = malloc((size_t)(p->K * p->N));
    p->z = malloc((size_t)(p->G * p->N));
    p->s = malloc((size_t)(p->G * p->N) * sizeof *p->s);
    p->g_idx = malloc((size_t)p->K * sizeof *p->g_idx);
    if (!p->q || !p->z || !p->s || !p->g_idx) {
        free_problem(p);
        return -1;
    }
    uint64_t st = seed * 2654435761u + 1;
    for (int64_t i = 0; i < p->K * p->N; i++)
        p->q[i] = (uint8_t)(lcg_next(&st) & 0xF);
    p->q[0] = 0; /* both extremes always present */
    p->q[1] = 15;
    for (int64_t i = 0; i < p->G * p->N; i++)
        p->z[i] = zp == ZP_SYM ? 8 : zero_of(zm, i % p->N, &st);
    for (int64_t i = 0; i < p->G * p->N; i++)
        p->s[i] = (uint16_t)lcg_next(&st);
    fill_gidx(p, &st);
    return 0;
}

/* Compares unpacked weights with the problem; writes the first difference. */
static int weights_match(const struct problem *p, const struct logical_weights *w, char *why,
                         size_t len) {
    if (w->K != p->K || w->N != p->N || w->G != p->G) {
        snprintf(why, len, "dims");
        return 0;
    }
    for (int64_t i = 0; i < p->K * p->N; i++) {
        if (w->q[i] != p->q[i]) {
            snprintf(why, len, "Q[%lld][%lld] %u != %u", (long long)(i / p->N),
                     (long long)(i % p->N), w->q[i], p->q[i]);
            return 0;
        }
    }
    for (int64_t i = 0; i < p->G * p->N; i++) {
        if (w->z[i] != p->z[i] || w->s[i] != p->s[i]) {
            snprintf(why, len, "Z/S[%lld][%lld] z %u != %u, s %#x != %#x", (long long)(i / p->N),
                     (long long)(i % p->N), w->z[i], p->z[i], w->s[i], p->s[i]);
            return 0;
        }
    }
    int want_gidx = p->d.gidx != GIDX_NONE;
    if (want_gidx != (w->g_idx != NULL)) {
        snprintf(why, len, "g_idx %s", w->g_idx ? "unexpected" : "missing");
        return 0;
    }
    if (want_gidx && memcmp(w->g_idx, p->g_idx, (size_t)p->K * sizeof *p->g_idx) != 0) {
        snprintf(why, len, "g_idx differs");
        return 0;
    }
    return 1;
}

static uint32_t word_at(const struct tensor *t, int64_t idx) {
    uint32_t w;
    memcpy(&w, (const unsigned char *)t->data + idx * 4, sizeof w);
    return w;
}

static const char *const FMT_LABEL[FMT_COUNT] = {"gptq-v1", "gptq-v2", "ct", "awq"};

/* Packs and unpacks p; 1 when the round trip reproduces it. */
static int round_trip_ok(const struct problem *p, char *why, size_t len) {
    struct tensor_set ts = {0};
    struct logical_weights w;
    char err[256] = "";
    int ok = 0;
    if (format_pack(p, &ts, err, sizeof err) != 0) {
        snprintf(why, len, "pack: %s", err);
    } else if (format_unpack(p->d.fmt, p->d.zp, &ts, p->K, p->N, p->G, &w, err, sizeof err) != 0) {
        snprintf(why, len, "unpack: %s", err);
    } else {
        ok = weights_match(p, &w, why, len);
        logical_weights_free(&w);
    }
    tensor_set_free(&ts);
    return ok;
}

/* ---- round trips -------------------------------------------------------- */

static const struct shape SHAPES[] = {
    {32, 8, 1}, {64, 24, 2}, {256, 40, 4}, {256, 40, 8}, {64, 16, 2}, {32, 40, 1}, {256, 8, 2},
};

static int round_trip_one(fmt_t f, zp_t zp, gidx_t gi, struct shape sh, enum zmode zm,
                          uint64_t seed) {
    struct problem p;
    dtype_t dt = seed % 2 ? DT_BF16 : DT_F16;
    if (make_problem(&p, f, zp, gi, dt, sh, zm, seed) != 0) {
        CU_FAIL("out of memory building a problem");
        return 0;
    }
    char why[320] = "";
    int ok = round_trip_ok(&p, why, sizeof why);
    if (!ok)
        fprintf(stderr, "\n  round trip %s zp=%d gidx=%d K=%lld N=%lld G=%lld zmode=%d: %s\n",
                FMT_LABEL[f], (int)zp, (int)gi, (long long)sh.K, (long long)sh.N, (long long)sh.G,
                (int)zm, why);
    free_problem(&p);
    return ok;
}

static void test_round_trip_all(void) {
    int cases = 0, bad = 0;
    uint64_t seed = 1;
    for (int f = 0; f < FMT_COUNT; f++) {
        for (int zp = ZP_SYM; zp <= ZP_ASYM; zp++) {
            int ngidx = f == FMT_AWQ ? 1 : 3;
            int nzm = zp == ZP_SYM ? 1 : ZM_COUNT;
            for (int gi = 0; gi < ngidx; gi++)
                for (size_t s = 0; s < sizeof SHAPES / sizeof SHAPES[0]; s++)
                    for (int zm = 0; zm < nzm; zm++) {
                        cases++;
                        bad += !round_trip_one((fmt_t)f, (zp_t)zp, (gidx_t)gi, SHAPES[s],
                                               (enum zmode)zm, seed++);
                    }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(cases > 200);
}

/* v1 with a zero of 0 in every other nibble: stored 0xF next to 0xE or 0x0.
 * Undoing the offset with a whole-word +0x11111111 would carry; the data is
 * checked to really trigger that, then the round trip must still be exact. */
static void check_v1_alternating(enum zmode zm, uint32_t want_word) {
    struct problem p;
    struct shape sh = {64, 24, 2};
    if (make_problem(&p, FMT_GPTQ_V1, ZP_ASYM, GIDX_NONE, DT_F16, sh, zm, 99) != 0) {
        CU_FAIL("out of memory");
        return;
    }
    struct tensor_set ts = {0};
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(format_pack(&p, &ts, err, sizeof err), 0);
    const struct tensor *qz = tensor_set_get(&ts, "qzeros");
    CU_ASSERT_PTR_NOT_NULL_FATAL(qz);
    for (int64_t i = 0; i < p.G * (p.N / 8); i++)
        CU_ASSERT_EQUAL(word_at(qz, i), want_word);

    /* The hazard is real for this data: a whole-word add corrupts nibbles. */
    uint32_t naive = want_word + 0x11111111u;
    int corrupt = 0;
    for (int j = 0; j < 8; j++)
        corrupt |= ((naive >> (4 * j)) & 0xF) != p.z[j];
    CU_ASSERT(corrupt);

    struct logical_weights w;
    CU_ASSERT_EQUAL_FATAL(format_unpack(FMT_GPTQ_V1, ZP_ASYM, &ts, 64, 24, 2, &w, err, sizeof err),
                          0);
    char why[256] = "";
    CU_ASSERT(weights_match(&p, &w, why, sizeof why));
    for (int64_t n = 0; n < p.N; n += 2)
        CU_ASSERT_EQUAL(w.z[n], 0);
    logical_weights_free(&w);
    tensor_set_free(&ts);
    free_problem(&p);
}

static void test_v1_carry_hazard(void) {
    check_v1_alternating(ZM_ALT0_15, 0xEFEFEFEFu);
    check_v1_alternating(ZM_ALT0_1, 0x0F0F0F0Fu);
}

/* ---- known answers ------------------------------------------------------ */

/* A zeroed asymmetric problem (Q = 0, Z = 0, S = 0) to write known values into. */
static int blank_problem(struct problem *p, fmt_t f, zp_t zp, struct shape sh) {
    if (make_problem(p, f, zp, GIDX_NONE, DT_F16, sh, ZM_ALL0, 5) != 0) return -1;
    memset(p->q, 0, (size_t)(p->K * p->N));
    if (zp == ZP_ASYM) memset(p->z, 0, (size_t)(p->G * p->N));
    memset(p->s, 0, (size_t)(p->G * p->N) * sizeof *p->s);
    return 0;
}

static const struct tensor *pack_get(const struct problem *p, struct tensor_set *ts,
                                     const char *name) {
    char err[256] = "";
    if (format_pack(p, ts, err, sizeof err) != 0) {
        fprintf(stderr, "\n  pack failed: %s\n", err);
        return NULL;
    }
    return tensor_set_get(ts, name);
}

/* Rows 0..7 of column 0 hold Q = 1..8  -> word 0x87654321 at (j=0, n=0).
 * Rows 8..15 of column 1 hold 15..8   -> word 0x89ABCDEF at (j=1, n=1),
 * which sits at index j*N + n (gptq, [K/8][N]) or n*(K/8) + j (ct, [N][K/8]). */
static void check_weight_along_k(fmt_t f) {
    struct problem p;
    struct shape sh = {32, 8, 1};
    CU_ASSERT_EQUAL_FATAL(blank_problem(&p, f, ZP_ASYM, sh), 0);
    for (int i = 0; i < 8; i++) {
        p.q[i * p.N + 0] = (uint8_t)(i + 1);
        p.q[(8 + i) * p.N + 1] = (uint8_t)(15 - i);
    }
    struct tensor_set ts = {0};
    const struct tensor *t = pack_get(&p, &ts, format_weight_name(f));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(word_at(t, 0), 0x87654321u);
    int64_t idx = f == FMT_CT ? 1 * (p.K / 8) + 1 : 1 * p.N + 1;
    CU_ASSERT_EQUAL(word_at(t, idx), 0x89ABCDEFu);
    CU_ASSERT_EQUAL(word_at(t, 1), 0u); /* (0,1) for gptq, (0,1) for ct: untouched */
    tensor_set_free(&ts);
    free_problem(&p);
}

static void test_kat_weight_gptq_ct(void) {
    check_weight_along_k(FMT_GPTQ_V1);
    check_weight_along_k(FMT_GPTQ_V2);
    check_weight_along_k(FMT_CT);
}

/* AWQ: row 0, columns 0..7 hold Q = 1..8 (column c holds c+1).
 * Nibble i holds column AWQ_ORDER[i] = {0,2,4,6,1,3,5,7}[i], i.e. values
 * {1,3,5,7,2,4,6,8} from nibble 0 (low) to nibble 7 (high). Written high
 * nibble first: 8,6,4,2,7,5,3,1 -> 0x86427531. */
static void test_kat_weight_awq(void) {
    struct problem p;
    struct shape sh = {32, 16, 1};
    CU_ASSERT_EQUAL_FATAL(blank_problem(&p, FMT_AWQ, ZP_ASYM, sh), 0);
    for (int c = 0; c < 8; c++)
        p.q[c] = (uint8_t)(c + 1);
    p.q[1 * p.N + 8] = 9; /* row 1, column 8 -> word (1,1) nibble 0 */
    struct tensor_set ts = {0};
    const struct tensor *t = pack_get(&p, &ts, "qweight");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(word_at(t, 0), 0x86427531u);
    CU_ASSERT_EQUAL(word_at(t, 1 * 2 + 1), 0x00000009u);
    CU_ASSERT_EQUAL(word_at(t, 1), 0u);
    tensor_set_free(&ts);
    free_problem(&p);
}

/* K=64, N=16, G=2. Group 0: columns 0..7 hold Z = 1..8, columns 8..15 hold 3;
 * group 1: Z = 0 everywhere. */
static const struct tensor *pack_zero_kat(struct problem *p, fmt_t f, struct tensor_set *ts) {
    struct shape sh = {64, 16, 2};
    if (blank_problem(p, f, ZP_ASYM, sh) != 0) return NULL;
    for (int c = 0; c < 8; c++)
        p->z[c] = (uint8_t)(c + 1);
    for (int c = 0; c < 8; c++)
        p->z[0 * p->N + 8 + c] = 3;
    return pack_get(p, ts, format_zero_name(f));
}

/* gptq qzeros [G][N/8], index g*(N/8) + c: (g0,c0) = w00, (g0,c1) = w01,
 * (g1,c0) = (g1,c1) = w1x. */
static void check_zero_kat(fmt_t f, uint32_t w00, uint32_t w01, uint32_t w1x) {
    struct problem p;
    struct tensor_set ts = {0};
    const struct tensor *t = pack_zero_kat(&p, f, &ts);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(word_at(t, 0), w00);
    CU_ASSERT_EQUAL(word_at(t, 1), w01);
    CU_ASSERT_EQUAL(word_at(t, 2), w1x);
    CU_ASSERT_EQUAL(word_at(t, 3), w1x);
    struct logical_weights w;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(format_unpack(f, ZP_ASYM, &ts, 64, 16, 2, &w, err, sizeof err), 0);
    for (int c = 0; c < 16; c++)
        CU_ASSERT_EQUAL(w.z[c], p.z[c]);
    for (int c = 0; c < 16; c++)
        CU_ASSERT_EQUAL(w.z[16 + c], 0); /* group 1: all zero */
    logical_weights_free(&w);
    tensor_set_free(&ts);
    free_problem(&p);
}

static void test_kat_zeros(void) {
    /* v1: stored = Z-1 per nibble -> 0..7 = 0x76543210; Z = 3 -> 0x22222222; Z = 0 -> 0xF. */
    check_zero_kat(FMT_GPTQ_V1, 0x76543210u, 0x22222222u, 0xFFFFFFFFu);
    /* v2: stored = Z. */
    check_zero_kat(FMT_GPTQ_V2, 0x87654321u, 0x33333333u, 0x00000000u);
    /* ct [N/8][G]: index c*G + g. Word (c0,g0) = 0x87654321, (c0,g1) = 0,
     * (c1,g0) = 0x33333333 at index 2, (c1,g1) = 0 at index 3. */
    struct problem p;
    struct tensor_set ts = {0};
    const struct tensor *t = pack_zero_kat(&p, FMT_CT, &ts);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->ndim, 2);
    CU_ASSERT_EQUAL(t->shape[0], 2);
    CU_ASSERT_EQUAL(t->shape[1], 2);
    CU_ASSERT_EQUAL(word_at(t, 0), 0x87654321u);
    CU_ASSERT_EQUAL(word_at(t, 1), 0u);
    CU_ASSERT_EQUAL(word_at(t, 2), 0x33333333u);
    CU_ASSERT_EQUAL(word_at(t, 3), 0u);
    tensor_set_free(&ts);
    free_problem(&p);
    /* awq: same interleave as qweight, Z = 1..8 -> 0x86427531. */
    t = pack_zero_kat(&p, FMT_AWQ, &ts);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(word_at(t, 0), 0x86427531u);
    CU_ASSERT_EQUAL(word_at(t, 1), 0x33333333u);
    tensor_set_free(&ts);
    free_problem(&p);
}

/* v1: every Z = 0 stores 0xFFFFFFFF and unpacks to 0 (not a carry-corrupted value). */
static void test_kat_v1_all_zero(void) {
    struct problem p;
    struct shape sh = {32, 16, 1};
    CU_ASSERT_EQUAL_FATAL(make_problem(&p, FMT_GPTQ_V1, ZP_ASYM, GIDX_NONE, DT_F16, sh, ZM_ALL0, 3),
                          0);
    struct tensor_set ts = {0};
    const struct tensor *t = pack_get(&p, &ts, "qzeros");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(word_at(t, 0), 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(word_at(t, 1), 0xFFFFFFFFu);
    struct logical_weights w;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(format_unpack(FMT_GPTQ_V1, ZP_ASYM, &ts, 32, 16, 1, &w, err, sizeof err),
                          0);
    for (int n = 0; n < 16; n++)
        CU_ASSERT_EQUAL(w.z[n], 0);
    logical_weights_free(&w);
    tensor_set_free(&ts);
    free_problem(&p);
}

static void check_sym_word(fmt_t f, uint32_t want) {
    struct problem p;
    struct shape sh = {64, 16, 2};
    CU_ASSERT_EQUAL_FATAL(make_problem(&p, f, ZP_SYM, GIDX_NONE, DT_F16, sh, ZM_RANDOM, 4), 0);
    struct tensor_set ts = {0};
    const struct tensor *t = pack_get(&p, &ts, "qzeros");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(word_at(t, i), want);
    struct logical_weights w;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(format_unpack(f, ZP_SYM, &ts, 64, 16, 2, &w, err, sizeof err), 0);
    for (int i = 0; i < 32; i++)
        CU_ASSERT_EQUAL(w.z[i], 8);
    logical_weights_free(&w);
    tensor_set_free(&ts);
    free_problem(&p);
}

static void test_kat_sym_zeros(void) {
    check_sym_word(FMT_GPTQ_V1, 0x77777777u);
    check_sym_word(FMT_GPTQ_V2, 0x88888888u);
    check_sym_word(FMT_AWQ, 0x88888888u);

    /* ct symmetric: no weight_zero_point, unpack gives Z = 8. */
    struct problem p;
    struct shape sh = {64, 16, 2};
    CU_ASSERT_EQUAL_FATAL(make_problem(&p, FMT_CT, ZP_SYM, GIDX_NONE, DT_F16, sh, ZM_RANDOM, 4), 0);
    struct tensor_set ts = {0};
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(format_pack(&p, &ts, err, sizeof err), 0);
    CU_ASSERT_PTR_NULL(tensor_set_get(&ts, "weight_zero_point"));
    CU_ASSERT_EQUAL(ts.n, 2);
    struct logical_weights w;
    CU_ASSERT_EQUAL_FATAL(format_unpack(FMT_CT, ZP_SYM, &ts, 64, 16, 2, &w, err, sizeof err), 0);
    for (int i = 0; i < 32; i++)
        CU_ASSERT_EQUAL(w.z[i], 8);
    logical_weights_free(&w);
    tensor_set_free(&ts);
    free_problem(&p);
}

/* ct scales are [N][G]: weight_scale[n][g] = S[g][n]. */
static void test_kat_ct_scale_transpose(void) {
    struct problem p;
    struct shape sh = {64, 16, 2};
    CU_ASSERT_EQUAL_FATAL(make_problem(&p, FMT_CT, ZP_ASYM, GIDX_NONE, DT_BF16, sh, ZM_RANDOM, 8),
                          0);
    struct tensor_set ts = {0};
    const struct tensor *t = pack_get(&p, &ts, "weight_scale");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->dtype, TD_BF16);
    const uint16_t *s = t->data;
    for (int g = 0; g < 2; g++)
        for (int n = 0; n < 16; n++)
            CU_ASSERT_EQUAL(s[n * 2 + g], p.s[g * 16 + n]);
    tensor_set_free(&ts);
    free_problem(&p);
}

/* ---- shapes ------------------------------------------------------------- */

struct want_tensor {
    const char *name;
    tdtype_t dt;
    int ndim;
    int64_t d0, d1;
};

static void check_shapes(fmt_t f, zp_t zp, gidx_t gi, struct shape sh,
                         const struct want_tensor *want, int nwant) {
    struct problem p;
    CU_ASSERT_EQUAL_FATAL(make_problem(&p, f, zp, gi, DT_F16, sh, ZM_RANDOM, 11), 0);
    struct tensor_set ts = {0};
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(format_pack(&p, &ts, err, sizeof err), 0);
    CU_ASSERT_EQUAL(ts.n, nwant);
    for (int i = 0; i < nwant; i++) {
        const struct tensor *t = tensor_set_get(&ts, want[i].name);
        CU_ASSERT_PTR_NOT_NULL(t);
        if (!t) {
            fprintf(stderr, "\n  %s: tensor %s missing\n", FMT_LABEL[f], want[i].name);
            continue;
        }
        CU_ASSERT_EQUAL(t->dtype, want[i].dt);
        CU_ASSERT_EQUAL(t->ndim, want[i].ndim);
        CU_ASSERT_EQUAL(t->shape[0], want[i].d0);
        if (want[i].ndim == 2) CU_ASSERT_EQUAL(t->shape[1], want[i].d1);
    }
    tensor_set_free(&ts);
    free_problem(&p);
}

static void test_shapes(void) {
    const struct shape sh = {64, 16, 2};
    const struct want_tensor gptq[] = {{"qweight", TD_I32, 2, 8, 16},
                                       {"scales", TD_F16, 2, 2, 16},
                                       {"qzeros", TD_I32, 2, 2, 2},
                                       {"g_idx", TD_I32, 1, 64, 0}};
    check_shapes(FMT_GPTQ_V1, ZP_ASYM, GIDX_ACT, sh, gptq, 4);
    check_shapes(FMT_GPTQ_V2, ZP_SYM, GIDX_TRIVIAL, sh, gptq, 4);
    check_shapes(FMT_GPTQ_V1, ZP_SYM, GIDX_NONE, sh, gptq, 3);
    const struct want_tensor ct[] = {{"weight_packed", TD_I32, 2, 16, 8},
                                     {"weight_scale", TD_F16, 2, 16, 2},
                                     {"weight_zero_point", TD_I32, 2, 2, 2},
                                     {"weight_g_idx", TD_I32, 1, 64, 0}};
    check_shapes(FMT_CT, ZP_ASYM, GIDX_ACT, sh, ct, 4);
    const struct want_tensor ct_sym[] = {ct[0], ct[1], ct[3]};
    check_shapes(FMT_CT, ZP_SYM, GIDX_TRIVIAL, sh, ct_sym, 3);
    const struct want_tensor awq[] = {
        {"qweight", TD_I32, 2, 64, 2}, {"scales", TD_F16, 2, 2, 16}, {"qzeros", TD_I32, 2, 2, 2}};
    check_shapes(FMT_AWQ, ZP_ASYM, GIDX_NONE, sh, awq, 3);
    check_shapes(FMT_AWQ, ZP_SYM, GIDX_NONE, sh, awq, 3);

    /* N/8 != G, so a transposed zero tensor would show: ct [N/8][G] vs gptq [G][N/8]. */
    const struct shape sh4 = {128, 16, 4};
    const struct want_tensor ct4[] = {{"weight_packed", TD_I32, 2, 16, 16},
                                      {"weight_scale", TD_F16, 2, 16, 4},
                                      {"weight_zero_point", TD_I32, 2, 2, 4}};
    check_shapes(FMT_CT, ZP_ASYM, GIDX_NONE, sh4, ct4, 3);
    const struct want_tensor gptq4[] = {
        {"qweight", TD_I32, 2, 16, 16}, {"scales", TD_F16, 2, 4, 16}, {"qzeros", TD_I32, 2, 4, 2}};
    check_shapes(FMT_GPTQ_V2, ZP_ASYM, GIDX_NONE, sh4, gptq4, 3);
}

/* ---- rejections --------------------------------------------------------- */

/* Packs a K=64, N=16, G=2 asymmetric problem (act-order where allowed). */
static int pack_reject_case(struct problem *p, fmt_t f, struct tensor_set *ts) {
    struct shape sh = {64, 16, 2};
    gidx_t gi = f == FMT_AWQ ? GIDX_NONE : GIDX_ACT;
    char err[256] = "";
    if (make_problem(p, f, ZP_ASYM, gi, DT_F16, sh, ZM_RANDOM, 21) != 0) return -1;
    memset(ts, 0, sizeof *ts);
    return format_pack(p, ts, err, sizeof err);
}

/* unpack must fail and name the tensor (and each extra string) in its message. */
static void expect_reject(fmt_t f, zp_t zp, const struct tensor_set *ts, const char *name,
                          const char *extra) {
    struct logical_weights w;
    char err[256] = "";
    int rc = format_unpack(f, zp, ts, 64, 16, 2, &w, err, sizeof err);
    CU_ASSERT_EQUAL(rc, -1);
    if (rc == 0) logical_weights_free(&w);
    CU_ASSERT_PTR_NULL(w.q);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, name));
    if (extra) CU_ASSERT_PTR_NOT_NULL(strstr(err, extra));
    if (!strstr(err, name) || (extra && !strstr(err, extra)))
        fprintf(stderr, "\n  %s: message for '%s' lacks it: %s\n", FMT_LABEL[f], name, err);
}

static void test_reject_missing(void) {
    for (int f = 0; f < FMT_COUNT; f++) {
        const char *names[3] = {format_weight_name((fmt_t)f), format_scale_name((fmt_t)f),
                                format_zero_name((fmt_t)f)};
        for (int i = 0; i < 3; i++) {
            struct problem p;
            struct tensor_set ts;
            CU_ASSERT_EQUAL_FATAL(pack_reject_case(&p, (fmt_t)f, &ts), 0);
            struct tensor *t = tensor_set_get(&ts, names[i]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(t);
            strcpy(t->name, "renamed");
            expect_reject((fmt_t)f, ZP_ASYM, &ts, names[i], "missing");
            tensor_set_free(&ts);
            free_problem(&p);
        }
    }
}

/* A transposed weight (same element count) and a wrong scale shape. */
static void test_reject_shape(void) {
    for (int f = 0; f < FMT_COUNT; f++) {
        struct problem p;
        struct tensor_set ts;
        CU_ASSERT_EQUAL_FATAL(pack_reject_case(&p, (fmt_t)f, &ts), 0);
        struct tensor *t = tensor_set_get(&ts, format_weight_name((fmt_t)f));
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        int64_t d0 = t->shape[0];
        t->shape[0] = t->shape[1];
        t->shape[1] = d0;
        char found[64];
        snprintf(found, sizeof found, "[%lld][%lld]", (long long)t->shape[0],
                 (long long)t->shape[1]);
        expect_reject((fmt_t)f, ZP_ASYM, &ts, t->name, found);
        t->shape[1] = t->shape[0];
        t->shape[0] = d0;

        t = tensor_set_get(&ts, format_scale_name((fmt_t)f));
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        t->shape[1] = 1; /* fewer elements: never read past */
        expect_reject((fmt_t)f, ZP_ASYM, &ts, t->name, "expected");
        tensor_set_free(&ts);
        free_problem(&p);
    }
    /* ct zero point stored [G][N/8] instead of [N/8][G] (N/8 != G here). */
    struct problem p;
    struct shape sh = {128, 16, 4};
    CU_ASSERT_EQUAL_FATAL(make_problem(&p, FMT_CT, ZP_ASYM, GIDX_NONE, DT_F16, sh, ZM_RANDOM, 2),
                          0);
    struct tensor_set ts = {0};
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(format_pack(&p, &ts, err, sizeof err), 0);
    struct tensor *t = tensor_set_get(&ts, "weight_zero_point");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    t->shape[0] = 4;
    t->shape[1] = 2;
    struct logical_weights w;
    CU_ASSERT_EQUAL(format_unpack(FMT_CT, ZP_ASYM, &ts, 128, 16, 4, &w, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "weight_zero_point"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "[N/8][G]"));
    tensor_set_free(&ts);
    free_problem(&p);
}

static void test_reject_dtype(void) {
    for (int f = 0; f < FMT_COUNT; f++) {
        struct problem p;
        struct tensor_set ts;
        CU_ASSERT_EQUAL_FATAL(pack_reject_case(&p, (fmt_t)f, &ts), 0);
        struct tensor *t = tensor_set_get(&ts, format_weight_name((fmt_t)f));
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        t->dtype = TD_U32;
        expect_reject((fmt_t)f, ZP_ASYM, &ts, t->name, "U32");
        t->dtype = TD_I32;

        t = tensor_set_get(&ts, format_scale_name((fmt_t)f));
        t->dtype = TD_F32;
        expect_reject((fmt_t)f, ZP_ASYM, &ts, t->name, "F32");
        t->dtype = TD_F16;

        t = tensor_set_get(&ts, format_zero_name((fmt_t)f));
        t->dtype = TD_F16;
        expect_reject((fmt_t)f, ZP_ASYM, &ts, t->name, "F16");
        t->dtype = TD_I32;

        const char *gname = format_gidx_name((fmt_t)f);
        if (gname) {
            t = tensor_set_get(&ts, gname);
            CU_ASSERT_PTR_NOT_NULL_FATAL(t);
            t->dtype = TD_U32;
            expect_reject((fmt_t)f, ZP_ASYM, &ts, gname, "U32");
            t->dtype = TD_I32;
        }
        tensor_set_free(&ts);
        free_problem(&p);
    }
}

/* Symmetric checkpoints whose stored zeros are not the symmetric ones, a
 * symmetric ct checkpoint with zero points, a g_idx out of range. */
static void test_reject_inconsistent(void) {
    struct problem p;
    struct tensor_set ts;
    CU_ASSERT_EQUAL_FATAL(pack_reject_case(&p, FMT_GPTQ_V1, &ts), 0);
    expect_reject(FMT_GPTQ_V1, ZP_SYM, &ts, "qzeros", "0x77777777");
    struct tensor *g = tensor_set_get(&ts, "g_idx");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    ((int32_t *)g->data)[5] = 2; /* G = 2 */
    expect_reject(FMT_GPTQ_V1, ZP_ASYM, &ts, "g_idx", "[5]");
    tensor_set_free(&ts);
    free_problem(&p);

    CU_ASSERT_EQUAL_FATAL(pack_reject_case(&p, FMT_CT, &ts), 0);
    expect_reject(FMT_CT, ZP_SYM, &ts, "weight_zero_point", "sym");
    tensor_set_free(&ts);
    free_problem(&p);
}

/* g_idx is optional: without it unpack succeeds and returns NULL. */
static void test_gidx_absent(void) {
    struct problem p;
    struct tensor_set ts;
    CU_ASSERT_EQUAL_FATAL(pack_reject_case(&p, FMT_CT, &ts), 0);
    struct tensor *g = tensor_set_get(&ts, "weight_g_idx");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    strcpy(g->name, "other");
    struct logical_weights w;
    char err[256] = "";
    CU_ASSERT_EQUAL(format_unpack(FMT_CT, ZP_ASYM, &ts, 64, 16, 2, &w, err, sizeof err), 0);
    CU_ASSERT_PTR_NULL(w.g_idx);
    CU_ASSERT_PTR_NOT_NULL(w.q);
    logical_weights_free(&w);
    tensor_set_free(&ts);
    free_problem(&p);
}

/* pack refuses bad problems and leaves the output set as it was. */
static void test_pack_rejects(void) {
    struct problem p;
    struct shape sh = {32, 8, 1};
    struct tensor_set ts = {0};
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(
        make_problem(&p, FMT_GPTQ_V1, ZP_ASYM, GIDX_NONE, DT_F16, sh, ZM_RANDOM, 1), 0);
    p.q[3] = 16;
    CU_ASSERT_EQUAL(format_pack(&p, &ts, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Q[0][3]"));
    p.q[3] = 0;
    p.d.zp = ZP_SYM; /* Z is random, not 8 */
    CU_ASSERT_EQUAL(format_pack(&p, &ts, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "sym"));
    p.d.zp = ZP_ASYM;
    p.d.fmt = FMT_AWQ;
    p.d.gidx = GIDX_TRIVIAL;
    CU_ASSERT_EQUAL(format_pack(&p, &ts, err, sizeof err), -1);
    CU_ASSERT_EQUAL(ts.n, 0);

    /* A name clash part-way: the tensors added before it are rolled back. */
    p.d.fmt = FMT_GPTQ_V1;
    p.d.gidx = GIDX_NONE;
    CU_ASSERT_PTR_NOT_NULL_FATAL(tensor_set_add(&ts, "qzeros", TD_I32, 1, 4, 0));
    CU_ASSERT_EQUAL(format_pack(&p, &ts, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "qzeros"));
    CU_ASSERT_EQUAL(ts.n, 1);
    CU_ASSERT_PTR_NULL(tensor_set_get(&ts, "qweight"));
    tensor_set_free(&ts);
    free_problem(&p);
}

static void test_names(void) {
    CU_ASSERT_STRING_EQUAL(format_weight_name(FMT_GPTQ_V1), "qweight");
    CU_ASSERT_STRING_EQUAL(format_zero_name(FMT_GPTQ_V2), "qzeros");
    CU_ASSERT_STRING_EQUAL(format_scale_name(FMT_AWQ), "scales");
    CU_ASSERT_STRING_EQUAL(format_weight_name(FMT_CT), "weight_packed");
    CU_ASSERT_STRING_EQUAL(format_scale_name(FMT_CT), "weight_scale");
    CU_ASSERT_STRING_EQUAL(format_zero_name(FMT_CT), "weight_zero_point");
    CU_ASSERT_STRING_EQUAL(format_gidx_name(FMT_CT), "weight_g_idx");
    CU_ASSERT_STRING_EQUAL(format_gidx_name(FMT_GPTQ_V1), "g_idx");
    CU_ASSERT_PTR_NULL(format_gidx_name(FMT_AWQ));
    const int order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    for (int i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(AWQ_ORDER[i], order[i]);
}

/* ---- tensor sets -------------------------------------------------------- */

static void test_tensor_dtypes(void) {
    const struct {
        tdtype_t t;
        size_t size;
        const char *name;
    } want[] = {{TD_I32, 4, "I32"}, {TD_U32, 4, "U32"}, {TD_F16, 2, "F16"}, {TD_BF16, 2, "BF16"},
                {TD_F32, 4, "F32"}, {TD_F64, 8, "F64"}, {TD_U8, 1, "U8"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CU_ASSERT_EQUAL(tdtype_size(want[i].t), want[i].size);
        CU_ASSERT_STRING_EQUAL(tdtype_name(want[i].t), want[i].name);
    }
}

static void test_tensor_set(void) {
    struct tensor_set s = {0};
    CU_ASSERT_PTR_NULL(tensor_set_add(&s, "a", TD_F32, 2, 0, 3));
    CU_ASSERT_PTR_NULL(tensor_set_add(&s, "a", TD_F32, 2, 3, -1));
    CU_ASSERT_PTR_NULL(tensor_set_add(&s, "a", TD_F32, 1, -5, 0));
    CU_ASSERT_PTR_NULL(tensor_set_add(&s, "a", TD_F32, 3, 2, 2));
    CU_ASSERT_PTR_NULL(tensor_set_add(&s, "a", TD_F32, 2, INT64_MAX / 2, 4));
    CU_ASSERT_EQUAL(s.n, 0);

    struct tensor *t = tensor_set_add(&s, "w", TD_BF16, 2, 3, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(tensor_numel(t), 15);
    CU_ASSERT_EQUAL(tensor_nbytes(t), 30);
    const unsigned char *b = t->data;
    int nonzero = 0;
    for (int i = 0; i < 30; i++)
        nonzero |= b[i];
    CU_ASSERT_EQUAL(nonzero, 0);
    CU_ASSERT_PTR_NULL(tensor_set_add(&s, "w", TD_BF16, 1, 3, 0)); /* duplicate */
    CU_ASSERT_PTR_EQUAL(tensor_set_get(&s, "w"), t);
    CU_ASSERT_PTR_NULL(tensor_set_get(&s, "nope"));

    char name[16];
    for (int i = 1; i < TENSOR_SET_MAX; i++) {
        snprintf(name, sizeof name, "t%d", i);
        CU_ASSERT_PTR_NOT_NULL(tensor_set_add(&s, name, TD_U8, 1, 7, 0));
    }
    CU_ASSERT_EQUAL(s.n, TENSOR_SET_MAX);
    CU_ASSERT_PTR_NULL(tensor_set_add(&s, "full", TD_U8, 1, 1, 0));
    CU_ASSERT_EQUAL(tensor_set_get(&s, "t3")->shape[0], 7);
    tensor_set_free(&s);
    CU_ASSERT_EQUAL(s.n, 0);
    CU_ASSERT_PTR_NULL(tensor_set_get(&s, "w"));
}

int register_formats_suite(void) {
    GH_ADD_SUITE(s, "formats");
    GH_ADD_TEST(s, test_names);
    GH_ADD_TEST(s, test_tensor_dtypes);
    GH_ADD_TEST(s, test_tensor_set);
    GH_ADD_TEST(s, test_round_trip_all);
    GH_ADD_TEST(s, test_v1_carry_hazard);
    GH_ADD_TEST(s, test_kat_weight_gptq_ct);
    GH_ADD_TEST(s, test_kat_weight_awq);
    GH_ADD_TEST(s, test_kat_zeros);
    GH_ADD_TEST(s, test_kat_v1_all_zero);
    GH_ADD_TEST(s, test_kat_sym_zeros);
    GH_ADD_TEST(s, test_kat_ct_scale_transpose);
    GH_ADD_TEST(s, test_shapes);
    GH_ADD_TEST(s, test_reject_missing);
    GH_ADD_TEST(s, test_reject_shape);
    GH_ADD_TEST(s, test_reject_dtype);
    GH_ADD_TEST(s, test_reject_inconsistent);
    GH_ADD_TEST(s, test_gidx_absent);
    GH_ADD_TEST(s, test_pack_rejects);
    return 0;
}

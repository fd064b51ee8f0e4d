/* problem.c - the logical problem generator (docs/formats.md, §6).
 *
 * Exact mode (data=exact): X are small integers, scales are powers of two
 * 2^(E0 + r) with r in 0..spread, so every product x*(q-z)*s is an integer
 * multiple of the unit 2^E0. xmax and spread are chosen from K so that the
 * sum of |products| (plus |bias|) stays below 2^24 units: every partial sum in
 * any order is exact in a float accumulator, and the reference is exact.
 * E0 = -9 keeps |Y| <= 2^24 * 2^-9 = 32768 inside the f16 range. Typical sums
 * reach thousands of units (past f16's 2^11), so an f16 accumulator or a
 * truncating store is caught.
 *
 * Edge mode (data=edge): exact data at the edges of the number formats
 * (edgedata.h).
 *
 * Real mode (data=real): X ~ N(0,1); latent weights ~ N(0, 0.02^2) quantized
 * per (group, column) as GPTQ/RTN does: asymmetric s = (max-min)/15 over the
 * group's rows (range widened to include 0), z = round(-min/s); symmetric
 * s = 2*max|w|/15, z = 8; q = clamp(round(w/s) + z, 0, 15). Scales are
 * rounded to the activation dtype before quantizing, as a checkpoint stores
 * them. bias ~ N(0, 0.25). */
#include "cases/problem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/edgedata.h"
#include "cases/perm.h"
#include "cases/prng.h"

#define EXACT_E0 (-9)
#define EXACT_BIAS_MAX 64
#define REAL_W_SIGMA 0.02
#define REAL_BIAS_SIGMA 0.25

static int64_t sat_mul(int64_t a, int64_t b) {
    if (a <= 0 || b <= 0) return 0;
    if (a > INT64_MAX / b) return INT64_MAX;
    return a * b;
}

static int64_t sat_add(int64_t a, int64_t b) {
    return (a > INT64_MAX - b) ? INT64_MAX : a + b;
}

/* The peak of a case that fails and is diagnosed, the most a case needs
 * (measured with `run --profile`, parent and device worker together; a
 * passing case needs about half of it, or less in exact mode):
 *   per weight (K*N): 20 bytes - Q and the packed checkpoint, the adapter's
 *     ABI tensors, the dequantized weights (double) of the ABI-level
 *     reference and of each fault hypothesis the diagnosis tries, the weight
 *     error grid, and the worker's copy of b with the device's;
 *   per output (M*N): 40 bytes - y_ref, absdot and y_abi (double), the
 *     kernel's output, the diagnosis' hypothesis outputs and error maps;
 *   per activation (M*K): 6 bytes - x, the worker's copy, the device's;
 *   per row and column: scales, zeros, g_idx, perm, bias. */
int64_t problem_bytes(const struct case_desc *d) {
    /* a shard is cut from the whole layer, generated first */
    int64_t M = d->m, N = desc_layer_n(d), K = desc_layer_k(d);
    int64_t mk = sat_mul(M, K), kn = sat_mul(K, N), mn = sat_mul(M, N);
    int64_t total = sat_mul(kn, 20);
    total = sat_add(total, sat_mul(mn, 40));
    total = sat_add(total, sat_mul(mk, 6));
    total = sat_add(total, sat_mul(K, 16));
    total = sat_add(total, sat_mul(N, 16));
    return total;
}

/* Chooses exact-mode xmax and scale exponent spread for K. */
static void exact_params(int64_t K, int *xmax, int *spread) {
    const double limit = 16777216.0; /* 2^24 units */
    int s = 3, x = 16;
    for (;;) {
        double bound = (double)K * x * 15.0 * (double)(1 << s) + EXACT_BIAS_MAX;
        if (bound < limit) break;
        if (x > 1) {
            x /= 2;
        } else if (s > 0) {
            s--;
        } else {
            break; /* K > 2^24/15: not reachable under DESC_DIM_MAX */
        }
    }
    *xmax = x;
    *spread = s;
}

/* g_idx from the act-order permutation family (perm.h), else k / gs. */
static int gen_gidx(const struct case_desc *d, struct problem *p) {
    for (int64_t k = 0; k < p->K; k++)
        p->g_idx[k] = (int32_t)(k / p->gs);
    if (d->gidx != GIDX_ACT) return 0;
    int32_t *perm = malloc((size_t)p->K * sizeof *perm);
    if (!perm || perm_family(d, perm) != 0) {
        free(perm);
        return -1;
    }
    perm_to_gidx(perm, p->K, p->gs, p->g_idx);
    free(perm);
    return 0;
}

static void gen_exact(const struct case_desc *d, struct problem *p) {
    int xmax, spread;
    exact_params(p->K, &xmax, &spread);
    uint64_t seed = d->seed;
    for (int64_t i = 0; i < p->M * p->K; i++)
        p->x[i] = dt_from_double(d->dt, (double)prng_range(seed, RT_X, (uint64_t)i, -xmax, xmax));
    for (int64_t i = 0; i < p->K * p->N; i++)
        p->q[i] = (uint8_t)prng_range(seed, RT_Q, (uint64_t)i, 0, 15);
    for (int64_t i = 0; i < p->G * p->N; i++) {
        p->z[i] = d->zp == ZP_ASYM ? (uint8_t)prng_range(seed, RT_Z, (uint64_t)i, 0, 15) : 8;
        int r = (int)prng_range(seed, RT_S, (uint64_t)i, 0, spread);
        p->s[i] = dt_from_double(d->dt, ldexp(1.0, EXACT_E0 + r));
    }
    if (p->bias)
        for (int64_t n = 0; n < p->N; n++) {
            int64_t b = prng_range(seed, RT_BIAS, (uint64_t)n, -EXACT_BIAS_MAX, EXACT_BIAS_MAX);
            p->bias[n] = dt_from_double(d->dt, ldexp((double)b, EXACT_E0));
        }
}

static int clamp15(double v) {
    if (v < 0) return 0;
    if (v > 15) return 15;
    return (int)v;
}

/* Quantizes the latent weights of group g, column n (rows with g_idx == g). */
static void quantize_group(const struct problem *p, const double *w, const int64_t *rows,
                           int64_t nrows, int64_t g, int64_t n) {
    const struct case_desc *d = &p->d;
    double lo = 0, hi = 0; /* range includes 0, as GPTQ's quantizer does */
    for (int64_t i = 0; i < nrows; i++) {
        double v = w[rows[i] * p->N + n];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    double s;
    int z;
    if (d->zp == ZP_ASYM) {
        s = (hi - lo) / 15.0;
        if (s <= 0) s = 1.0;
        s = dt_to_double(d->dt, dt_from_double(d->dt, s));
        z = clamp15(nearbyint(-lo / s));
    } else {
        double amax = fmax(-lo, hi);
        s = 2.0 * amax / 15.0;
        if (s <= 0) s = 1.0;
        s = dt_to_double(d->dt, dt_from_double(d->dt, s));
        z = 8;
    }
    p->s[g * p->N + n] = dt_from_double(d->dt, s);
    p->z[g * p->N + n] = (uint8_t)z;
    for (int64_t i = 0; i < nrows; i++) {
        int64_t k = rows[i];
        p->q[k * p->N + n] = (uint8_t)clamp15(nearbyint(w[k * p->N + n] / s) + z);
    }
}

static int gen_real(const struct case_desc *d, struct problem *p, char *err, size_t errlen) {
    uint64_t seed = d->seed;
    for (int64_t i = 0; i < p->M * p->K; i++)
        p->x[i] = dt_from_double(d->dt, prng_normal(seed, RT_XREAL, (uint64_t)i));
    double *w = malloc((size_t)(p->K * p->N) * sizeof *w);
    int64_t *rows = malloc((size_t)p->K * sizeof *rows);
    int64_t *start = calloc((size_t)p->G + 1, sizeof *start);
    if (!w || !rows || !start) {
        free(w);
        free(rows);
        free(start);
        snprintf(err, errlen, "out of memory generating real-mode weights (K=%lld N=%lld)",
                 (long long)p->K, (long long)p->N);
        return -1;
    }
    for (int64_t i = 0; i < p->K * p->N; i++)
        w[i] = REAL_W_SIGMA * prng_normal(seed, RT_WREAL, (uint64_t)i);
    /* Rows of each group, in row order (counting sort by g_idx). */
    for (int64_t k = 0; k < p->K; k++)
        start[p->g_idx[k] + 1]++;
    for (int64_t g = 0; g < p->G; g++)
        start[g + 1] += start[g];
    int64_t *fill = calloc((size_t)p->G, sizeof *fill);
    if (!fill) {
        free(w);
        free(rows);
        free(start);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int64_t k = 0; k < p->K; k++) {
        int64_t g = p->g_idx[k];
        rows[start[g] + fill[g]++] = k;
    }
    for (int64_t g = 0; g < p->G; g++)
        for (int64_t n = 0; n < p->N; n++)
            quantize_group(p, w, rows + start[g], start[g + 1] - start[g], g, n);
    if (p->bias)
        for (int64_t n = 0; n < p->N; n++)
            p->bias[n] =
                dt_from_double(d->dt, REAL_BIAS_SIGMA * prng_normal(seed, RT_BIAS, (uint64_t)n));
    free(fill);
    free(w);
    free(rows);
    free(start);
    return 0;
}

void problem_shape(const struct case_desc *d, struct problem *p) {
    memset(p, 0, sizeof *p);
    p->d = *d;
    p->M = d->m;
    p->N = d->n;
    p->K = d->k;
    p->gs = desc_group_size(d);
    p->G = desc_groups(d);
}

static int problem_alloc(const struct case_desc *d, struct problem *p, char *err, size_t errlen) {
    p->x = malloc((size_t)(p->M * p->K) * sizeof *p->x);
    p->q = malloc((size_t)(p->K * p->N));
    p->z = malloc((size_t)(p->G * p->N));
    p->s = malloc((size_t)(p->G * p->N) * sizeof *p->s);
    p->g_idx = malloc((size_t)p->K * sizeof *p->g_idx);
    p->bias = d->bias ? malloc((size_t)p->N * sizeof *p->bias) : NULL;
    if (!p->x || !p->q || !p->z || !p->s || !p->g_idx || (d->bias && !p->bias)) {
        problem_free(p);
        snprintf(err, errlen, "out of memory for the problem (m=%lld n=%lld k=%lld)",
                 (long long)d->m, (long long)d->n, (long long)d->k);
        return -1;
    }
    return 0;
}

/* The whole layer a shard descriptor is cut from: tp none, k or n times W. */
static struct case_desc layer_desc(const struct case_desc *d) {
    struct case_desc l = *d;
    l.k = desc_layer_k(d);
    l.n = desc_layer_n(d);
    l.tp = TP_NONE;
    l.tp_rank = 0;
    l.tp_world = 1;
    return l;
}

int problem_tp_slice(const struct problem *L, const struct case_desc *d, struct problem *p,
                     char *err, size_t errlen) {
    problem_shape(d, p);
    if (problem_alloc(d, p, err, errlen) != 0) return -1;
    const int64_t r = d->tp_rank, K = p->K, N = p->N, G = p->G;
    const int row = d->tp == TP_ROW;
    const int64_t k0 = row ? r * K : 0, n0 = row ? 0 : r * N;
    /* the shard's scales: a row shard without act-order takes its own groups
     * (g0 = the first); an act-order or g=-1 row shard and a column shard keep
     * every group of the layer */
    const int64_t g0 = (row && G != L->G) ? k0 / p->gs : 0;
    for (int64_t m = 0; m < p->M; m++)
        memcpy(p->x + m * K, L->x + m * L->K + k0, (size_t)K * sizeof *p->x);
    for (int64_t k = 0; k < K; k++) {
        memcpy(p->q + k * N, L->q + (k0 + k) * L->N + n0, (size_t)N);
        p->g_idx[k] = L->g_idx[k0 + k] - (int32_t)g0;
    }
    for (int64_t g = 0; g < G; g++) {
        memcpy(p->z + g * N, L->z + (g0 + g) * L->N + n0, (size_t)N);
        memcpy(p->s + g * N, L->s + (g0 + g) * L->N + n0, (size_t)N * sizeof *p->s);
    }
    if (p->bias) memcpy(p->bias, L->bias + n0, (size_t)N * sizeof *p->bias);
    for (int64_t k = 0; k < K; k++)
        if (p->g_idx[k] < 0 || p->g_idx[k] >= G) {
            snprintf(err, errlen, "tp=%s:%d/%d: row %lld of the shard has group %d outside 0..%lld",
                     tp_split_name(d->tp), d->tp_rank, d->tp_world, (long long)k, p->g_idx[k],
                     (long long)G - 1);
            problem_free(p);
            return -1;
        }
    return 0;
}

static int generate_layer(const struct case_desc *d, struct problem *p, char *err, size_t errlen);

int problem_generate(const struct case_desc *d, struct problem *p, char *err, size_t errlen) {
    if (d->tp == TP_NONE) return generate_layer(d, p, err, errlen);
    struct case_desc ld = layer_desc(d);
    struct problem layer;
    if (generate_layer(&ld, &layer, err, errlen) != 0) return -1;
    int rc = problem_tp_slice(&layer, d, p, err, errlen);
    problem_free(&layer);
    return rc;
}

static int generate_layer(const struct case_desc *d, struct problem *p, char *err, size_t errlen) {
    problem_shape(d, p);
    if (problem_alloc(d, p, err, errlen) != 0) return -1;
    if (gen_gidx(d, p) != 0) {
        problem_free(p);
        snprintf(err, errlen, "out of memory for the act-order permutation (k=%lld)",
                 (long long)d->k);
        return -1;
    }
    if (d->data == DATA_EXACT) {
        gen_exact(d, p);
        return 0;
    }
    if (d->data == DATA_EDGE) {
        int xmax, spread;
        exact_params(p->K, &xmax, &spread);
        edge_generate(p, xmax, spread);
        return 0;
    }
    if (gen_real(d, p, err, errlen) != 0) {
        problem_free(p);
        return -1;
    }
    return 0;
}

void problem_free(struct problem *p) {
    free(p->x);
    free(p->q);
    free(p->z);
    free(p->s);
    free(p->g_idx);
    free(p->bias);
    memset(p, 0, sizeof *p);
}

struct ref_input problem_ref_input(const struct problem *p, int threads) {
    struct ref_input ri = {.dt = p->d.dt,
                           .M = p->M,
                           .N = p->N,
                           .K = p->K,
                           .G = p->G,
                           .x = p->x,
                           .q = p->q,
                           .z = p->z,
                           .s = p->s,
                           .g_idx = p->g_idx,
                           .bias = p->bias,
                           .threads = threads};
    return ri;
}

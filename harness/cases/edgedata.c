/* edgedata.c - the edge-value data mode (see edgedata.h for the classes and
 * why every case keeps one right answer). */
#include "cases/edgedata.h"

#include <math.h>

#include "cases/prng.h"

#define EDGE_E0 (-9) /* ordinary columns: scales 2^(E0 + r), as data=exact */

/* The dtype's format: precision p (significant bits), smallest normal and
 * subnormal exponents, largest exponent. */
struct fmt {
    int p, emin, sub_min, emax;
};

static struct fmt fmt_of(dtype_t dt) {
    if (dt == DT_BF16) return (struct fmt){8, -126, -133, 127};
    return (struct fmt){11, -14, -24, 15};
}

enum edge_row edge_row_class(const struct case_desc *d, int64_t m) {
    return (enum edge_row)(((uint64_t)m + d->seed) % 4);
}

enum edge_col edge_col_class(const struct case_desc *d, int64_t n) {
    int c = (int)(((uint64_t)n + d->seed) % 8);
    return c < EDGE_COL_FINE ? EDGE_COL_ORDINARY : (enum edge_col)c;
}

int64_t edge_rows(const struct case_desc *d) {
    int64_t b = fmt_of(d->dt).p + 2;
    return b < d->k - 1 ? b : d->k - 1;
}

static uint16_t bits_of(dtype_t dt, double v) {
    return dt_from_double(dt, v);
}

/* Row m of X. */
static void gen_row(struct problem *p, int64_t m, int xmax) {
    const struct case_desc *d = &p->d;
    const struct fmt f = fmt_of(d->dt);
    const int64_t K = p->K, B = edge_rows(d);
    uint16_t *x = p->x + m * K;
    const uint64_t base = (uint64_t)m * (uint64_t)K;
    const double sign = prng_range(d->seed, RT_EDGE_ROW, (uint64_t)m, 0, 1) ? -1.0 : 1.0;
    for (int64_t k = 0; k < K; k++) {
        double v = 0;
        switch (edge_row_class(d, m)) {
        case EDGE_ROW_ORDINARY:
            v = (double)prng_range(d->seed, RT_X, base + (uint64_t)k, -xmax, xmax);
            break;
        case EDGE_ROW_LADDER:
            v = k < B ? sign * ldexp(1.0, (int)k - 1) : 0.0;
            break;
        case EDGE_ROW_SUBNORMAL:
            v = ldexp((double)prng_range(d->seed, RT_X, base + (uint64_t)k, -xmax, xmax),
                      f.sub_min);
            break;
        case EDGE_ROW_HUGE: {
            /* (12..15) * 2^(emax-3), up to 15/16 of 2^(emax+1): four significant
             * bits, so a product with a 4-bit weight is exact in the dtype.
             * bf16 shares a float's range: 2^-4 of that, so that x * (q - z)
             * (a kernel that sums x * (q - z) per group before the scale)
             * stays finite. */
            int64_t r = prng_range(d->seed, RT_X, base, 0, 3);
            int e = f.emax - 3 - (d->dt == DT_BF16 ? 4 : 0);
            v = k == B ? sign * ldexp((double)(15 - r), e) : 0.0;
            break;
        }
        }
        x[k] = bits_of(d->dt, v);
    }
}

/* Ordinary column n: dense weights as data=exact. */
static void gen_ordinary_col(struct problem *p, int64_t n, int spread) {
    const struct case_desc *d = &p->d;
    for (int64_t k = 0; k < p->K; k++)
        p->q[k * p->N + n] = (uint8_t)prng_range(d->seed, RT_Q, (uint64_t)(k * p->N + n), 0, 15);
    for (int64_t g = 0; g < p->G; g++) {
        uint64_t i = (uint64_t)(g * p->N + n);
        p->z[i] = d->zp == ZP_ASYM ? (uint8_t)prng_range(d->seed, RT_Z, i, 0, 15) : 8;
        int r = (int)prng_range(d->seed, RT_S, i, 0, spread);
        p->s[i] = bits_of(d->dt, ldexp(1.0, EDGE_E0 + r));
    }
    /* no bias: a bias on the ordinary grid next to a subnormal row's sums
     * would need more than a float's 24 bits (two roundings, not one) */
    if (p->bias) p->bias[n] = bits_of(d->dt, 0.0);
}

/* Uniform odd integer in [lo, hi] (lo odd). */
static int64_t odd_in(uint64_t seed, uint64_t i, int64_t lo, int64_t hi) {
    return lo + 2 * prng_range(seed, RT_EDGE_COL, i, 0, (hi - lo) / 2);
}

/* A designed column's target T, scale sig * 2^E (sig 1 but in the fine
 * class) and bias (value). */
struct design {
    int64_t t, sig;
    int e;
    double bias;
};

static struct design design_of(const struct problem *p, int64_t n, enum edge_col c) {
    const struct case_desc *d = &p->d;
    const struct fmt f = fmt_of(d->dt);
    const uint64_t i = 8 * (uint64_t)n; /* PRNG indices i .. i+7 belong to column n */
    const uint64_t seed = d->seed;
    /* E for tie and carry: a ladder row's output T/2 * 2^E from the
     * subnormal range (f16) or from 2^-16 (bf16: a subnormal activation times
     * the scale stays a multiple of 2^-149) up to below the largest binade */
    const int e_lo = d->dt == DT_BF16 ? -16 : f.sub_min, e_hi = f.emax - f.p - 2;
    struct design s = {0, 1, 0, 0.0};
    switch (c) {
    case EDGE_COL_FINE:
        /* a scale with all p significant bits (odd sig in 2^(p-1)..2^p - 1), so
         * that a kernel holding scales in a narrower type (f16 in bf16) is off
         * by about 2^-p relative on every output. E from -20 (f16: a normal
         * scale; bf16: -16, so that a subnormal activation times the scale
         * stays a multiple of 2^-149) to -9 (outputs below 2^15); T * sig stays
         * below 2^(B + p) <= 2^24 units: exact in a float in any order. */
        s.t = prng_range(seed, RT_EDGE_COL, i, 1, ((int64_t)1 << edge_rows(d)) - 1);
        s.sig = odd_in(seed, i + 1, (1 << (f.p - 1)) + 1, (1 << f.p) - 1);
        s.e = (int)prng_range(seed, RT_EDGE_COL, i + 2, d->dt == DT_BF16 ? -16 : -20, -9);
        break;
    case EDGE_COL_TIE:
        s.t = odd_in(seed, i, (1 << f.p) + 1, (1 << (f.p + 1)) - 1);
        s.e = (int)prng_range(seed, RT_EDGE_COL, i + 1, e_lo, e_hi);
        break;
    case EDGE_COL_CARRY: {
        static const int64_t off[3][2] = {{1, 1}, {2, 1}, {2, 2}}; /* 2^(p+a) - b */
        int v = (int)prng_range(seed, RT_EDGE_COL, i, 0, 2);
        s.t = ((int64_t)1 << (f.p + off[v][0])) - off[v][1];
        s.e = (int)prng_range(seed, RT_EDGE_COL, i + 1, e_lo, e_hi);
        break;
    }
    case EDGE_COL_SUBNORMAL: {
        s.e = f.sub_min; /* outputs T/2 units of the smallest subnormal */
        int v = (int)prng_range(seed, RT_EDGE_COL, i, 0, 3);
        if (v == 0)
            s.t = 0; /* exact zero */
        else if (v == 1)
            s.t = 2 * prng_range(seed, RT_EDGE_COL, i + 1, 1, (1 << (f.p - 1)) - 1); /* exact */
        else if (v == 2)
            s.t = odd_in(seed, i + 1, 1, (1 << f.p) - 3); /* subnormal tie */
        else
            s.t = (1 << f.p) - 1; /* largest subnormal + 1/2: rounds to the smallest normal */
        int64_t j = prng_range(seed, RT_EDGE_COL, i + 2, -(1 << (f.p - 3)), 1 << (f.p - 3));
        s.bias = ldexp((double)j, f.sub_min);
        break;
    }
    case EDGE_COL_BIG:
        /* outputs T/2 * 2^E up to the maximum (2^p - 1) * 2^(emax - p + 1) */
        s.e = f.emax - f.p + 2;
        if (p->bias) {
            s.t = prng_range(seed, RT_EDGE_COL, i, 1 << (f.p - 3), (1 << (f.p - 2)) - 1);
            s.bias = (prng_range(seed, RT_EDGE_COL, i + 1, 0, 1) ? -1.0 : 1.0) * ldexp(1.0, f.emax);
        } else if (prng_range(seed, RT_EDGE_COL, i + 1, 0, 1)) {
            s.t = (1 << f.p) - 1;
        } else {
            s.t = prng_range(seed, RT_EDGE_COL, i, 1 << (f.p - 1), (1 << f.p) - 1);
        }
        break;
    case EDGE_COL_ORDINARY:
        break;
    }
    int64_t B = edge_rows(d);
    if (B < 62) s.t &= ((int64_t)1 << B) - 1; /* short K: fewer designed rows */
    return s;
}

/* Designed column n: (q - z) = bit k of T on rows k < B, 0 elsewhere. */
static void gen_designed_col(struct problem *p, int64_t n, enum edge_col c) {
    const struct case_desc *d = &p->d;
    const struct design s = design_of(p, n, c);
    const int64_t B = edge_rows(d);
    for (int64_t g = 0; g < p->G; g++) {
        uint64_t i = (uint64_t)(g * p->N + n);
        p->z[i] = d->zp == ZP_ASYM ? (uint8_t)prng_range(d->seed, RT_Z, i, 0, 14) : 8;
        p->s[i] = bits_of(d->dt, ldexp((double)s.sig, s.e));
    }
    for (int64_t k = 0; k < p->K; k++) {
        int bit = k < B ? (int)((s.t >> k) & 1) : 0;
        p->q[k * p->N + n] = (uint8_t)(p->z[p->g_idx[k] * p->N + n] + bit);
    }
    if (p->bias) p->bias[n] = bits_of(d->dt, s.bias);
}

void edge_generate(struct problem *p, int xmax, int spread) {
    int xe = xmax / 2 > 1 ? xmax / 2 : 1; /* room for the big columns' outputs */
    for (int64_t m = 0; m < p->M; m++)
        gen_row(p, m, xe);
    for (int64_t n = 0; n < p->N; n++) {
        enum edge_col c = edge_col_class(&p->d, n);
        if (c == EDGE_COL_ORDINARY)
            gen_ordinary_col(p, n, spread);
        else
            gen_designed_col(p, n, c);
    }
}

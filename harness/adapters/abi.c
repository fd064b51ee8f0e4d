/* abi.c - kernel-ABI tensors: contract checks and the ABI-level reference
 * (see abi.h and docs/abi.md). */
#include "adapters/abi.h"
#include "util/errmsg.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void abi_tensors_free(struct abi_tensors *t) {
    if (!t) return;
    free(t->a);
    free(t->b);
    free(t->scale);
    free(t->zp);
    free(t->perm);
    free(t->bias);
    memset(t, 0, sizeof *t);
}

/* Writes a message to err (if any) and returns -1. */

/* The kernel takes M, N, K and group_size as int. */
static int check_dims(const struct abi_tensors *t, char *err, size_t errlen) {
    if (t->dt != DT_F16 && t->dt != DT_BF16)
        return errmsg(err, errlen, "dtype=%d: the kernel contract needs f16 or bf16", (int)t->dt);
    const struct {
        const char *name;
        int64_t v;
    } dims[] = {{"M", t->M}, {"N", t->N}, {"K", t->K}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        if (dims[i].v <= 0 || dims[i].v > INT32_MAX)
            return errmsg(err, errlen, "%s=%lld: the kernel contract needs 1 <= %s <= %d",
                          dims[i].name, (long long)dims[i].v, dims[i].name, (int)INT32_MAX);
    if (t->N % 8 != 0)
        return errmsg(err, errlen, "N=%lld: the kernel contract needs N %% 8 == 0",
                      (long long)t->N);
    if (t->K % 8 != 0)
        return errmsg(err, errlen, "K=%lld: the kernel contract needs K %% 8 == 0",
                      (long long)t->K);
    if (t->group_size <= 0 || t->group_size > t->K || t->K % t->group_size != 0)
        return errmsg(err, errlen,
                      "group_size=%lld: the kernel contract needs a positive group size dividing "
                      "K=%lld",
                      (long long)t->group_size, (long long)t->K);
    return 0;
}

static int check_sizes(const struct abi_tensors *t, char *err, size_t errlen) {
    const int64_t G = t->K / t->group_size;
    if (!t->a) return errmsg(err, errlen, "a is NULL: the kernel contract needs a [M][K]");
    if (!t->b) return errmsg(err, errlen, "b is NULL: the kernel contract needs b [N][K/8]");
    if (t->b_words != t->N * t->K / 8)
        return errmsg(err, errlen, "b_words=%lld: the kernel contract needs N*K/8 = %lld words",
                      (long long)t->b_words, (long long)(t->N * t->K / 8));
    if (!t->scale) return errmsg(err, errlen, "scale is NULL: the kernel contract needs [G][N]");
    if (t->scale_elems != G * t->N)
        return errmsg(err, errlen,
                      "scale_elems=%lld: the kernel contract needs (K/group_size)*N = %lld*%lld "
                      "= %lld",
                      (long long)t->scale_elems, (long long)G, (long long)t->N,
                      (long long)(G * t->N));
    if (t->zp && t->zp_words != G * t->N / 8)
        return errmsg(err, errlen,
                      "zp_words=%lld: the kernel contract needs G*N/8 = %lld*%lld/8 = %lld words",
                      (long long)t->zp_words, (long long)G, (long long)t->N,
                      (long long)(G * t->N / 8));
    if (!t->zp && (t->zp_scalar < 0 || t->zp_scalar > 15))
        return errmsg(err, errlen, "zp_scalar=%d: a zero point must be a 4-bit value 0..15",
                      (int)t->zp_scalar);
    return 0;
}

static int check_perm(const struct abi_tensors *t, char *err, size_t errlen) {
    if (!t->perm) return 0;
    unsigned char *seen = calloc((size_t)t->K, 1);
    if (!seen) return errmsg(err, errlen, "out of memory checking perm (K=%lld)", (long long)t->K);
    int rc = 0;
    for (int64_t k = 0; k < t->K; k++) {
        const int32_t p = t->perm[k];
        if (p < 0 || p >= t->K) {
            rc =
                errmsg(err, errlen,
                       "perm[%lld]=%d: perm must be a permutation of 0..K-1 (K=%lld); out of range",
                       (long long)k, (int)p, (long long)t->K);
            break;
        }
        if (seen[p]) {
            rc = errmsg(err, errlen,
                        "perm[%lld]=%d: perm must be a permutation of 0..K-1 (K=%lld); duplicate "
                        "index (looks like group ids rather than a permutation?)",
                        (long long)k, (int)p, (long long)t->K);
            break;
        }
        seen[p] = 1;
    }
    free(seen);
    return rc;
}

/* "NaN", "Inf" or "-Inf" for a non-finite value. */
static const char *nonfinite_name(dtype_t dt, uint16_t bits) {
    return dt_is_nan(dt, bits) ? "NaN" : dt_to_double(dt, bits) > 0 ? "Inf" : "-Inf";
}

/* Scales and bias must be finite. The harness's own problems never hold NaN
 * or Inf there: generated data (exact, real, edge) is finite by design, and a
 * problem loaded from a file with a non-finite input is an ERROR before any
 * adapter runs (runner.c, stage_finite). So a non-finite value here was put
 * there by the adapter (a loader runner, a route), and without this check it
 * would look like a kernel that computed NaN. Runs after check_sizes: scale
 * holds G*N values. */
static int check_finite(const struct abi_tensors *t, char *err, size_t errlen) {
    int64_t i = dt_first_nonfinite(t->dt, t->scale, t->scale_elems);
    if (i >= 0)
        return errmsg(err, errlen, "scale[%lld][%lld] is %s: scales must be finite",
                      (long long)(i / t->N), (long long)(i % t->N),
                      nonfinite_name(t->dt, t->scale[i]));
    i = dt_first_nonfinite(t->dt, t->bias, t->bias ? t->N : 0);
    if (i >= 0)
        return errmsg(err, errlen, "bias[%lld] is %s: the bias must be finite", (long long)i,
                      nonfinite_name(t->dt, t->bias[i]));
    return 0;
}

int abi_check(const struct abi_tensors *t, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (!t) return errmsg(err, errlen, "no ABI tensors (NULL)");
    if (check_dims(t, err, errlen) != 0) return -1;
    if (check_sizes(t, err, errlen) != 0) return -1;
    if (check_finite(t, err, errlen) != 0) return -1;
    return check_perm(t, err, errlen);
}

/* Zero point of (group g, column n) as the contract reads it. */
static int zp_at(const struct abi_tensors *t, int64_t g, int64_t n) {
    if (!t->zp) return t->zp_scalar;
    const uint32_t word = t->zp[g * (t->N / 8) + n / 8];
    return (int)((word >> (4 * (n % 8))) & 0xFu);
}

/* Column n of the dequantized weight, in kernel row order: w[k], k < K.
 * sd: the scales as doubles, [G][N]. */
static void dequant_column(const struct abi_tensors *t, int64_t n, const double *sd, double *w) {
    const uint32_t *bcol = t->b + n * (t->K / 8);
    for (int64_t k = 0; k < t->K; k++) {
        const int64_t g = k / t->group_size;
        const int q = (int)((bcol[k / 8] >> (4 * (k % 8))) & 0xFu);
        w[k] = (double)(q - zp_at(t, g, n)) * sd[g * t->N + n];
    }
}

/* The scales as doubles (only the G*N values used: cheaper than a table of
 * all 65536 patterns for the small cases a diagnosis tries many of). */
static double *scales_double(const struct abi_tensors *t) {
    double *sd = malloc(sizeof(double) * (size_t)t->scale_elems);
    if (!sd) return NULL;
    for (int64_t i = 0; i < t->scale_elems; i++)
        sd[i] = dt_to_double(t->dt, t->scale[i]);
    return sd;
}

int abi_reference(const struct abi_tensors *t, double *y) {
    return abi_reference_absdot(t, y, NULL);
}

#define ROW_BLOCK 64 /* activation rows converted at a time */

/* Exponent of the lowest set bit of a nonzero finite double. */
static int low_bit_exp(double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    int e = (int)((u >> 52) & 0x7FF);
    uint64_t mant = u & ((UINT64_C(1) << 52) - 1);
    if (e)
        mant |= UINT64_C(1) << 52;
    else
        e = 1;
    while (!(mant & 1)) {
        mant >>= 1;
        e++;
    }
    return e - 1075;
}

/* Float arithmetic on the terms of one output element: 0 when exact in any
 * order (abi.h), else the bound. lowest: the smallest low_bit_exp over the
 * nonzero terms (INT32_MAX: none); mag: the sum of their magnitudes. */
static double element_slack(int lowest, double mag, int64_t K) {
    if (lowest == INT32_MAX) return 0.0;
    if (lowest >= -149 && mag < ldexp(1.0, lowest + 24) && mag <= FLT_MAX) return 0.0;
    const double slack = (double)(3 * K + 3) * (ldexp(mag, -24) + ldexp(1.0, -149));
    /* a product or a partial sum may overflow a float: Inf, -Inf or NaN are then as much what
       the contract's arithmetic gives as a finite value */
    return mag + slack > FLT_MAX ? INFINITY : slack;
}

/* Rows [m0, m1) of y (and absdot, slack), with the block's activations in xd
 * (already permuted: xd[(m - m0) * K + k] = A[m][perm[k]]). */
static void reference_rows(const struct abi_tensors *t, const double *sd, const double *xd,
                           int64_t m0, int64_t m1, double *w, double *y, double *absdot,
                           double *slack) {
    for (int64_t n = 0; n < t->N; n++) {
        dequant_column(t, n, sd, w);
        const double bias = t->bias ? dt_to_double(t->dt, t->bias[n]) : 0.0;
        for (int64_t m = m0; m < m1; m++) {
            const double *xr = xd + (m - m0) * t->K;
            double acc = 0.0, mag = 0.0;
            for (int64_t k = 0; k < t->K; k++)
                acc += xr[k] * w[k];
            int lowest = slack && bias != 0.0 ? low_bit_exp(bias) : INT32_MAX;
            if (absdot || slack)
                for (int64_t k = 0; k < t->K; k++) {
                    const double p = xr[k] * w[k]; /* exact in double: at most 11 + 4 + 11 bits */
                    mag += fabs(p);
                    if (slack && p != 0.0) {
                        const int e = low_bit_exp(p);
                        if (e < lowest) lowest = e;
                    }
                }
            y[m * t->N + n] = acc + bias;
            if (absdot) absdot[m * t->N + n] = mag + fabs(bias);
            if (slack) slack[m * t->N + n] = element_slack(lowest, mag + fabs(bias), t->K);
        }
    }
}

int abi_reference_absdot(const struct abi_tensors *t, double *y, double *absdot) {
    return abi_reference_slack(t, y, absdot, NULL);
}

int abi_reference_slack(const struct abi_tensors *t, double *y, double *absdot, double *slack) {
    if (!y || abi_check(t, NULL, 0) != 0) return -1;
    const int64_t rows = t->M < ROW_BLOCK ? t->M : ROW_BLOCK;
    double *sd = scales_double(t);
    double *w = malloc(sizeof(double) * (size_t)t->K);
    double *xd = malloc(sizeof(double) * (size_t)(rows * t->K));
    int rc = sd && w && xd ? 0 : -1;
    for (int64_t m0 = 0; rc == 0 && m0 < t->M; m0 += rows) {
        const int64_t m1 = m0 + rows < t->M ? m0 + rows : t->M;
        for (int64_t m = m0; m < m1; m++)
            for (int64_t k = 0; k < t->K; k++)
                xd[(m - m0) * t->K + k] =
                    dt_to_double(t->dt, t->a[m * t->K + (t->perm ? t->perm[k] : k)]);
        reference_rows(t, sd, xd, m0, m1, w, y, absdot, slack);
    }
    free(sd);
    free(w);
    free(xd);
    return rc;
}

int abi_dequant_logical(const struct abi_tensors *t, double *wout) {
    if (!wout || abi_check(t, NULL, 0) != 0) return -1;
    double *sd = scales_double(t);
    double *w = malloc(sizeof(double) * (size_t)t->K);
    if (!sd || !w) {
        free(sd);
        free(w);
        return -1;
    }
    for (int64_t n = 0; n < t->N; n++) {
        dequant_column(t, n, sd, w);
        for (int64_t k = 0; k < t->K; k++) {
            const int64_t row = t->perm ? t->perm[k] : k;
            wout[row * t->N + n] = w[k];
        }
    }
    free(sd);
    free(w);
    return 0;
}

/* malloc'd copy of n elements of size es, or NULL for a NULL source. */
static int dup_buf(void **dst, const void *src, int64_t n, size_t es) {
    *dst = NULL;
    if (!src) return 0;
    if (n < 0) return -1;
    *dst = malloc(n ? (size_t)n * es : 1);
    if (!*dst) return -1;
    memcpy(*dst, src, (size_t)n * es);
    return 0;
}

int abi_tensors_copy(struct abi_tensors *dst, const struct abi_tensors *src) {
    *dst = *src;
    void *p[6];
    int rc = dup_buf(&p[0], src->a, src->M * src->K, sizeof *src->a);
    rc |= dup_buf(&p[1], src->b, src->b_words, sizeof *src->b);
    rc |= dup_buf(&p[2], src->scale, src->scale_elems, sizeof *src->scale);
    rc |= dup_buf(&p[3], src->zp, src->zp_words, sizeof *src->zp);
    rc |= dup_buf(&p[4], src->perm, src->K, sizeof *src->perm);
    rc |= dup_buf(&p[5], src->bias, src->N, sizeof *src->bias);
    dst->a = p[0];
    dst->b = p[1];
    dst->scale = p[2];
    dst->zp = p[3];
    dst->perm = p[4];
    dst->bias = p[5];
    if (rc != 0) {
        abi_tensors_free(dst);
        return -1;
    }
    return 0;
}

/* Both absent, or both present with equal contents. */
static int same_buf(const void *x, const void *y, int64_t n, size_t es) {
    if (!x || !y) return !x && !y;
    return n <= 0 || memcmp(x, y, (size_t)n * es) == 0;
}

int abi_tensors_equal(const struct abi_tensors *x, const struct abi_tensors *y) {
    if (x->dt != y->dt || x->M != y->M || x->N != y->N || x->K != y->K ||
        x->group_size != y->group_size || x->b_words != y->b_words ||
        x->scale_elems != y->scale_elems || x->zp_words != y->zp_words)
        return 0;
    if (!x->zp && x->zp_scalar != y->zp_scalar) return 0;
    return same_buf(x->a, y->a, x->M * x->K, sizeof *x->a) &&
           same_buf(x->b, y->b, x->b_words, sizeof *x->b) &&
           same_buf(x->scale, y->scale, x->scale_elems, sizeof *x->scale) &&
           same_buf(x->zp, y->zp, x->zp_words, sizeof *x->zp) &&
           same_buf(x->perm, y->perm, x->K, sizeof *x->perm) &&
           same_buf(x->bias, y->bias, x->N, sizeof *x->bias);
}

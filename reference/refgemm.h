/* refgemm.h - the scalar dequant-GEMM reference, in double, from the logical
 * tensors (never from packed ones):
 *   W[k][n] = (Q[k][n] - Z[g(k)][n]) * S[g(k)][n],  g(k) = g_idx[k]
 *   Y[m][n] = sum_k X[m][k] * W[k][n] (+ bias[n])
 * W is dequantized once (as float: (q - z) * s has at most 16 significant
 * bits, so the float holds it exactly); products and sums are in double. */
#ifndef GH_REFGEMM_H
#define GH_REFGEMM_H

#include <stdint.h>

#include "dtype.h"

struct ref_input {
    dtype_t dt;
    int64_t M, N, K, G;
    const uint16_t *x;     /* [M][K] */
    const uint8_t *q;      /* [K][N] */
    const uint8_t *z;      /* [G][N] */
    const uint16_t *s;     /* [G][N] */
    const int32_t *g_idx;  /* [K], values in 0..G-1 */
    const uint16_t *bias;  /* [N] or NULL */
    int threads;           /* <= 0: online CPUs */
};

/* y[M][N]: exact-as-double result before output rounding. absdot (optional,
 * may be NULL): sum_k |x[m][k]| * |w[k][n]| (+ |bias[n]|), for the error
 * bound. The result does not depend on the thread count. Returns 0, or -1 on
 * allocation failure. */
int ref_gemm(const struct ref_input *in, double *y, double *absdot);

/* Dequantizes W into w[K][N] (float, exact). Same threading. */
int ref_dequant(const struct ref_input *in, float *w);

/* Rounds y to the output dtype, round-to-nearest-even. */
void ref_round(dtype_t dt, const double *y, uint16_t *out, int64_t n);

/* Online CPUs (at least 1). */
int ref_default_threads(void);

#endif

/* refgemm.h - the dequant-GEMM reference, in double, from the logical tensors
 * (never from packed ones):
 *   W[k][n] = (Q[k][n] - Z[g(k)][n]) * S[g(k)][n],  g(k) = g_idx[k]
 *   Y[m][n] = sum_k X[m][k] * W[k][n] (+ bias[n])
 * W is exact in double ((q - z) * s has at most 15 significant bits), and so
 * is every product x * w (at most 26); each y[m][n] is summed in double
 * strictly in k order, ((0 + x0*w0) + x1*w1) + ... + x_{K-1}*w_{K-1}, then
 * + bias. So the bits do not depend on the thread count, the blocking or the
 * instruction set, and ref_gemm equals ref_gemm_naive bit for bit. */
#ifndef GH_REFGEMM_H
#define GH_REFGEMM_H

#include <stdint.h>

#include "dtype.h"

/* Micro-kernel builds; all give the same bits. */
enum ref_isa {
    REF_ISA_AUTO = 0, /* the best this CPU supports */
    REF_ISA_GENERIC,  /* portable C (vector extensions) */
    REF_ISA_AVX2,     /* x86-64 only (AVX2 and FMA) */
    REF_ISA_AVX512,   /* x86-64 only (AVX-512F) */
};

struct ref_input {
    dtype_t dt;
    int64_t M, N, K, G;
    const uint16_t *x;    /* [M][K] */
    const uint8_t *q;     /* [K][N] */
    const uint8_t *z;     /* [G][N] */
    const uint16_t *s;    /* [G][N] */
    const int32_t *g_idx; /* [K], values in 0..G-1 */
    const uint16_t *bias; /* [N] or NULL */
    int threads;          /* <= 0: online CPUs */
    enum ref_isa isa;     /* REF_ISA_AUTO (0) unless testing a build */
};

/* y[M][N]: exact-as-double result before output rounding. absdot (optional,
 * may be NULL): sum_k |x[m][k]| * |w[k][n]| (+ |bias[n]|), for the error
 * bound, summed in the same order. A blocked GEMM that dequantizes W panel by
 * panel (never all of W at once). Returns 0, or -1 on allocation failure or an
 * isa this CPU or build lacks. */
int ref_gemm(const struct ref_input *in, double *y, double *absdot);

/* The obviously correct triple loop, one element at a time: the cross-check
 * for ref_gemm in the tests (same bits). Slow; threads and isa are ignored. */
int ref_gemm_naive(const struct ref_input *in, double *y, double *absdot);

/* Dequantizes all of W into w[K][N] (double, exact); threaded like ref_gemm.
 * For benchmarks (a BLAS fed the same problem). Returns 0 or -1. */
int ref_dequant(const struct ref_input *in, double *w);

/* The build ref_gemm uses for isa ("avx512f", "avx2", "generic"), or NULL
 * when this CPU or build does not have it. */
const char *ref_isa_name(enum ref_isa isa);

/* Rounds y to the output dtype, round-to-nearest-even. */
void ref_round(dtype_t dt, const double *y, uint16_t *out, int64_t n);

/* Online CPUs (at least 1). */
int ref_default_threads(void);

#endif

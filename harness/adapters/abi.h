/* abi.h - kernel-ABI tensors (what an adapter hands the kernel) and the
 * ABI-level CPU reference: dequantize exactly as the contract (docs/abi.md)
 * says, in double. Comparing the device output against it tells "kernel
 * wrong" from "adapter wrong". */
#ifndef GH_ABI_H
#define GH_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "reference/dtype.h"

struct abi_tensors {
    dtype_t dt;
    int64_t M, N, K;
    int64_t group_size; /* as the adapter passes it (may be invalid, e.g. -1) */
    int32_t zp_scalar;
    uint16_t *a; /* [M][K], M*K elements */
    uint32_t *b; /* b_words words, [N][K/8] when right */
    int64_t b_words;
    uint16_t *scale; /* scale_elems elements, [G][N] when right */
    int64_t scale_elems;
    uint32_t *zp; /* NULL: scalar; else zp_words words, [G][N/8] when right */
    int64_t zp_words;
    int32_t *perm;  /* NULL or [K] */
    uint16_t *bias; /* NULL or [N] */
};

void abi_tensors_free(struct abi_tensors *t);

/* Checks the contract's preconditions on what an adapter produced: group size
 * positive and dividing K, buffer sizes, zero points 0..15 representable,
 * scales and bias finite (no NaN or Inf), perm a permutation of 0..K-1.
 * Returns 0, or -1 with a message naming the violated rule (the kernel must
 * not be launched then). */
int abi_check(const struct abi_tensors *t, char *err, size_t errlen);

/* ABI-level reference: y[m][n] in double (before output rounding), from the
 * ABI tensors exactly as the contract reads them. t must pass abi_check.
 * y has M*N elements. Returns 0 or -1 (allocation). */
int abi_reference(const struct abi_tensors *t, double *y);

/* Same, and absdot[m][n] = sum_k |a'[m][k]| * |w[k][n]| + |bias[n]| (the
 * magnitude the real-mode error bound needs); absdot may be NULL. */
int abi_reference_absdot(const struct abi_tensors *t, double *y, double *absdot);

/* Same, and slack[m][n]: how far the contract's float arithmetic (products,
 * sums in any order, the scale applied per weight or per group, the bias)
 * may land from y[m][n]. 0 where every product and every partial sum in any
 * order is exact in float (each term a multiple of 2^e, e >= -149, and the
 * sum of their magnitudes below 2^(e+24)): there the rounded y is the one
 * result the contract allows, as in the exact data modes. Elsewhere (the
 * arguments of a hypothesis the diagnosis tries, which need not keep the
 * exact data's properties) a bound on the accumulated rounding error,
 * (3K + 3) * (2^-24 * sum|terms| + 2^-149), or INFINITY where a product or
 * a partial sum may overflow a float (any result, NaN included, is then one
 * the contract's arithmetic can give). absdot and slack may be NULL. */
int abi_reference_slack(const struct abi_tensors *t, double *y, double *absdot, double *slack);

/* The weights the contract makes of t, in the activations' (logical) row
 * order: w[perm[k]][n] = (q - z) * s of kernel row k (w[k][n] without perm).
 * w holds K*N doubles. t must pass abi_check. Returns 0 or -1. */
int abi_dequant_logical(const struct abi_tensors *t, double *w);

/* Deep copy (dst owns new buffers; dst is overwritten, not freed). Returns 0,
 * or -1 (out of memory; dst then holds nothing). */
int abi_tensors_copy(struct abi_tensors *dst, const struct abi_tensors *src);

/* 1 when both hold the same arguments: scalars, which tensors are present,
 * and their contents. */
int abi_tensors_equal(const struct abi_tensors *x, const struct abi_tensors *y);

#endif

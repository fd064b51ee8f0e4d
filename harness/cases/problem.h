/* problem.h - the logical GPTQ problem (docs/formats.md) and its generator.
 *
 *   W[k][n] = (Q[k][n] - Z[g(k)][n]) * S[g(k)][n]
 *   Y[m][n] = sum_k X[m][k] * W[k][n] (+ bias[n])
 *
 * The generator is a pure function of the descriptor (counter-based PRNG), so
 * the same descriptor gives the same bits anywhere. */
#ifndef GH_PROBLEM_H
#define GH_PROBLEM_H

#include <stdint.h>

#include "reference/refgemm.h"
#include "cases/desc.h"

struct problem {
    struct case_desc d;
    int64_t M, N, K;
    int64_t gs;     /* effective group size (g = -1 -> K) */
    int64_t G;      /* K / gs */
    uint16_t *x;    /* [M][K] activation bits (d.dt) */
    uint8_t *q;     /* [K][N] 0..15 */
    uint8_t *z;     /* [G][N] 0..15; 8 everywhere when symmetric */
    uint16_t *s;    /* [G][N] scale bits (d.dt) */
    int32_t *g_idx; /* [K] group of each input row: k / gs, or the act-order ids */
    uint16_t *bias; /* [N] bits (d.dt) or NULL */
};

/* Bytes the problem and a run on it need (host side, rough upper bound);
 * used to refuse cases beyond a memory cap before allocating. Saturates at
 * INT64_MAX on overflow. */
int64_t problem_bytes(const struct case_desc *d);

/* Generates the problem for d (d must be valid). Returns 0, or -1 with a
 * message (allocation failure). */
int problem_generate(const struct case_desc *d, struct problem *p, char *err, size_t errlen);
void problem_free(struct problem *p);

/* Tensor-parallel shards (descriptor key tp): problem_generate makes the whole
 * layer (desc_layer_k x desc_layer_n, tp none) and cuts shard d->tp_rank out of
 * it, as vLLM's loaders hand a rank its tensors:
 *   row (K split): x columns and weight rows k0..k0+k-1 (k0 = rank * k); g_idx
 *     sliced (the layer's group ids); scales and zero points sliced by group,
 *     except with act-order or g=-1, where they stay whole;
 *   col (N split): weight, scale and zero columns n0..n0+n-1 and the bias
 *     slice; x and g_idx whole.
 * The bias (bias=1) goes with every shard as a kernel argument (vLLM adds it
 * on rank 0 only, after the all-reduce). problem_tp_slice does the cut from
 * layer L (exposed for tests). Returns 0, or -1 with a message. */
int problem_tp_slice(const struct problem *L, const struct case_desc *d, struct problem *p,
                     char *err, size_t errlen);

/* Zeroes p and sets its descriptor and shape (d, M, N, K, gs, G) from d;
 * no tensors. For problems built from other sources (problem_load.h). */
void problem_shape(const struct case_desc *d, struct problem *p);
/* The reference's input for p (threads: <= 0 for all CPUs). */
struct ref_input problem_ref_input(const struct problem *p, int threads);

/* Group of input row k. */
static inline int32_t problem_group(const struct problem *p, int64_t k) {
    return p->g_idx[k];
}

#endif

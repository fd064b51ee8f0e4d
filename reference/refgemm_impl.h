/* refgemm_impl.h - internals shared by refgemm.c (API, threads, dispatch)
 * and the per-instruction-set builds of the blocked GEMM (refgemm_kern.h,
 * included by refgemm_generic.c, refgemm_avx2.c, refgemm_avx512.c). Not part
 * of the reference's interface. */
#ifndef GH_REFGEMM_IMPL_H
#define GH_REFGEMM_IMPL_H

#include <stdint.h>

#include "refgemm.h"

/* x86-64 builds (AVX2, AVX-512F) exist, chosen at run time. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define REF_X86 1
#else
#define REF_X86 0
#endif

/* Blocking (the bits never depend on it). The tile, mr x nr, is the build's
 * (struct ref_build); nr is a multiple of 8 that divides NC. */
#define KC 256 /* rows of W per packed block */
#define NC 256 /* columns of W per packed block (a multiple of every nr) */
#define MC 128 /* rows of Y per pass over a packed block (rounded down to whole tiles) */
#define QPF 8  /* rows of Q prefetched ahead while packing */

/* What the threads share (read-only, except each job's own columns of sd,
 * y, absdot and w). */
struct gemm {
    const struct ref_input *in;
    const double *xp, *xa; /* X and |X| in the build's mr-row micro-panels [M/mr][K][mr] */
    double *sd;            /* S as double [G][N] */
    double *y, *absdot;    /* ref_gemm's outputs, or */
    double *w;             /* ref_dequant's output [K][N] */
};

/* One thread's share: all rows of the columns [n0, n1). */
struct job {
    const struct gemm *g;
    void (*run)(const struct job *); /* the build's */
    int64_t n0, n1;
    double *wp; /* packed block of W (ref_gemm only): NC / nr panels */
    /* ref_gemm only: the accumulators of a block of NC columns, y's and
     * absdot's (or NULL), in mr x nr tiles: ceil(M / mr) * mr * NC doubles */
    double *acc, *acc_abs;
};

/* A build of the per-thread work for one instruction set. */
struct ref_build {
    enum ref_isa isa;
    const char *name;
    int mr, nr; /* rows and columns of its Y tile */
    void (*run)(const struct job *);
};

extern const struct ref_build ref_build_generic;
#if REF_X86
extern const struct ref_build ref_build_avx2, ref_build_avx512;
#endif

/* Distance between the packed nr-column micro-panels of a block: one cache
 * line more than a panel, so that the rows the packing writes at one k do not
 * all fall in the same cache set. A block takes NC / nr of them. */
static inline int64_t ref_panel_stride(int64_t kc, int nr) {
    return kc * nr + 8;
}

static inline int64_t ref_min(int64_t a, int64_t b) {
    return a < b ? a : b;
}

/* Asks for row k of Q, columns [n0, n0 + n), ahead of its use: each row of
 * a block is a short run in its own page, which hardware prefetchers miss. */
static inline void ref_prefetch_q(const struct gemm *g, int64_t k, int64_t n0, int64_t n) {
    if (k >= g->in->K) return;
    const uint8_t *q = g->in->q + k * g->in->N + n0;
    for (int64_t j = 0; j < n; j += 64)
        __builtin_prefetch(q + j);
}

/* Parts of a job that need no vectors (refgemm.c). */
void ref_scales_to_double(const struct gemm *g, int64_t n0, int64_t n1);
void ref_add_bias(const struct gemm *g, int64_t n0, int64_t n1);

#endif

/* refgemm_kern.h - one build of the blocked GEMM's per-thread work (the
 * design is in refgemm.c): the micro-kernel, the dequantizing packing of W and
 * the loops over blocks. Included once by each build file, which defines
 *   KERN_BUILD   the struct ref_build to define (e.g. ref_build_avx2)
 *   KERN_ISA     its enum ref_isa;  KERN_LABEL  its name
 *   KERN_ATTR    the target attribute of its functions (or nothing)
 *   KERN_VEC     doubles per vector register (8: AVX-512, 4: AVX2, 2: SSE2, NEON)
 *   KERN_MR      rows of a Y tile: 4, 8 or 12
 *   KERN_NR      columns of a Y tile, a multiple of 8 that divides NC: the
 *                tile's MR x NR accumulators must fit in the registers
 *   KERN_BYTES_DIFF  optional: KERN_BYTES_DIFF(q, z, d) sets the NV vectors d
 *                to the NR bytes at q minus the NR bytes at z, as doubles
 *   KERN_FMA     optional: KERN_FMA(w, x, c) = w * x + c, w and c vd, x a
 *                double, as one fused multiply-add: the same bits, as every
 *                product is exact (refgemm.c)
 * Everything here is static and always inlined into the job function, so it
 * is compiled for KERN_ATTR's instruction set. The vector types have the
 * register width: wider ones are split by compilers through memory. */
#include <string.h>

#include "refgemm_impl.h"

#define MR KERN_MR
#define NR KERN_NR
#define NV (NR / KERN_VEC) /* vectors per tile row */
#define MCK (MC / MR * MR) /* rows of Y per pass over a packed block: whole tiles */
#define INLINE static inline __attribute__((always_inline)) KERN_ATTR
/* Fully unrolls a loop with a constant trip count (tile rows, vectors per
 * row), so that the accumulators live in registers. */
#if defined(__clang__)
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL _Pragma("GCC unroll 16")
#endif

typedef double vd __attribute__((vector_size(KERN_VEC * sizeof(double))));
typedef int64_t vi __attribute__((vector_size(KERN_VEC * sizeof(double))));
typedef uint64_t vu __attribute__((vector_size(KERN_VEC * sizeof(double))));

#ifndef KERN_FMA
#define KERN_FMA(w, x, c) ((w) * (x) + (c)) /* rounded twice: the same bits */
#endif

_Static_assert(NR % KERN_VEC == 0 && 8 % KERN_VEC == 0, "a tile row is whole vectors");
_Static_assert(NR % 8 == 0, "bytes_biased reads the bytes of a tile row 8 at a time");
_Static_assert(MR == 4 || MR == 8 || MR == 12, "tile_rows has a case for each row count 1..MR");
_Static_assert(NC % NR == 0, "blocks are whole tiles");

/* ---- the micro-kernel ---------------------------------------------------- */

/* c[i][0..NR) += x[k][i] * w[k][0..NR) for rows i < mr, k = 0 .. kc-1 in
 * order. x: an MR-row micro-panel [kc][MR]; w: an NR-column one [kc][NR]; c:
 * rows ldc apart. absw: use |w| (x is then |X|), for absdot. */
INLINE void tile_kernel(int mr, int absw, int64_t kc, const double *x, const double *w, double *c,
                        int64_t ldc) {
    const vi nosign = (vi){0} + INT64_MAX;
    vd acc[MR][NV];
    UNROLL
    for (int i = 0; i < mr; i++) {
        UNROLL
        for (int v = 0; v < NV; v++)
            memcpy(&acc[i][v], c + i * ldc + v * KERN_VEC, sizeof(vd));
    }
    for (int64_t k = 0; k < kc; k++) {
        vd wk[NV];
        UNROLL
        for (int v = 0; v < NV; v++) {
            memcpy(&wk[v], w + k * NR + v * KERN_VEC, sizeof(vd));
            if (absw) wk[v] = (vd)((vi)wk[v] & nosign);
        }
        UNROLL
        for (int i = 0; i < mr; i++) {
            double xi = x[k * MR + i];
            UNROLL
            for (int v = 0; v < NV; v++)
                acc[i][v] = KERN_FMA(wk[v], xi, acc[i][v]);
        }
    }
    UNROLL
    for (int i = 0; i < mr; i++) {
        UNROLL
        for (int v = 0; v < NV; v++)
            memcpy(c + i * ldc + v * KERN_VEC, &acc[i][v], sizeof(vd));
    }
}

/* tile_kernel with the row count a constant, so its loops unroll. */
INLINE void tile_rows(int mr, int absw, int64_t kc, const double *x, const double *w, double *c,
                      int64_t ldc) {
#define TILE_ROWS(r)                                                                               \
    case r:                                                                                        \
        tile_kernel(r, absw, kc, x, w, c, ldc);                                                    \
        return
    switch (mr) {
        TILE_ROWS(1);
        TILE_ROWS(2);
        TILE_ROWS(3);
        TILE_ROWS(4);
#if MR > 4
        TILE_ROWS(5);
        TILE_ROWS(6);
        TILE_ROWS(7);
        TILE_ROWS(8);
#endif
#if MR > 8
        TILE_ROWS(9);
        TILE_ROWS(10);
        TILE_ROWS(11);
        TILE_ROWS(12);
#endif
    }
#undef TILE_ROWS
}

/* ---- dequantization and packing ----------------------------------------- */

/* The NR bytes at p as doubles 2^52 + byte: each byte is placed in the low
 * mantissa bits of 2^52 (a broadcast of the 8 bytes that hold it, a shift and
 * an or; GCC 12 turns __builtin_convertvector from bytes into scalar code).
 * The difference of two such doubles is the difference of the bytes, exactly. */
INLINE void bytes_biased(const uint8_t *p, vd out[NV]) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    static const uint64_t shifts[8] = {56, 48, 40, 32, 24, 16, 8, 0};
#else
    static const uint64_t shifts[8] = {0, 8, 16, 24, 32, 40, 48, 56};
#endif
    uint64_t b[NR / 8];
    memcpy(b, p, sizeof b);
    UNROLL
    for (int v = 0; v < NV; v++) {
        vu sh;
        memcpy(&sh, shifts + v * KERN_VEC % 8, sizeof sh);
        vu lanes = ((vu){0} + b[v * KERN_VEC / 8]) >> sh & 0xFF;
        out[v] = (vd)(lanes | 0x4330000000000000); /* the bits of 2^52 */
    }
}

/* d = the NR bytes at q minus those at z, as doubles (exact). */
INLINE void bytes_diff(const uint8_t *q, const uint8_t *z, vd d[NV]) {
#ifdef KERN_BYTES_DIFF
    KERN_BYTES_DIFF(q, z, d);
#else
    vd qv[NV], zv[NV];
    bytes_biased(q, qv);
    bytes_biased(z, zv);
    UNROLL
    for (int v = 0; v < NV; v++)
        d[v] = qv[v] - zv[v];
#endif
}

/* Row k of W, columns [n0, n0 + n), exactly ((q - z) * s): the NR-column
 * chunk c goes to out + c * stride (a partial last chunk: its n % NR values). */
INLINE void dequant_row(const struct gemm *g, int64_t k, int64_t n0, int64_t n, double *out,
                        int64_t stride) {
    const struct ref_input *in = g->in;
    int64_t gk = in->g_idx[k];
    const uint8_t *q = in->q + k * in->N + n0, *z = in->z + gk * in->N + n0;
    const double *s = g->sd + gk * in->N + n0;
    int64_t j = 0;
    for (; j + NR <= n; j += NR, out += stride) {
        vd d[NV];
        bytes_diff(q + j, z + j, d);
        UNROLL
        for (int v = 0; v < NV; v++) {
            vd sv;
            memcpy(&sv, s + j + v * KERN_VEC, sizeof sv);
            vd wv = d[v] * sv;
            memcpy(out + v * KERN_VEC, &wv, sizeof wv);
        }
    }
    for (int64_t t = 0; j + t < n; t++)
        out[t] = ((double)q[j + t] - (double)z[j + t]) * s[j + t];
}

/* wp = W[pc, pc + kc) x [n0, n0 + nc) as NR-column micro-panels: row k of
 * panel c at wp + c * ref_panel_stride(kc, NR) + k * NR; a partial last panel
 * padded with zeros. */
INLINE void pack_block(const struct gemm *g, double *wp, int64_t pc, int64_t kc, int64_t n0,
                       int64_t nc) {
    int64_t ps = ref_panel_stride(kc, NR), tail = nc % NR;
    for (int64_t k = 0; k < kc; k++) {
        ref_prefetch_q(g, pc + k + QPF, n0, nc);
        dequant_row(g, pc + k, n0, nc, wp + k * NR, ps);
        if (tail) memset(wp + nc / NR * ps + k * NR + tail, 0, (size_t)(NR - tail) * sizeof *wp);
    }
}

/* ---- one job: a range of columns ----------------------------------------- */

/* The job's accumulators for the block of columns [n0, n0 + nc): its
 * MR x NR tiles of Y (and absdot) one after another, tile (t, jp) (rows
 * t * MR.., columns n0 + jp * NR..) at (jp * tiles + t) * MR * NR: the order
 * block_update visits them in. Contiguous tiles, unlike rows of Y N doubles
 * apart (a power of two puts them all in a few cache sets). */
INLINE double *acc_tile(double *acc, int64_t tiles, int64_t t, int64_t jp) {
    return acc + (jp * tiles + t) * (MR * NR);
}

/* The accumulators (y, absdot) += X[:, pc .. pc + kc) * wp, wp the packed
 * block of columns [n0, n0 + nc). A W micro-panel stays in L1 across the row
 * tiles of a pass of MCK rows. */
INLINE void block_update(const struct job *jb, const double *wp, int64_t pc, int64_t kc,
                         int64_t nc) {
    const struct gemm *g = jb->g;
    const struct ref_input *in = g->in;
    int64_t tiles = (in->M + MR - 1) / MR;
    for (int64_t t0 = 0; t0 < tiles; t0 += MCK / MR) {
        int64_t t1 = ref_min(t0 + MCK / MR, tiles);
        for (int64_t jp = 0; jp * NR < nc; jp++) {
            const double *w = wp + jp * ref_panel_stride(kc, NR);
            for (int64_t t = t0; t < t1; t++) {
                int mr = (int)ref_min(MR, in->M - t * MR);
                int64_t xo = (t * in->K + pc) * MR;
                tile_rows(mr, 0, kc, g->xp + xo, w, acc_tile(jb->acc, tiles, t, jp), NR);
                if (g->absdot)
                    tile_rows(mr, 1, kc, g->xa + xo, w, acc_tile(jb->acc_abs, tiles, t, jp), NR);
            }
        }
    }
}

/* Y (and absdot) columns [n0, n0 + nc) = the accumulators. */
INLINE void acc_store(const struct job *jb, int64_t n0, int64_t nc) {
    const struct gemm *g = jb->g;
    const struct ref_input *in = g->in;
    int64_t tiles = (in->M + MR - 1) / MR;
    for (int64_t t = 0; t < tiles; t++)
        for (int64_t jp = 0; jp * NR < nc; jp++) {
            size_t bytes = (size_t)ref_min(NR, nc - jp * NR) * sizeof(double);
            for (int64_t i = 0; i < MR && t * MR + i < in->M; i++) {
                int64_t yo = (t * MR + i) * in->N + n0 + jp * NR;
                memcpy(g->y + yo, acc_tile(jb->acc, tiles, t, jp) + i * NR, bytes);
                if (g->absdot)
                    memcpy(g->absdot + yo, acc_tile(jb->acc_abs, tiles, t, jp) + i * NR, bytes);
            }
        }
}

/* ref_gemm's job: Y = X W (+ bias) on columns [n0, n1), block by block; or
 * ref_dequant's: those columns of W. */
static KERN_ATTR void job_run(const struct job *j) {
    const struct gemm *g = j->g;
    const struct ref_input *in = g->in;
    ref_scales_to_double(g, j->n0, j->n1);
    if (g->w) {
        for (int64_t k = 0; k < in->K; k++)
            dequant_row(g, k, j->n0, j->n1 - j->n0, g->w + k * in->N + j->n0, NR);
        return;
    }
    size_t acc_bytes = (size_t)((in->M + MR - 1) / MR * MR * NC) * sizeof(double);
    for (int64_t n0 = j->n0; n0 < j->n1; n0 += NC) {
        int64_t nc = ref_min(NC, j->n1 - n0);
        memset(j->acc, 0, acc_bytes);
        if (g->absdot) memset(j->acc_abs, 0, acc_bytes);
        for (int64_t pc = 0; pc < in->K; pc += KC) {
            int64_t kc = ref_min(KC, in->K - pc);
            pack_block(g, j->wp, pc, kc, n0, nc);
            block_update(j, j->wp, pc, kc, nc);
        }
        acc_store(j, n0, nc);
    }
    if (in->bias) ref_add_bias(g, j->n0, j->n1);
}

const struct ref_build KERN_BUILD = {KERN_ISA, KERN_LABEL, KERN_MR, KERN_NR, job_run};

/* errmap.h - where and how large the error of one finished case is, beyond
 * compare's metrics: a normalized error (the y axis of the report's
 * error-against-K plot) and a small downsampled error grid over the output
 * (the report's heatmap of a failing case).
 *
 * Normalized error (dimensionless, comparable across shapes and scales):
 *   real:  max_i |got_i - ref_i| / max(sum_k |x||w| (+|bias|), min_normal)
 *          Theory: <= u_out + u_w + K * 2^-24 (compare's bound divided by
 *          sum |x||w|, since |ref| <= sum |x||w|); the tolerance is that times
 *          the safety factor.
 *   exact: max_i |got_i - ref_i| / max(|ref_i|, min_normal), ref before the
 *          output rounding. The sums are exact, so a right kernel's only error
 *          is the final rounding: <= u_out.
 * (min_normal: the smallest normal number of the output dtype; +inf when an
 * element is NaN, Inf or was never written.)
 *
 * Error grid: the output [M][N] cut into rows = min(M, 64) row groups and
 * cols = min(N, 256) column groups (element (m, n) falls into cell
 * (m*rows/M, n*cols/N)). A cell holds the largest relative error of its
 * elements, |got - ref| / rms(ref of that output row) (exact mode: against the
 * rounded reference, so a right element contributes exactly 0), or NaN when
 * one of them is non-finite or unwritten. Dividing by the row's RMS takes out
 * the rows' different activation magnitudes, so what a wrong weight, scale or
 * zero-point layout does to each column shows as column streaks, and a tail
 * bug as the last rows or columns. Memory: at most 64*256 floats. */
#ifndef GH_ERRMAP_H
#define GH_ERRMAP_H

#include <stdint.h>

#include "verdict/compare.h"

#define ERRGRID_MAX_ROWS 64
#define ERRGRID_MAX_COLS 256

enum { ERRGRID_OUTPUT = 0, ERRGRID_WEIGHTS = 1 };

struct errgrid {
    int rows, cols;
    int space;    /* ERRGRID_OUTPUT: over the output [M][N];
                     ERRGRID_WEIGHTS: over the weights' (group, column), M = G groups */
    int64_t M, N; /* the shape the grid covers */
    float *cells; /* [rows][cols] */
};

/* The normalized error of a case. in->absdot is needed in real mode (when
 * NULL, the exact-mode normalization is used). */
double errmap_norm(const struct compare_input *in);

/* The error grid of a case; NULL when out of memory or M*N == 0. */
struct errgrid *errmap_grid(const struct compare_input *in);

/* The error grid over the weights the kernel was handed, for a case whose
 * adapter is wrong: w_eff (the ABI tensors dequantized as the contract says,
 * in logical row order) against w_true (the logical weights), both [K][N].
 * Rows are the K groups (g_idx[k]), in at most ERRGRID_MAX_ROWS cells,
 * columns in at most ERRGRID_MAX_COLS; a cell holds the largest
 * |w_eff - w_true| / rms(w_true) of its elements (0 where the weights are
 * right). This is where a layout shows its pattern: a transposed zero-point
 * tensor leaves a regular lattice of right (group, 8-column) blocks, a
 * group-boundary bug one row of cells per group, a wrong nibble order a
 * period of 8 columns. NULL when out of memory or when nothing differs. */
struct errgrid *errmap_weight_grid(const double *w_eff, const double *w_true, const int32_t *g_idx,
                                   int64_t K, int64_t N, int64_t G);

/* An empty grid of the given size (cells zeroed); NULL when the size is out
 * of range or memory is short. */
struct errgrid *errgrid_new(int rows, int cols, int64_t M, int64_t N);
void errgrid_free(struct errgrid *g);

/* Smallest normal number of the dtype. */
double errmap_min_normal(dtype_t dt);

#endif

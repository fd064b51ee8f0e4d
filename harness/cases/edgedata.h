/* edgedata.h - the edge-value data mode (data=edge, docs/comparison.md): exact
 * data, still with one right answer, whose values sit at the edges of the
 * number formats on purpose.
 *
 * Rows of X and columns of W each take a class ((index + seed) mod 4 for
 * rows, mod 8 for columns):
 *   rows     ordinary  small integers, as data=exact
 *            ladder    x_k = +-2^(k-1) for k < B, 0 beyond (B = min(p+2, K-1),
 *                      p the dtype's precision): with a designed column the
 *                      sum is exactly +-T/2 for the column's target T
 *            subnormal x_k = j * (smallest subnormal), |j| small
 *            huge      one value near the dtype's maximum ((12..15) * 2^(emax-3);
 *                      bf16: 2^-4 of that, so x * 15 stays a finite float) at
 *                      k = B, 0 elsewhere
 *   columns  ordinary  (3 of 8) as data=exact: dense random weights; bias 0
 *            designed  weights (q - z) in {0, 1} on rows k < B spelling a
 *                      target T in binary, 0 elsewhere; one scale for every
 *                      group, 2^E but in the fine class:
 *            fine      a scale sig * 2^E with all p significant bits (sig
 *                      odd): a kernel that narrows the scales (f16 held as
 *                      bf16) is off by up to 2^-p on every output; bias 0
 *            tie       T odd with p+1 significant bits: a ladder row's output
 *                      is a rounding tie (subnormal or normal, by E)
 *            carry     T = 2^(p+1)-1, 2^(p+2)-1 or 2^(p+2)-2: rounding carries
 *                      into the exponent
 *            subnormal E = the smallest subnormal exponent (a subnormal scale):
 *                      subnormal outputs, exact zeros (T = 0), subnormal
 *                      ties, the tie between the largest subnormal and the
 *                      smallest normal; subnormal bias
 *            big       outputs up to the dtype's maximum; with bias, a bias
 *                      of 2^emax
 * Every product is a multiple of a unit representable in a float, every sum
 * in any order stays below 2^24 units and within range (or every product of
 * a pair is far below the smallest subnormal, so every order gives 0): the
 * reference is exact and rounding it once is the one right answer. */
#ifndef GH_EDGEDATA_H
#define GH_EDGEDATA_H

#include "cases/problem.h"

enum edge_row { EDGE_ROW_ORDINARY = 0, EDGE_ROW_LADDER, EDGE_ROW_SUBNORMAL, EDGE_ROW_HUGE };
enum edge_col {
    EDGE_COL_ORDINARY = 0, /* classes 0..2 */
    EDGE_COL_FINE = 3,
    EDGE_COL_TIE,
    EDGE_COL_CARRY,
    EDGE_COL_SUBNORMAL,
    EDGE_COL_BIG
};

enum edge_row edge_row_class(const struct case_desc *d, int64_t m);
/* The column class (classes 0..2 are all EDGE_COL_ORDINARY). */
enum edge_col edge_col_class(const struct case_desc *d, int64_t n);
/* B: the designed rows are k < B (and the huge row's value sits at k = B). */
int64_t edge_rows(const struct case_desc *d);

/* Fills x, q, z, s and bias of p (allocated, shape set, g_idx filled);
 * xmax, spread: the exact-mode parameters for K (problem.c). */
void edge_generate(struct problem *p, int xmax, int spread);

#endif

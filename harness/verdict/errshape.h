/* errshape.h - the shape of an error, in words: which output rows and
 * columns are wrong, and which weight rows, columns and groups the kernel's
 * arguments get wrong, e.g.
 *   "output: every element wrong (280/280)"
 *   "output: 56/280 wrong: rows m all 7 x columns n 32..39; 56 never written"
 *   "weights: 2880/15360 wrong: rows k all 384 x columns n with n % 8 in {1,2,5,6}; ..."
 *   "... in every wrong (group, column) the error is constant over the group's
 *    32 rows (a zero-point error)"
 * Pure functions on host arrays; used by the diagnosis of FAILED cases. */
#ifndef GH_ERRSHAPE_H
#define GH_ERRSHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "verdict/compare.h"
#include "cases/problem.h"

/* Describes the index set {i < n : in[i]} in a few words: "none", "all 40",
 * "32..39", "0..6, 12", "every 32nd from 31 (12)", "with i % 8 in {1,2}",
 * "17 of 384 (first 3, 9, 11, ...)". Returns chars written, like snprintf. */
int shape_set(const unsigned char *in, int64_t n, char *buf, size_t len);

/* The output's error shape: which elements of ci->got fail against ci->yref
 * (element by element, compare_element_ok), as rows m x columns n, how many
 * were never written, and whether the error is one constant per column
 * (a per-column offset such as a bias). label names the reference, e.g.
 * "output". Returns 0, or -1 (out of memory; buf then says so). */
int shape_output(const struct compare_input *ci, const char *label, char *buf, size_t len);

/* The weights' error shape: w_eff [K][N] (the weights the kernel's arguments
 * encode, in logical row order: abi_dequant_logical) against the logical
 * W of p: wrong rows k, columns n and groups, and per wrong (group, column)
 * whether the error is constant over the group's rows (a zero-point error)
 * or proportional to q - z (a scale error). Returns 0 or -1 (out of memory). */
int shape_weights(const double *w_eff, const struct problem *p, char *buf, size_t len);

/* A mask of wrong weights over rows 0 .. rows-1 of K (e.g. the rows a probe
 * read back), in some row order, with the group of every row in that order. */
struct weight_mask {
    const unsigned char *bad; /* [rows][N] */
    int64_t rows, K, N;
    int64_t probed;     /* rows actually looked at (a partial probe; rows not looked at are 0 in
                           bad); 0: all rows */
    const int32_t *gid; /* [K] group of each row, 0 .. G-1 */
    int64_t G, gs;
};

/* Its shape as rows k, columns n and groups, after label. Returns 0 or -1
 * (out of memory, or an empty mask). */
int shape_weight_mask(const struct weight_mask *wm, const char *label, char *buf, size_t len);

#endif

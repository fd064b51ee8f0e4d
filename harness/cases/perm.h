/* perm.h - act-order permutation families (docs/descriptors.md, perm=).
 *
 * The kernel receives act-order as a permutation P of A's columns
 * (A'[:, k] = A[:, P[k]]) with weight row k in group k / gs: docs/abi.md.
 * A family fixes P, a pure function of the descriptor (seed, k, g, perm):
 *   random    the g_idx is a random permutation of the group ids (Fisher-Yates
 *             on i / gs); P is its stable argsort (rows of a group ascending)
 *   identity  P[k] = k: the trivial g_idx, handed over as a permutation
 *   ends      random, but P[0] = 0 and P[K-1] = K-1 (the end points fixed)
 *   reverse   P[k] = K-1-k (groups in reverse order, rows descending inside)
 *   ingroup   each group's rows shuffled among themselves (the g_idx is
 *             trivial; only the order inside a group changes)
 *   swap      the identity with one pair of columns exchanged (from two
 *             different groups when there are two)
 * The checkpoint's g_idx follows from P (g_idx[P[k]] = k / gs); the order
 * inside a group is the adapter's choice (any P with that property is
 * right), and the reference adapter hands over the family's P. */
#ifndef GH_PERM_H
#define GH_PERM_H

#include <stdint.h>

#include "cases/desc.h"

/* Fills perm[0..K) with the family's permutation for d (d->gidx == GIDX_ACT,
 * d valid). Returns 0, or -1 on allocation failure. */
int perm_family(const struct case_desc *d, int32_t *perm);

/* The g_idx a permutation implies: g_idx[perm[k]] = k / gs. */
void perm_to_gidx(const int32_t *perm, int64_t K, int64_t gs, int32_t *g_idx);

/* 1 when perm is a permutation of 0..K-1 with g_idx[perm[k]] == k / gs for
 * every k (the rows of kernel group b are exactly the columns of group b). */
int perm_matches_gidx(const int32_t *perm, const int32_t *g_idx, int64_t K, int64_t gs);

/* Stable argsort of group ids (G groups): rows of each group ascending.
 * Returns -1 when an id is outside 0..G-1 or on allocation failure. */
int perm_argsort_groups(const int32_t *g_idx, int64_t K, int64_t G, int32_t *perm);

#endif

/* problem_load.h - a logical problem from packed checkpoint tensors: the
 * inverse of generate + pack, for cases that were not generated from their
 * descriptor (a replayed fixture, a layer of a real checkpoint). */
#ifndef GH_PROBLEM_LOAD_H
#define GH_PROBLEM_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "cases/problem.h"
#include "formats/tensor.h"

/* Builds p for descriptor d from ckpt (packed as d->fmt, d->zp says; shapes
 * from d->k, d->n and d's group size):
 *   Q, Z, S, g_idx  from format_unpack; g_idx k / group size when none is
 *                   stored. A stored g_idx must agree with d->gidx (stored
 *                   exactly when gidx is trivial or act; trivial means
 *                   g_idx[k] = k / group size).
 *   X               copied from x [M][K] or, when x is NULL, drawn N(0,1) from
 *                   d->seed the way data=real draws activations;
 *   bias            copied from bias [N] when d->bias (then it must be given).
 * Returns 0, or -1 with a message (p is then empty). */
int problem_from_ckpt(const struct case_desc *d, const struct tensor_set *ckpt, const uint16_t *x,
                      const uint16_t *bias, struct problem *p, char *err, size_t errlen);

#endif

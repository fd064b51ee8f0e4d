/* randcase.h - random descriptors over the whole case space, for
 * `run --random N` (docs/running.md#random-descriptors): shapes (M from
 * decode to prefill, N to 4096, K to 16384, tails around multiples of 256,
 * 4096 and 8192), every format, zero point, g_idx kind, permutation family,
 * group size (8 .. 256, -1, g = K), dtype, data mode and bias.
 *
 * Case i of seed s is a pure function of (s, i); the descriptor's own seed is
 * drawn too. The work M*N*K is capped (max_macs) by halving M, then N, then
 * K's group count, so a case stays cheap on a CPU device. */
#ifndef GH_RANDCASE_H
#define GH_RANDCASE_H

#include <stdint.h>

#include "cases/desc.h"

#define RANDCASE_DEFAULT_MACS ((int64_t)1 << 23)

/* Draws case i of seed into d (valid, adapter=reference, no fault). */
void randcase_draw(uint64_t seed, uint64_t i, int64_t max_macs, struct case_desc *d);

#endif

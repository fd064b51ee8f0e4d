/* refbench.h - timing the reference on one case, for `gptq-harness bench`
 * and bench/bench_ref.c (the side-by-side comparison with a BLAS).
 *
 * A repeat runs, in this order: ref_dequant (all of W to double), ref_gemm
 * without absdot, ref_gemm with absdot, and the caller's extra step (e.g. a
 * BLAS dgemm on the dequantized W); each is timed, and the medians over the
 * repeats are reported. One warm-up repeat comes first and is not counted.
 * Interleaving the steps makes a busy machine slow them all alike. */
#ifndef GH_REFBENCH_H
#define GH_REFBENCH_H

#include <stddef.h>

#include "reference/refgemm.h"
#include "cases/problem.h"

struct refbench {
    struct problem p;
    struct ref_input ri;
    double *y, *absdot; /* [M][N] */
    double *w;          /* [K][N]: W dequantized by ref_dequant */
};

/* Seconds per step (extra: 0 when there is no extra step). */
struct refbench_times {
    double dequant, gemm, gemm_absdot, extra;
};

/* The caller's extra step: times itself (it may do untimed work after) and
 * returns its seconds, or a negative value on failure. */
typedef double (*refbench_step)(void *ctx, const struct refbench *b);

/* Generates the case of descriptor line and allocates the buffers. threads:
 * the reference's (<= 0: online CPUs). Returns 0, or -1 with a message. */
int refbench_open(const char *line, int threads, struct refbench *b, char *err, size_t errlen);
void refbench_close(struct refbench *b);

/* Runs 1 + repeat repeats (repeat <= REFBENCH_MAX_REPEAT); extra may be
 * NULL. Gives the medians and (best, when not NULL) the minima over the
 * counted repeats. Returns 0, or -1 when a step failed. */
#define REFBENCH_MAX_REPEAT 1000
int refbench_run(struct refbench *b, int repeat, refbench_step extra, void *ctx,
                 struct refbench_times *med, struct refbench_times *best);

/* 2 M N K / seconds / 1e9. */
double refbench_gflops(const struct refbench *b, double seconds);

#endif

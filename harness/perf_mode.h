/* perf_mode.h - `run --mode perf`: after each case's correctness run, time
 * its kernel (OpenCL profiling events, warm-up, repeats, median, rotating
 * input sets) and report GB/s and GFLOP/s, also as shares of the device's
 * peaks measured at the start of the same run. */
#ifndef GH_PERF_MODE_H
#define GH_PERF_MODE_H

#include <stdio.h>

#include "backend_cl.h"
#include "runner.h"

#define PERF_DEFAULT_REPEATS 50

struct perf_mode {
    struct cl_backend *cl;
    int repeats;
    struct clb_peaks peaks;
    int have_peaks;
    int have;          /* the last case was timed */
    struct clb_perf last;
    char err[256];     /* why the last case was not timed */
};

/* Measures the device peaks and prints them on out. */
void perf_mode_start(struct perf_mode *pm, struct cl_backend *cl, int repeats, FILE *out);
/* case_hook: times the case's kernel on the ABI tensors it ran with. */
void perf_mode_hook(void *ctx, const struct case_result *r, const struct case_work *w);
/* Prints the last case's timing line ("perf: ..."). */
void perf_mode_print(const struct perf_mode *pm, FILE *out);

#endif

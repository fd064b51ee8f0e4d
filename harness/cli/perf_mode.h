/* perf_mode.h - `run --mode perf`: after each case's correctness run, time
 * its kernel (OpenCL profiling events, warm-up, repeats, median, rotating
 * input sets; one launch at a time and back to back) and report GB/s and
 * GFLOP/s, also as shares of the device's peaks measured at the start of the
 * same run and of a read-only kernel over the same bytes. The figures go to
 * the console and, one JSON object per line, to perf.jsonl in the run
 * directory: first the peaks ("kind":"peaks"), then one line per case
 * ("kind":"case"; "timed":false with "reason" when it was not timed). */
#ifndef GH_PERF_MODE_H
#define GH_PERF_MODE_H

#include <stdint.h>
#include <stdio.h>

#include "backends/backend_cl.h"
#include "verdict/runner.h"

#define PERF_DEFAULT_REPEATS 50

struct perf_mode {
    struct cl_backend *cl;
    int repeats;
    struct clb_peaks peaks;
    int have_peaks;
    int have; /* the last case was timed */
    struct clb_perf last;
    char err[256]; /* why the last case was not timed */
    FILE *jsonl;   /* perf.jsonl, or NULL */
    char path[4200];
    int write_failed;
};

/* Measures the device peaks, prints them on out and, when dir is not NULL,
 * starts dir/perf.jsonl with them. */
void perf_mode_start(struct perf_mode *pm, struct cl_backend *cl, int repeats, FILE *out,
                     const char *dir);
/* case_hook: times the case's kernel on the ABI tensors it ran with. */
void perf_mode_hook(void *ctx, const struct case_result *r, const struct case_work *w);
/* Prints the last case's timing lines ("perf: ..."). */
void perf_mode_print(const struct perf_mode *pm, FILE *out);
/* Appends the last case's line to perf.jsonl (index: its place in the
 * sweep, d: its descriptor); a write error is reported once on stderr. */
void perf_mode_record(struct perf_mode *pm, int64_t index, const struct case_desc *d);
/* Closes perf.jsonl; returns -1 when a line could not be written. */
int perf_mode_finish(struct perf_mode *pm);

#endif

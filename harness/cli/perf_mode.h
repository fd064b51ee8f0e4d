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

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "backends/backend_cl.h"
#include "backends/backend_exec.h"
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
    /* An external kernel runner that times its own kernel (perf_exec.c);
     * then cl is NULL, peaks.copy_gbs is the runner's copy peak, and the
     * last case's figures are in xlast, xbytes, xflops. */
    struct exec_backend *exec;
    struct exb_perf xlast;
    double xbytes, xflops;
};

/* Measures the device peaks, prints them on out and, when dir is not NULL,
 * starts dir/perf.jsonl with them. */
void perf_mode_start(struct perf_mode *pm, struct cl_backend *cl, int repeats, FILE *out,
                     const char *dir);
/* The same for an external kernel runner (perf_exec.c): every case asks the
 * runner to time its own kernel over repeats launches; the peaks line holds
 * the runner's copy peak. */
void perf_mode_start_exec(struct perf_mode *pm, struct exec_backend *exec, int repeats, FILE *out,
                          const char *dir);
/* case_hook: times the case's kernel on the ABI tensors it ran with. */
void perf_mode_hook(void *ctx, const struct case_result *r, const struct case_work *w);
/* Prints the last case's timing lines ("perf: ..."). */
void perf_mode_print(const struct perf_mode *pm, FILE *out);
/* Appends the last case's line to perf.jsonl (index: its place in the
 * sweep, d: its descriptor); a write error is reported once on stderr. */
void perf_mode_record(struct perf_mode *pm, int64_t index, const struct case_desc *d);
/* Shared with perf_exec.c: starts dir/perf.jsonl (dir NULL: none) and
 * writes obj as one line of it (obj is freed). */
void perf_mode_open_jsonl(struct perf_mode *pm, const char *dir);
void perf_mode_write_line(struct perf_mode *pm, cJSON *obj);
/* perf_exec.c's parts of the hook, print and record. */
void perf_exec_hook(struct perf_mode *pm, const struct case_result *r, const struct case_work *w);
void perf_exec_print(const struct perf_mode *pm, FILE *out);
void perf_exec_record(struct perf_mode *pm, cJSON *o);
/* Closes perf.jsonl; returns -1 when a line could not be written. */
int perf_mode_finish(struct perf_mode *pm);

#endif

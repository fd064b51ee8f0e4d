/* runout.h - the outputs of a running sweep: creates the run directory,
 * streams one results.jsonl line per finished case (results.h), keeps the
 * records (with the error grids of failing cases, taken from the case's work
 * by runout_hook) and at the end writes JUnit and the reports (outputs.h).
 * cmd_run calls, per case: run_case(..., runout_hook, ro) then
 * runout_case(ro, index, &result). */
#ifndef GH_RUNOUT_H
#define GH_RUNOUT_H

#include <stdint.h>
#include <stdio.h>

#include "results/baseline.h"
#include "results/outputs.h"
#include "results/record.h"
#include "verdict/case_result.h"

struct runout;

struct runout_cfg {
    struct outputs_cfg out;
    struct sweep_id sweep;
    struct run_env env;
    const char *repro_prefix; /* e.g. "build/gptq-harness run --kernel x.cl" */
};

/* Creates the run directory (none with --out none) and the JUnit file's
 * folder, opens results.jsonl, loads the baseline.
 * Returns NULL with a message (a bad baseline or an unwritable directory:
 * usage errors, exit 2). */
struct runout *runout_open(const struct runout_cfg *c, char *err, size_t errlen);

/* A case_hook (runner.h): computes the normalized error and, for a failing
 * case with an output, the error grid; runout_case picks them up. */
void runout_hook(void *ctx, const struct case_result *r, const struct case_work *w);

/* Records one finished case (index: its place in the sweep) and appends its
 * line to results.jsonl. A write error is reported once on stderr and makes
 * the exit code 1. After a failed write nothing more is appended
 * (results.h: the file is cut back to its last complete line); the cases
 * that ran without a line stay in the reports, are named on stderr at the
 * end, and mark the run partial. */
void runout_case(struct runout *o, int64_t index, const struct case_result *r);

/* Marks the run partial (interrupted): the reports' title and the JUnit
 * suite name say so, with note (e.g. "interrupted after 12 of 496 cases"). */
void runout_mark_partial(struct runout *o, const char *note);

/* A case of the sweep that was not run (the run was interrupted): the
 * reports list it, JUnit has it as an error (gaps.h). Returns 0 or -1. */
int runout_not_run(struct runout *o, int64_t index, const char *desc);

/* Closes the stream and writes JUnit and the reports; returns the exit code
 * (outputs.h) given the verdicts' exit code. */
int runout_finish(struct runout *o, int verdict_code, FILE *out);

/* The run directory (reports/<timestamp>-<n> or --out); NULL with --out none. */
const char *runout_dir(const struct runout *o);

void runout_free(struct runout *o);

#endif

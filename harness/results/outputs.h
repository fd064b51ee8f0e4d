/* outputs.h - what a run, or a merge of shards, leaves behind once its
 * records are complete: the baseline judgement on stdout (regressions
 * first), the JUnit XML, the plots, report.html and report.md; and the
 * process exit code. Also the options that steer them, shared by `run` and
 * `report merge`:
 *   --out DIR            run directory (rundir.h); "none" (OUTPUTS_NO_DIR): no
 *                        run directory, no results.jsonl, no reports (a repro)
 *   --junit FILE         JUnit XML (junit.h)
 *   --baseline FILE      judge against an earlier results.jsonl (baseline.h)
 *   --drift-factor F     drift threshold, F > 1 (default BASELINE_DRIFT_FACTOR)
 *
 * Exit code: without a baseline, the verdicts' (0 all passed or skipped, 1
 * any FAILED, MISTRUSTED or ERROR); with one, 1 exactly when a case fails
 * that did not fail in the baseline (baseline.h). Failing to write the JUnit
 * file or a report makes it at least 1: CI must not go green without them;
 * so does a partial run (gaps.h), and the reports show the code it ends
 * with. The closing "results: ... report: ..." line names only what was
 * written. */
#ifndef GH_OUTPUTS_H
#define GH_OUTPUTS_H

#include <getopt.h>
#include <stdio.h>

#include "results/baseline.h"
#include "results/gaps.h"
#include "results/record.h"

struct outputs_cfg {
    const char *out;      /* --out, NULL: reports/<timestamp>/ */
    const char *junit;    /* NULL: no JUnit file */
    const char *baseline; /* NULL: no baseline */
    double drift_factor;
    const char *title;           /* report title and JUnit suite name */
    const struct run_gaps *gaps; /* NULL: complete; else the title says PARTIAL (gaps.h) */
    /* for the head of the reports (NULL: left out) */
    const char *command; /* the command line that made the run */
    const char *batches; /* the batch files it read, ", "-separated */
};

/* getopt_long entries for the options above (codes 'o', 'J', 'B', 'D'). */
#define OUTPUTS_LONG_OPTIONS                                                                       \
    {"out", required_argument, 0, 'o'}, {"junit", required_argument, 0, 'J'},                      \
        {"baseline", required_argument, 0, 'B'}, {                                                 \
        "drift-factor", required_argument, 0, 'D'                                                  \
    }
#define OUTPUTS_USAGE                                                                              \
    "[--out DIR] [--junit FILE] [--baseline PREV/results.jsonl] [--drift-factor F]"

#define OUTPUTS_NO_DIR "none"

void outputs_defaults(struct outputs_cfg *c);

/* 1 when --out none: nothing is written but --junit. */
int outputs_no_dir(const struct outputs_cfg *c);

/* Before the first case: creates the JUnit file's folder (with its parents)
 * and checks that a file can be created there, so that a run does not fail
 * only at its end. Returns 0 or -1 + err. */
int outputs_prepare(const struct outputs_cfg *c, char *err, size_t errlen);

/* Handles option code c with argument arg. Returns 1 when it was one of
 * ours, 0 when not, -1 on a bad value (message on stderr naming cmd). */
int outputs_option(struct outputs_cfg *c, int code, const char *arg, const char *cmd);

/* Writes everything into rundir (the records must be sorted by index) and
 * returns the exit code; verdict_code is the exit code of the verdicts. bl
 * may be NULL; rundir NULL (--out none): JUnit and the findings only. Messages go to out (findings)
 * and stderr (problems). */
int outputs_finish(const struct outputs_cfg *c, const char *rundir, const struct baseline *bl,
                   const struct record_list *l, int verdict_code, FILE *out);

#endif

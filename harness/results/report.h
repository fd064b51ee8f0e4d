/* report.h - the run's reports for people: RUN/report.html (self-contained:
 * CSS and the SVG plots inline) and RUN/report.md (PNG plots beside it, in
 * RUN/plots/). Both hold, in this order:
 *   - the head: when and on which host the report was written, the command
 *     line and the batch files
 *   - summary (verdict counts, the exit code, the sweep and how much of it)
 *   - against the baseline, when one was given: regressions and new failures
 *     first, then drift and fixed cases (known failures only counted)
 *   - environment (device, platform, driver, kernel file and hash, harness
 *     version, git commit)
 *   - the format x variant matrix (rows: format and adapter; columns: zero
 *     point, g_idx kind, group size), each cell coloured by the worst verdict
 *     of its cases and counting them
 *   - the worst cases (failures first, then the passing cases closest to
 *     their tolerance) with their repro lines
 *   - plots (plots.h), or why they are missing
 * Timings appear on one line only ("Case time: ..."): everything else is a
 * function of the results, so merged shards give the unsharded report. */
#ifndef GH_REPORT_H
#define GH_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "results/baseline.h"
#include "results/gaps.h"
#include "results/plots.h"
#include "results/record.h"

#define REPORT_WORST 20     /* worst cases listed */
#define REPORT_FINDINGS 200 /* baseline findings listed per kind */

struct report_input {
    const char *rundir;
    const char *title;           /* e.g. "gptq-harness run" */
    const struct record_list *l; /* sorted by index */
    const struct bl_report *bl;  /* NULL without a baseline */
    const struct plots *plots;
    int exit_code;
    /* the head of the report: when and where it was written, and how */
    time_t written;
    char host[256];
    const char *command;         /* NULL: not known */
    const char *batches;         /* NULL: none */
    const struct run_gaps *gaps; /* NULL or empty: the run is complete */
};

/* The head's lines as (label, value) pairs: written (UTC), host, command,
 * batch files; returns how many (those known). */
size_t report_head(const struct report_input *in, const char *labels[4], const char *values[4],
                   char when[64]);

/* Write RUN/report.html and RUN/report.md. Return 0, or -1 with a message. */
int report_write_html(const struct report_input *in, char *err, size_t errlen);
int report_write_md(const struct report_input *in, char *err, size_t errlen);

/* Copies the SVG file into out from its <svg> element on, each id and each
 * reference to one (id='X', href='#X', url(#X)) prefixed, so that several
 * plots can live in one HTML document. Returns 0 or -1 (unreadable, no
 * <svg>, larger than 32 MiB). */
int report_svg_inline(FILE *out, const char *path, const char *prefix);

#endif

/* plots.h - the report's plots, drawn by gnuplot (an external program) from
 * data files the harness writes into RUN/plots/ and the templates
 * reports/NAME.gp (found in the checkout or next to the executable):
 *   error_vs_k     normalized error (errmap.h) against K, log-log, a panel per
 *                  dtype x data mode, with the theoretical bound
 *   by_variant     normalized error by group size, zero point and g_idx kind
 *   heat-INDEX     one heatmap per diagnosis (rm_group_key, report_model.h),
 *   probe-INDEX    of the first failing case of each group with a picture
 *                  that shows a pattern (at most PLOTS_MAX_HEATMAPS): the
 *                  probe's map of the weights a wrong kernel reads wrong
 *                  (probe-INDEX, reports/probemap.gp; right and wrong cells),
 *                  else its error grid (heat-INDEX, reports/heatmap.gp: over
 *                  the weights, or over the output with right and wrong
 *                  cells), so that a sweep with 48 cases of one bug shows its
 *                  pattern once, and a picture wrong everywhere is not drawn
 * Each plot as SVG (inlined in report.html) and PNG (linked from report.md).
 *
 * gnuplot is $GPTQ_HARNESS_GNUPLOT when set, else "gnuplot" from PATH; it runs
 * once over a driver script RUN/plots/plots.gp, its messages go to
 * RUN/plots/gnuplot.log. When it is missing or fails, plots_make says why in
 * p->missing and the reports are written without (those) plots. */
#ifndef GH_PLOTS_H
#define GH_PLOTS_H

#include <stddef.h>

#include "results/record.h"

#define PLOTS_MAX_HEATMAPS 12
/* Seconds gnuplot may run ($GPTQ_HARNESS_GNUPLOT_TIMEOUT overrides); past
 * that, or when SIGINT, SIGTERM or SIGHUP arrives while it runs, it is killed
 * and the reports are written without plots. */
#define PLOTS_GNUPLOT_TIMEOUT 120.0
#define PLOTS_PATH_MAX 4400

struct plot_file {
    char svg[PLOTS_PATH_MAX], png[PLOTS_PATH_MAX]; /* paths as the program opens them */
    char png_rel[128];                             /* PNG relative to the run directory */
    int ok;                                        /* both files were written */
};

struct plot_heat {
    size_t rec;   /* index into the record list */
    size_t cases; /* failing cases with a grid or probe map and the same diagnosis (rec too) */
    int probe;    /* 1: the probe's weight map (record.probe), 0: the error grid */
    struct plot_file f;
};

struct plots {
    char missing[600]; /* "" when gnuplot ran; else why there are no plots */
    struct plot_file k, variant;
    struct plot_heat heat[PLOTS_MAX_HEATMAPS];
    size_t nheat;
    size_t heat_flat; /* groups not drawn: no picture of theirs shows a pattern, or past the cap */
};

/* What heatmap h shows, in words: "weights the kernel reads wrong (one-hot
 * probe of all 256 rows)", "error over the weights handed to the kernel" or
 * "error over the output". */
void plots_heat_what(const struct plot_heat *h, const struct case_record *r, char *buf, size_t len);

/* Writes the data and the driver, runs gnuplot. Returns 0 when gnuplot ran,
 * -1 when the plots are missing (p->missing says why). */
int plots_make(const char *rundir, const struct record_list *l, struct plots *p);

#endif

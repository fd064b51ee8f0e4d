/* report_model.h - what report.html and report.md show, computed once from
 * the records: verdict counts, the format x variant matrix and the list of
 * worst cases, and the diagnosis groups of failing cases (which the plots
 * use to draw one heatmap per group). Internal to the report writers, the
 * plots and their tests. */
#ifndef GH_REPORT_MODEL_H
#define GH_REPORT_MODEL_H

#include <stddef.h>

#include <stdio.h>

#include "results/baseline.h"
#include "results/record.h"
#include "results/report.h"

struct rm_tally {
    long n, by[V_COUNT];
};

struct rm_row { /* format and adapter (and a forced vllm-xpu zero-point route) */
    fmt_t fmt;
    adapter_t adapter;
    zproute_t zproute;
};

struct rm_col { /* the variant */
    zp_t zp;
    gidx_t gidx;
    int64_t g;
};

/* One line of the baseline section: a finding, or (more > 0) "... more"
 * of that kind after REPORT_FINDINGS of them. */
struct rm_finding {
    size_t rec; /* index into the record list */
    bl_kind_t kind;
    size_t more;
};

/* Failing cases that share a diagnosis (rm_group_key): how many, and the
 * worst of them as the example. */
#define RM_GROUP_KEY_MAX 240
struct rm_group {
    char key[RM_GROUP_KEY_MAX];
    verdict_t verdict; /* the example's */
    size_t count;
    size_t example; /* index into the record list */
};

struct rm_model {
    struct rm_tally total;
    struct rm_row *rows;
    struct rm_col *cols;
    size_t nrows, ncols;
    struct rm_tally *cell; /* [nrows][ncols] */
    size_t *worst;         /* indices into the record list, worst first */
    size_t nworst;
    size_t failing;              /* FAILED + MISTRUSTED + ERROR */
    double case_time;            /* sum of the cases' total times */
    struct rm_finding *findings; /* regressions, new failures, drift, fixed */
    size_t nfindings;
    struct rm_group *groups; /* failures by diagnosis, largest group first */
    size_t ngroups;
    size_t *closest; /* passing cases closest to their tolerance, closest first */
    size_t nclosest;
};

/* The group's key without its verdict ("explained by fault ..."). */
const char *rm_group_label(const struct rm_group *g);

/* What failing cases are grouped by: the diagnosis up to its first "; " (e.g.
 * "explained by fault zeros-transposed (...)"), else where the fault lies up
 * to its ':' ("kernel wrong"), else the reason up to its first ':' or '('
 * ("kernel build failed"); the verdict in front. */
void rm_group_key(const struct case_record *r, char *buf, size_t len);

/* bl may be NULL. Returns 0 or -1 (out of memory). */
int rm_build(const struct record_list *l, const struct bl_report *bl, size_t max_worst,
             struct rm_model *m);
void rm_free(struct rm_model *m);

/* The verdict a cell is coloured by: the worst present (ERROR, FAILED,
 * MISTRUSTED, PASSED, SKIPPED in that order); -1 for an empty cell. */
int rm_cell_verdict(const struct rm_tally *t);

/* "gptq-v1 / reference", "ct / vllm-xpu zproute=zp" */
void rm_row_label(const struct rm_row *r, char *buf, size_t len);
/* "asym act g=32" */
void rm_col_label(const struct rm_col *c, char *buf, size_t len);

/* The notes a report prints under a case (why, where, diagnosis): the
 * present ones, returns how many. */
size_t rm_case_notes(const struct case_record *r, const char *labels[3], const char *texts[3]);

/* Prose both formats share. */
#define RM_WORST_TEXT                                                                              \
    "Failing cases grouped by their diagnosis, the largest group first, with the worst case of "   \
    "each (by worst_ratio: error / allowed error) as its example; every case is in "               \
    "results.jsonl"
#define RM_CLOSEST_TEXT "The passing cases closest to their tolerance (largest worst_ratio)"
#define RM_CLOSEST_MAX 10
#define RM_MATRIX_TEXT                                                                             \
    "Rows: checkpoint format / adapter. Columns, in three header rows: zero point (sym: no zero "  \
    "points, asym: stored zero points), g_idx kind (none: no g_idx, trivial: g_idx = k / g, act: " \
    "act-order, a permuted g_idx), group size (g=-1: one group over all of K). A cell reads "      \
    "passed/total over its shapes, dtypes and data modes and is coloured by its worst verdict "    \
    "(green passed, red failed, orange mistrusted, purple error, grey skipped); an empty cell "    \
    "was not in the sweep."
#define RM_K_TEXT                                                                                  \
    "Normalized error against K (log-log) by dtype and data mode. Real data: max |y-ref| / "       \
    "sum|x||w|, bound u_out + u_w + K·2⁻²⁴, tolerance = bound x safety. Exact data: max "    \
    "|y-ref| / |ref|, bound u_out (only the final rounding)."
#define RM_VARIANT_TEXT "Normalized error by group size, zero point and g_idx kind."
#define RM_HEAT_FLAT_TEXT                                                                          \
    "%zu diagnosis group(s) with error grids or probe maps not drawn: nearly every cell of their " \
    "pictures is wrong (no layout to see; the worst cases above say in words what the probe "      \
    "found), or they come past the first %d. Their grids and maps are in results.jsonl."
#define RM_HEAT_TEXT                                                                               \
    "One heatmap per diagnosis: the first failing case of each group whose picture shows a "       \
    "pattern (right and wrong cells; every grid and probe map is in results.jsonl). Weights the "  \
    "kernel reads wrong (when the kernel itself is wrong and the diagnosis's one-hot probe found " \
    "weights it decodes wrongly; preferred, as it shows the bug in the kernel's own terms): the "  \
    "probe ran the kernel with activations that each pick one weight row, so each output row is "  \
    "a weight row as the kernel reads it; rows k in kernel order (for K over 64, in 8 bands, one " \
    "per nibble slot k % 8, k ascending in each) against columns n; colour: the fraction of the "  \
    "probed weights in the cell that the kernel reads wrong (white: all right; grey: rows a "      \
    "partial probe did not cover). Over the weights the kernel was handed (when they differ from " \
    "the checkpoint's: an adapter bug): weight row groups against columns, colour |w_kernel - w| " \
    "/ rms(w). Otherwise output rows (in row groups) against columns (in column groups); colour: " \
    "the largest |got - ref| in the cell over the RMS of the reference in its row (exact data: "   \
    "against the rounded reference, so right elements are 0, white); NaN, Inf and unwritten "      \
    "elements at the top of the scale. A wrong weight or zero-point layout shows along the "       \
    "columns."

/* A report format: its file and how it writes each section. report_write
 * opens RUN/file, builds the model and calls them in the order of report.h
 * (the baseline section only with a baseline). */
struct report_format {
    const char *file;
    void (*begin)(FILE *f, const struct report_input *in);
    void (*baseline)(FILE *f, const struct report_input *in, const struct rm_model *m);
    void (*summary)(FILE *f, const struct report_input *in, const struct rm_model *m);
    void (*env)(FILE *f, const struct record_list *l);
    void (*matrix)(FILE *f, const struct rm_model *m);
    void (*worst)(FILE *f, const struct report_input *in, const struct rm_model *m);
    void (*plots)(FILE *f, const struct report_input *in);
    void (*end)(FILE *f);
};

int report_write(const struct report_input *in, const struct report_format *fmt, char *err,
                 size_t errlen);

#endif

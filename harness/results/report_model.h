/* report_model.h - what report.html and report.md show, computed once from
 * the records: verdict counts, the format x variant matrix and the list of
 * worst cases. Internal to the report writers (and their tests). */
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
};

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
    "Failures first (by worst_ratio: error / allowed error), then the passing cases closest "      \
    "to their tolerance"
#define RM_MATRIX_TEXT                                                                             \
    "Rows: checkpoint format / adapter. Columns: zero point, g_idx kind, group size. A cell "      \
    "counts passed/total over its shapes, dtypes and data modes and shows its worst verdict."
#define RM_K_TEXT                                                                                  \
    "Normalized error against K (log-log) by dtype and data mode. Real data: max |y-ref| / "       \
    "sum|x||w|, bound u_out + u_w + K 2^-24, tolerance = bound x safety. Exact data: max "         \
    "|y-ref| / |ref|, bound u_out (only the final rounding)."
#define RM_VARIANT_TEXT "Normalized error by group size, zero point and g_idx kind."
#define RM_HEAT_TEXT                                                                               \
    "Output rows (in row groups) against columns (in column groups); colour: the largest "         \
    "|got - ref| in the cell over the RMS of the reference in its row (exact data: against the "   \
    "rounded reference, so right elements are 0, white); NaN, Inf and unwritten elements at the "  \
    "top of the scale. A wrong weight or zero-point layout shows along the columns."

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

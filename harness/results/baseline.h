/* baseline.h - a run judged against an earlier one (--baseline
 * PREV/results.jsonl). Cases are matched by their canonical descriptor line
 * (which fixes the data: same descriptor, same bits). Each case of this run
 * gets one finding:
 *   REGRESSION     PASSED in the baseline, fails now (FAILED, MISTRUSTED, ERROR)
 *   NEW_FAILURE    fails now; not in the baseline, or SKIPPED there
 *   DRIFT          PASSED in both, but the error grew: worst_ratio now >
 *                  factor * max(worst_ratio before, BASELINE_DRIFT_FLOOR)
 *   KNOWN_FAILURE  fails now and failed in the baseline
 *   FIXED          failed in the baseline, passes now
 *   NEW            not in the baseline; passes or is skipped
 *   NOT_RUN        PASSED in the baseline, SKIPPED now (no longer tested:
 *                  a warning, like drift)
 *   SAME           anything else
 * worst_ratio is compare's largest ratio of an element's error to what the
 * tolerance allows it (real data; exact data passes only at 0): it measures
 * how much of the tolerance is used, so growth means the kernel is losing
 * accuracy while still passing. The floor keeps noise at a tiny fraction of
 * the tolerance from counting.
 *
 * With a baseline the run is judged against it: the exit code is 1 when any
 * case is a REGRESSION or a NEW_FAILURE, else 0. Known failures (expected
 * failures such as vllm-xpu's act-order cases) and drift do not fail the
 * run; drift is a warning on stdout and in the report. */
#ifndef GH_BASELINE_H
#define GH_BASELINE_H

#include <stddef.h>

#include "results/record.h"

#define BASELINE_DRIFT_FACTOR 4.0 /* default --drift-factor */
#define BASELINE_DRIFT_FLOOR 0.01 /* worst_ratio below this counts as this */

typedef enum {
    BL_SAME = 0,
    BL_REGRESSION,
    BL_NEW_FAILURE,
    BL_DRIFT,
    BL_KNOWN_FAILURE,
    BL_FIXED,
    BL_NEW,
    BL_NOT_RUN,
    BL_COUNT
} bl_kind_t;

struct bl_entry {
    char *desc;    /* canonical descriptor line */
    int64_t index; /* its place in the baseline's sweep */
    verdict_t verdict;
    int have_metrics;
    double worst_ratio;
};

/* Matching: a record of this run is matched by its sweep index and
 * descriptor when the baseline ran the same sweep (so each occurrence of a
 * descriptor a batch lists twice is judged on its own, also across shards);
 * for another sweep by descriptor, the k-th occurrence in this run (in index
 * order) against the k-th in the baseline. */
struct baseline {
    struct bl_entry *v; /* sorted by desc, then index */
    size_t n;
    struct sweep_id sweep; /* the baseline's sweep (have_sweep: it has records) */
    int have_sweep;
    char path[4096];
};

struct bl_finding {
    bl_kind_t kind;
    int matched;         /* the case is in the baseline */
    verdict_t before;    /* baseline verdict (when matched) */
    double ratio_before; /* worst_ratio in the baseline (NaN when none) */
};

/* Judgement of a whole record list: one finding per record (same order). */
struct bl_report {
    struct bl_finding *f;
    size_t n;
    size_t count[BL_COUNT];
    double factor;
    char path[4096];
};

/* Reads PREV/results.jsonl (strictly, see results.h). Returns 0 or -1. */
int baseline_load(const char *path, struct baseline *b, char *err, size_t errlen);
void baseline_free(struct baseline *b);

/* The finding for one record of this run: the baseline entry with its
 * descriptor and index, else the first with its descriptor. */
struct bl_finding baseline_judge(const struct baseline *b, const struct case_record *r,
                                 double factor);

/* Judges every record. Returns 0 or -1 (out of memory). */
int baseline_judge_all(const struct baseline *b, const struct record_list *l, double factor,
                       struct bl_report *rep);
void bl_report_free(struct bl_report *rep);

/* 1 when the report holds a regression or a new failure, else 0. */
int bl_report_exit_code(const struct bl_report *rep);

/* One line about a finding, e.g. "REGRESSION: PASSED in the baseline, FAILED
 * now" or "DRIFT: worst_ratio 0.012 -> 0.31 (x26, factor 4)". */
void bl_finding_text(const struct bl_finding *f, const struct case_record *r, double factor,
                     char *buf, size_t len);

/* "REGRESSION", "NEW FAILURE", "DRIFT", ... */
const char *bl_kind_name(bl_kind_t k);

#endif

/* test_baseline.c - regressions and drift against a baseline
 * (harness/results/baseline.c): every finding kind, the drift floor, the exit code,
 * and a baseline file read through the results reader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

#include "results/baseline.h"
#include "results/results.h"

/* A record of case "seed=SEED" with a verdict and a worst_ratio (< 0: no
 * metrics). */
static void rec(struct case_record *r, int seed, verdict_t v, double ratio) {
    char line[128], err[256];
    record_init(r);
    snprintf(line, sizeof line, "fmt=ct m=2 n=8 k=32 g=32 data=real seed=%d", seed);
    CU_ASSERT_FATAL(desc_parse(line, &r->d, err, sizeof err) == 0);
    desc_print(&r->d, r->desc, sizeof r->desc);
    r->index = seed;
    r->verdict = v;
    if (ratio >= 0) {
        r->have_metrics = 1;
        r->met.total = 16;
        r->met.worst_ratio = ratio;
    }
}

/* Writes the baseline file: seeds 1..8. */
static void write_baseline(const char *path) {
    struct record_list *l = calloc(1, sizeof *l);
    CU_ASSERT_FATAL(l != NULL);
    char err[256];
    CU_ASSERT_FATAL(record_list_sweep(l, (struct sweep_id){20, 1}, err, sizeof err) == 0);
    struct {
        int seed;
        verdict_t v;
        double ratio;
    } rows[] = {{1, V_PASSED, 0.1}, {2, V_PASSED, 0.1}, {3, V_PASSED, 0.1}, {4, V_PASSED, 0.001},
                {5, V_FAILED, 9},   {6, V_FAILED, 9},   {7, V_SKIPPED, -1}, {8, V_PASSED, 0.001}};
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        struct case_record r;
        rec(&r, rows[i].seed, rows[i].v, rows[i].ratio);
        char *line = results_line(l, &r);
        CU_ASSERT_FATAL(line != NULL);
        fprintf(f, "%s\n", line);
        free(line);
        record_free(&r);
    }
    fclose(f);
    record_list_free(l);
    free(l);
}

static bl_kind_t judge(const struct baseline *b, int seed, verdict_t v, double ratio) {
    struct case_record r;
    rec(&r, seed, v, ratio);
    struct bl_finding f = baseline_judge(b, &r, BASELINE_DRIFT_FACTOR);
    record_free(&r);
    return f.kind;
}

static void test_findings(void) {
    char path[] = "/tmp/gh-test-baseline-XXXXXX", err[512];
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    write_baseline(path);
    struct baseline b;
    CU_ASSERT_FATAL(baseline_load(path, &b, err, sizeof err) == 0);
    CU_ASSERT_EQUAL(b.n, 8);
    CU_ASSERT_EQUAL(judge(&b, 1, V_FAILED, 9), BL_REGRESSION);
    CU_ASSERT_EQUAL(judge(&b, 1, V_ERROR, -1), BL_REGRESSION);
    CU_ASSERT_EQUAL(judge(&b, 2, V_PASSED, 0.41), BL_DRIFT); /* > 4 x 0.1 */
    CU_ASSERT_EQUAL(judge(&b, 2, V_PASSED, 0.39), BL_SAME);
    CU_ASSERT_EQUAL(judge(&b, 3, V_PASSED, 0.05), BL_SAME);  /* error shrank */
    CU_ASSERT_EQUAL(judge(&b, 4, V_PASSED, 0.039), BL_SAME); /* floor: 4 x 0.01 */
    CU_ASSERT_EQUAL(judge(&b, 4, V_PASSED, 0.041), BL_DRIFT);
    CU_ASSERT_EQUAL(judge(&b, 5, V_FAILED, 99), BL_KNOWN_FAILURE);
    CU_ASSERT_EQUAL(judge(&b, 5, V_MISTRUSTED, 0), BL_KNOWN_FAILURE);
    CU_ASSERT_EQUAL(judge(&b, 6, V_PASSED, 0.1), BL_FIXED);
    CU_ASSERT_EQUAL(judge(&b, 7, V_ERROR, -1), BL_NEW_FAILURE); /* SKIPPED before */
    CU_ASSERT_EQUAL(judge(&b, 8, V_SKIPPED, -1), BL_NOT_RUN);   /* PASSED before, skipped now */
    CU_ASSERT_EQUAL(judge(&b, 7, V_SKIPPED, -1), BL_SAME);      /* skipped before too */
    CU_ASSERT_EQUAL(judge(&b, 5, V_SKIPPED, -1), BL_SAME);      /* FAILED before */
    CU_ASSERT_EQUAL(judge(&b, 9, V_FAILED, 3), BL_NEW_FAILURE); /* not in the baseline */
    CU_ASSERT_EQUAL(judge(&b, 9, V_PASSED, 0.1), BL_NEW);

    /* a whole run: exit code 1 only for regressions and new failures */
    struct record_list *l = calloc(1, sizeof *l);
    CU_ASSERT_FATAL(l != NULL);
    struct case_record r;
    rec(&r, 2, V_PASSED, 0.9);
    record_list_push(l, &r);
    rec(&r, 5, V_FAILED, 9);
    record_list_push(l, &r);
    struct bl_report rep;
    CU_ASSERT_FATAL(baseline_judge_all(&b, l, BASELINE_DRIFT_FACTOR, &rep) == 0);
    CU_ASSERT_EQUAL(rep.count[BL_DRIFT], 1);
    CU_ASSERT_EQUAL(rep.count[BL_KNOWN_FAILURE], 1);
    CU_ASSERT_EQUAL(bl_report_exit_code(&rep), 0); /* drift and known failures: warn only */
    char text[512];
    bl_finding_text(&rep.f[0], &l->v[0], rep.factor, text, sizeof text);
    CU_ASSERT(strstr(text, "DRIFT: worst_ratio 0.1 -> 0.9") != NULL);
    bl_report_free(&rep);
    rec(&r, 1, V_FAILED, 5);
    record_list_push(l, &r);
    CU_ASSERT_FATAL(baseline_judge_all(&b, l, BASELINE_DRIFT_FACTOR, &rep) == 0);
    CU_ASSERT_EQUAL(rep.count[BL_REGRESSION], 1);
    CU_ASSERT_EQUAL(bl_report_exit_code(&rep), 1);
    bl_finding_text(&rep.f[2], &l->v[2], rep.factor, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "REGRESSION: PASSED in the baseline, FAILED now");
    bl_report_free(&rep);
    record_list_free(l);
    free(l);
    baseline_free(&b);

    /* a baseline that does not read is an error naming it */
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("{\"index\": 0}\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(baseline_load(path, &b, err, sizeof err), -1);
    CU_ASSERT(strstr(err, path) != NULL && strstr(err, ":1:") != NULL);

    /* a file of which no line is JSON (a batch file, a report) is not an
     * empty baseline: an error, not a warning and every case "new" */
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("# a batch file\nm=1 n=8 k=32 g=32\n\nm=2 n=8 k=32 g=32\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(baseline_load(path, &b, err, sizeof err), -1);
    CU_ASSERT(strstr(err, path) != NULL && strstr(err, "not a results.jsonl") != NULL);
    unlink(path);
}

/* Judges a run of one descriptor listed twice (indices 0 and 1, verdicts
 * now[]) against a baseline of the same descriptor twice (before[]), of the
 * same sweep or (other_sweep) of another one where it sat at 5 and 9. */
static void judge_twice(const verdict_t before[2], const verdict_t now[2], int other_sweep,
                        bl_kind_t kinds[2]) {
    char path[] = "/tmp/gh-test-baseline-XXXXXX", err[512];
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    struct record_list bl_list, run;
    memset(&bl_list, 0, sizeof bl_list);
    memset(&run, 0, sizeof run);
    CU_ASSERT_FATAL(record_list_sweep(&bl_list, (struct sweep_id){other_sweep ? 10 : 2, 7}, err,
                                      sizeof err) == 0);
    CU_ASSERT_FATAL(record_list_sweep(&run, (struct sweep_id){2, 7}, err, sizeof err) == 0);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    for (int i = 0; i < 2; i++) {
        struct case_record r;
        rec(&r, 3, before[i], before[i] == V_PASSED ? 0.1 : 9);
        r.index = other_sweep ? 5 + 4 * i : i;
        char *line = results_line(&bl_list, &r);
        CU_ASSERT_FATAL(line != NULL);
        fprintf(f, "%s\n", line);
        free(line);
        record_free(&r);
    }
    fclose(f);
    struct baseline b;
    CU_ASSERT_FATAL(baseline_load(path, &b, err, sizeof err) == 0);
    for (int i = 1; i >= 0; i--) { /* pushed out of order: matching must not depend on it */
        struct case_record r;
        rec(&r, 3, now[i], now[i] == V_PASSED ? 0.1 : 9);
        r.index = i;
        CU_ASSERT_FATAL(record_list_push(&run, &r) == 0);
    }
    struct bl_report rep;
    CU_ASSERT_FATAL(baseline_judge_all(&b, &run, BASELINE_DRIFT_FACTOR, &rep) == 0);
    for (int i = 0; i < 2; i++)
        kinds[run.v[i].index] = rep.f[i].kind;
    bl_report_free(&rep);
    baseline_free(&b);
    record_list_free(&run);
    record_list_free(&bl_list);
    unlink(path);
}

/* A descriptor a batch lists twice: each occurrence is matched on its own
 * (by sweep index in the same sweep, by order of occurrence in another), so
 * a regression of one is not hidden by the other's known failure. */
static void test_repeated_descriptor(void) {
    const verdict_t pf[2] = {V_PASSED, V_FAILED}, fp[2] = {V_FAILED, V_PASSED},
                    ff[2] = {V_FAILED, V_FAILED};
    for (int other = 0; other < 2; other++) {
        bl_kind_t k[2];
        judge_twice(pf, ff, other, k);
        CU_ASSERT_EQUAL(k[0], BL_REGRESSION);
        CU_ASSERT_EQUAL(k[1], BL_KNOWN_FAILURE);
        judge_twice(fp, ff, other, k);
        CU_ASSERT_EQUAL(k[0], BL_KNOWN_FAILURE);
        CU_ASSERT_EQUAL(k[1], BL_REGRESSION);
        judge_twice(fp, fp, other, k);
        CU_ASSERT_EQUAL(k[0], BL_KNOWN_FAILURE);
        CU_ASSERT_EQUAL(k[1], BL_SAME);
    }
}

int register_baseline_suite(void) {
    GH_ADD_SUITE(s, "baseline");
    GH_ADD_TEST(s, test_findings);
    GH_ADD_TEST(s, test_repeated_descriptor);
    return 0;
}

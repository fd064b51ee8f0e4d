/* outputs.c - JUnit, reports and the baseline judgement of a finished run
 * (see outputs.h). */
#include "results/outputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "results/junit.h"
#include "results/plots.h"
#include "results/report.h"
#include "results/rundir.h"

void outputs_defaults(struct outputs_cfg *c) {
    memset(c, 0, sizeof *c);
    c->drift_factor = BASELINE_DRIFT_FACTOR;
    c->title = "gptq-harness accuracy report";
}

int outputs_no_dir(const struct outputs_cfg *c) {
    return c->out && !strcmp(c->out, OUTPUTS_NO_DIR);
}

int outputs_prepare(const struct outputs_cfg *c, char *err, size_t errlen) {
    if (!c->junit) return 0;
    char dir[RUNDIR_MAX];
    if (snprintf(dir, sizeof dir, "%s", c->junit) >= (int)sizeof dir) {
        snprintf(err, errlen, "--junit: path too long");
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = 0;
    else if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    if (mkdir_p(dir, err, errlen) != 0) return -1;
    if (access(dir, W_OK) != 0) {
        snprintf(err, errlen, "--junit %.300s: cannot write into %.300s: %s", c->junit, dir,
                 strerror(errno));
        return -1;
    }
    return 0;
}

int outputs_option(struct outputs_cfg *c, int code, const char *arg, const char *cmd) {
    char *end;
    switch (code) {
    case 'o':
        c->out = arg;
        return 1;
    case 'J':
        c->junit = arg;
        return 1;
    case 'B':
        c->baseline = arg;
        return 1;
    case 'D':
        errno = 0;
        c->drift_factor = strtod(arg, &end);
        if (errno || end == arg || *end || !(c->drift_factor > 1) || c->drift_factor > 1e12) {
            fprintf(stderr, "gptq-harness %s: --drift-factor wants a number > 1, not '%s'\n", cmd,
                    arg);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

/* The findings on stdout, regressions first; known failures, fixed and new
 * cases as counts only. */
static void print_findings(FILE *out, const struct bl_report *rep, const struct record_list *l) {
    static const bl_kind_t order[] = {BL_REGRESSION, BL_NEW_FAILURE, BL_DRIFT, BL_NOT_RUN};
    fprintf(out, "baseline: %s (drift factor %g)\n", rep->path, rep->factor);
    size_t matched = 0;
    for (size_t i = 0; i < rep->n; i++)
        matched += (size_t)rep->f[i].matched;
    if (rep->n && !matched)
        fprintf(out,
                "baseline: warning: none of this run's %zu cases is in the baseline (another "
                "sweep?); every case counts as new\n",
                rep->n);
    for (size_t k = 0; k < sizeof order / sizeof *order; k++)
        for (size_t i = 0; i < rep->n; i++) {
            if (rep->f[i].kind != order[k]) continue;
            const struct case_record *r = &l->v[i];
            char text[600];
            bl_finding_text(&rep->f[i], r, rep->factor, text, sizeof text);
            fprintf(out, "%-11s %s\n    %s\n", bl_kind_name(order[k]), r->desc, text);
            if (verdict_is_failure(r->verdict))
                fprintf(out, "    repro: %s\n", r->repro ? r->repro : r->desc);
        }
    fprintf(out,
            "baseline: regressions: %zu new failures: %zu drift: %zu fixed: %zu known failures: "
            "%zu new cases: %zu no longer run: %zu\n",
            rep->count[BL_REGRESSION], rep->count[BL_NEW_FAILURE], rep->count[BL_DRIFT],
            rep->count[BL_FIXED], rep->count[BL_KNOWN_FAILURE], rep->count[BL_NEW],
            rep->count[BL_NOT_RUN]);
}

int outputs_finish(const struct outputs_cfg *c, const char *rundir, const struct baseline *bl,
                   const struct record_list *l, int verdict_code, FILE *out) {
    char err[1024] = "";
    int code = verdict_code;
    struct bl_report rep, *repp = NULL;
    if (bl) {
        if (baseline_judge_all(bl, l, c->drift_factor, &rep) != 0) {
            fprintf(stderr, "gptq-harness: out of memory judging against the baseline\n");
            return 1;
        }
        repp = &rep;
        code = bl_report_exit_code(&rep);
        print_findings(out, &rep, l);
    }
    const int partial = gaps_partial(c->gaps);
    if (partial && code == 0) code = 1; /* a partial run is not a green one */
    char title[1024];
    if (partial)
        snprintf(title, sizeof title, "%.300s (PARTIAL: %.600s)", c->title,
                 c->gaps->note[0] ? c->gaps->note : "cases missing");
    else
        snprintf(title, sizeof title, "%s", c->title);
    int broken = 0;
    if (c->junit && junit_write_gaps(c->junit, l, repp, title, c->gaps, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness: JUnit: %s\n", err);
        broken = 1;
    }
    if (!rundir) {
        if (repp) bl_report_free(repp);
        return broken && code == 0 ? 1 : code;
    }
    struct plots *plots = calloc(1, sizeof *plots);
    if (plots && plots_make(rundir, l, plots) != 0)
        fprintf(stderr, "gptq-harness: %s\n", plots->missing);
    struct report_input in = {.rundir = rundir,
                              .title = title,
                              .l = l,
                              .bl = repp,
                              .plots = plots,
                              .exit_code = code,
                              .gaps = c->gaps};
    in.command = c->command;
    in.batches = c->batches;
    in.written = time(NULL);
    if (gethostname(in.host, sizeof in.host - 1) != 0) snprintf(in.host, sizeof in.host, "?");
    int html = report_write_html(&in, err, sizeof err) == 0;
    if (!html) fprintf(stderr, "gptq-harness: report: %s\n", err);
    int md = report_write_md(&in, err, sizeof err) == 0;
    if (!md) fprintf(stderr, "gptq-harness: report: %s\n", err);
    broken |= !html || !md;
    free(plots);
    if (repp) bl_report_free(repp);
    if (html)
        fprintf(stderr, "results: %s/results.jsonl  report: %s/report.html\n", rundir, rundir);
    else if (md)
        fprintf(stderr, "results: %s/results.jsonl  report: %s/report.md\n", rundir, rundir);
    else
        fprintf(stderr, "results: %s/results.jsonl  (no report written)\n", rundir);
    return broken && code == 0 ? 1 : code;
}

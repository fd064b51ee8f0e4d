/* baseline.c - regressions and drift against a baseline (see baseline.h). */
#include "results/baseline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results.h"

static int by_desc(const void *a, const void *b) {
    return strcmp(((const struct bl_entry *)a)->desc, ((const struct bl_entry *)b)->desc);
}

void baseline_free(struct baseline *b) {
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i].desc);
    free(b->v);
    memset(b, 0, sizeof *b);
}

int baseline_load(const char *path, struct baseline *b, char *err, size_t errlen) {
    memset(b, 0, sizeof *b);
    snprintf(b->path, sizeof b->path, "%s", path);
    struct record_list *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct results_read_info info;
    int rc = results_read_file(path, l, &info, err, errlen);
    if (rc == 0) results_read_warn(stderr, "gptq-harness: baseline", path, &info);
    if (rc == 0 && l->n > 0 && !(b->v = calloc(l->n, sizeof *b->v))) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        const struct case_record *r = &l->v[i];
        struct bl_entry *e = &b->v[b->n];
        if (!(e->desc = strdup(r->desc))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        e->verdict = r->verdict;
        e->have_metrics = r->have_metrics;
        e->worst_ratio = r->have_metrics ? r->met.worst_ratio : NAN;
        b->n++;
    }
    record_list_free(l);
    free(l);
    if (rc != 0) {
        baseline_free(b);
        return -1;
    }
    if (b->n > 1) qsort(b->v, b->n, sizeof *b->v, by_desc);
    return 0;
}

struct bl_finding baseline_judge(const struct baseline *b, const struct case_record *r,
                                 double factor) {
    struct bl_finding f = {BL_SAME, 0, V_PASSED, NAN};
    struct bl_entry key = {.desc = (char *)r->desc};
    const struct bl_entry *e = b->n ? bsearch(&key, b->v, b->n, sizeof *b->v, by_desc) : NULL;
    int fails = verdict_is_failure(r->verdict);
    if (!e) {
        f.kind = fails ? BL_NEW_FAILURE : BL_NEW;
        return f;
    }
    f.matched = 1;
    f.before = e->verdict;
    f.ratio_before = e->worst_ratio;
    if (fails) {
        if (verdict_is_failure(e->verdict))
            f.kind = BL_KNOWN_FAILURE;
        else
            f.kind = e->verdict == V_PASSED ? BL_REGRESSION : BL_NEW_FAILURE;
    } else if (verdict_is_failure(e->verdict) && r->verdict == V_PASSED) {
        f.kind = BL_FIXED;
    } else if (e->verdict == V_PASSED && r->verdict == V_SKIPPED) {
        f.kind = BL_NOT_RUN;
    } else if (r->verdict == V_PASSED && e->verdict == V_PASSED && r->have_metrics &&
               e->have_metrics && isfinite(e->worst_ratio)) {
        double base = e->worst_ratio > BASELINE_DRIFT_FLOOR ? e->worst_ratio : BASELINE_DRIFT_FLOOR;
        if (r->met.worst_ratio > factor * base) f.kind = BL_DRIFT;
    }
    return f;
}

int baseline_judge_all(const struct baseline *b, const struct record_list *l, double factor,
                       struct bl_report *rep) {
    memset(rep, 0, sizeof *rep);
    rep->factor = factor;
    snprintf(rep->path, sizeof rep->path, "%s", b->path);
    if (l->n && !(rep->f = calloc(l->n, sizeof *rep->f))) return -1;
    rep->n = l->n;
    for (size_t i = 0; i < l->n; i++) {
        rep->f[i] = baseline_judge(b, &l->v[i], factor);
        rep->count[rep->f[i].kind]++;
    }
    return 0;
}

void bl_report_free(struct bl_report *rep) {
    free(rep->f);
    memset(rep, 0, sizeof *rep);
}

int bl_report_exit_code(const struct bl_report *rep) {
    return (rep->count[BL_REGRESSION] || rep->count[BL_NEW_FAILURE]) ? 1 : 0;
}

void bl_finding_text(const struct bl_finding *f, const struct case_record *r, double factor,
                     char *buf, size_t len) {
    const char *now = verdict_name(r->verdict), *before = verdict_name(f->before);
    char a[32], b[32];
    switch (f->kind) {
    case BL_REGRESSION:
    case BL_KNOWN_FAILURE:
    case BL_FIXED:
    case BL_NOT_RUN:
        snprintf(buf, len, "%s: %s in the baseline, %s now", bl_kind_name(f->kind), before, now);
        break;
    case BL_NEW_FAILURE:
    case BL_NEW:
        if (f->matched)
            snprintf(buf, len, "%s: %s in the baseline, %s now", bl_kind_name(f->kind), before,
                     now);
        else
            snprintf(buf, len, "%s: not in the baseline, %s now", bl_kind_name(f->kind), now);
        break;
    case BL_DRIFT:
        fmt_g3(a, sizeof a, f->ratio_before);
        fmt_g3(b, sizeof b, r->met.worst_ratio);
        snprintf(buf, len,
                 "%s: worst_ratio %s -> %s, more than x%g of max(before, %g); still within "
                 "tolerance",
                 bl_kind_name(f->kind), a, b, factor, BASELINE_DRIFT_FLOOR);
        break;
    default:
        snprintf(buf, len, "%s: %s in the baseline and now", bl_kind_name(f->kind), now);
    }
}

const char *bl_kind_name(bl_kind_t k) {
    static const char *names[BL_COUNT] = {"same",          "REGRESSION", "NEW FAILURE", "DRIFT",
                                          "known failure", "fixed",      "new",         "NOT RUN"};
    return (k >= 0 && k < BL_COUNT) ? names[k] : "?";
}

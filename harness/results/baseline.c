/* baseline.c - regressions and drift against a baseline (see baseline.h). */
#include "results/baseline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results.h"

static int by_desc_index(const void *a, const void *b) {
    const struct bl_entry *x = a, *y = b;
    int c = strcmp(x->desc, y->desc);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* The first entry with desc (entries [*first, *end) have it); 0 when none. */
static int desc_range(const struct baseline *b, const char *desc, size_t *first, size_t *end) {
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->v[mid].desc, desc) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    for (*end = lo; *end < b->n && strcmp(b->v[*end].desc, desc) == 0; (*end)++)
        ;
    return *end > *first;
}

/* The entry for (desc, index): with by_index, the one with that index; else
 * the occ-th with that descriptor. NULL when none. */
static const struct bl_entry *find(const struct baseline *b, const char *desc, int64_t index,
                                   int by_index, size_t occ) {
    size_t first, end;
    if (!desc_range(b, desc, &first, &end)) return NULL;
    if (by_index) {
        for (size_t i = first; i < end; i++)
            if (b->v[i].index == index) return &b->v[i];
        return NULL;
    }
    return occ < end - first ? &b->v[first + occ] : NULL;
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
    if (rc == 0 && l->n == 0 && info.damaged > 0) {
        /* not one record and only lines that are not JSON: not a results
         * stream at all (a report, a batch file), never an empty baseline */
        snprintf(err, errlen,
                 "%s: not a results.jsonl: none of its lines is a results record (%zu line(s) "
                 "not JSON, the first is line %ld)",
                 path, info.damaged, info.first_damaged);
        rc = -1;
    }
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
        e->index = r->index;
        e->verdict = r->verdict;
        e->have_metrics = r->have_metrics;
        e->worst_ratio = r->have_metrics ? r->met.worst_ratio : NAN;
        b->n++;
    }
    b->sweep = l->sweep;
    b->have_sweep = l->have_sweep;
    record_list_free(l);
    free(l);
    if (rc != 0) {
        baseline_free(b);
        return -1;
    }
    if (b->n > 1) qsort(b->v, b->n, sizeof *b->v, by_desc_index);
    return 0;
}

static struct bl_finding judge(const struct bl_entry *e, const struct case_record *r,
                               double factor) {
    struct bl_finding f = {BL_SAME, 0, V_PASSED, NAN};
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

struct bl_finding baseline_judge(const struct baseline *b, const struct case_record *r,
                                 double factor) {
    const struct bl_entry *e = find(b, r->desc, r->index, 1, 0);
    return judge(e ? e : find(b, r->desc, r->index, 0, 0), r, factor);
}

/* Records of a run in (descriptor, index) order, for occurrence numbers:
 * entries that point at the records (desc, index) and remember where. */
struct rec_ref {
    struct bl_entry key;
    size_t at;
};

static int ref_by_desc_index(const void *a, const void *b) {
    return by_desc_index(&((const struct rec_ref *)a)->key, &((const struct rec_ref *)b)->key);
}

int baseline_judge_all(const struct baseline *b, const struct record_list *l, double factor,
                       struct bl_report *rep) {
    memset(rep, 0, sizeof *rep);
    rep->factor = factor;
    snprintf(rep->path, sizeof rep->path, "%s", b->path);
    if (l->n && !(rep->f = calloc(l->n, sizeof *rep->f))) return -1;
    rep->n = l->n;
    const int same_sweep = b->have_sweep && l->have_sweep && b->sweep.cases == l->sweep.cases &&
                           b->sweep.hash == l->sweep.hash;
    struct rec_ref *order = l->n ? calloc(l->n, sizeof *order) : NULL;
    if (l->n && !order) {
        bl_report_free(rep);
        return -1;
    }
    for (size_t i = 0; i < l->n; i++) {
        order[i].key.desc = (char *)l->v[i].desc;
        order[i].key.index = l->v[i].index;
        order[i].at = i;
    }
    if (!same_sweep && l->n > 1) qsort(order, l->n, sizeof *order, ref_by_desc_index);
    size_t occ = 0;
    for (size_t k = 0; k < l->n; k++) {
        const struct case_record *r = &l->v[order[k].at];
        occ = k > 0 && strcmp(order[k - 1].key.desc, r->desc) == 0 ? occ + 1 : 0;
        struct bl_finding *f = &rep->f[order[k].at];
        *f = judge(find(b, r->desc, r->index, same_sweep, occ), r, factor);
        rep->count[f->kind]++;
    }
    free(order);
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

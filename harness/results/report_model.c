/* report_model.c - counts, matrix and worst cases for the reports (see
 * report_model.h). */
#include "results/report_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Group sizes get their own column; any other (a rare multiple of 8) shares
 * the column "g=other" (stored as 0), which keeps the matrix small whatever
 * the input. */
static int64_t g_column(int64_t g) {
    return (g == 32 || g == 64 || g == 128 || g == -1) ? g : 0;
}

static int64_t g_order(int64_t g) {
    return g == -1 ? INT64_MAX - 1 : g == 0 ? INT64_MAX : g;
}

static int row_cmp(const void *a, const void *b) {
    const struct rm_row *x = a, *y = b;
    if (x->fmt != y->fmt) return (int)x->fmt - (int)y->fmt;
    if (x->adapter != y->adapter) return (int)x->adapter - (int)y->adapter;
    return (int)x->zproute - (int)y->zproute;
}

static int col_cmp(const void *a, const void *b) {
    const struct rm_col *x = a, *y = b;
    if (x->zp != y->zp) return (int)x->zp - (int)y->zp;
    if (x->gidx != y->gidx) return (int)x->gidx - (int)y->gidx;
    return (g_order(x->g) > g_order(y->g)) - (g_order(x->g) < g_order(y->g));
}

static struct rm_row row_of(const struct case_record *r) {
    struct rm_row k = {r->d.fmt, r->d.adapter, r->d.zproute};
    return k;
}

static struct rm_col col_of(const struct case_record *r) {
    struct rm_col k = {r->d.zp, r->d.gidx, g_column(r->d.g)};
    return k;
}

/* Adds key to the set v (n entries, sorted later) when new. */
static void add_key(void *v, size_t *n, const void *key, size_t size,
                    int (*cmp)(const void *, const void *)) {
    for (size_t i = 0; i < *n; i++)
        if (cmp((char *)v + i * size, key) == 0) return;
    memcpy((char *)v + (*n)++ * size, key, size);
}

static size_t find_key(const void *v, size_t n, const void *key, size_t size,
                       int (*cmp)(const void *, const void *)) {
    const void *p = bsearch(key, v, n, size, cmp);
    return p ? (size_t)((const char *)p - (const char *)v) / size : 0;
}

/* Worst first: failing cases (by worst_ratio; cases without metrics last,
 * FAILED before MISTRUSTED before ERROR), then passing ones closest to their
 * tolerance; ties by sweep index. Sorted on copies of the keys (qsort has no
 * context argument). */
struct worst_key {
    int passing, severity;
    double ratio;
    int64_t index;
    size_t rec;
};

static int worse_cmp(const void *a, const void *b) {
    const struct worst_key *x = a, *y = b;
    if (x->passing != y->passing) return x->passing - y->passing;
    if (x->ratio != y->ratio) return x->ratio > y->ratio ? -1 : 1;
    if (x->severity != y->severity) return x->severity - y->severity;
    return (x->index > y->index) - (x->index < y->index);
}

static int build_groups(const struct record_list *l, const struct worst_key *k, size_t n,
                        struct rm_model *m);

static int build_worst(const struct record_list *l, size_t max, struct rm_model *m) {
    struct worst_key *k = malloc((l->n ? l->n : 1) * sizeof *k);
    size_t n = 0;
    if (!k) return -1;
    for (size_t i = 0; i < l->n; i++) {
        const struct case_record *r = &l->v[i];
        int failing = verdict_is_failure(r->verdict);
        if (!failing && !(r->verdict == V_PASSED && r->have_metrics)) continue;
        double ratio = r->have_metrics && !isnan(r->met.worst_ratio) ? r->met.worst_ratio : -1;
        int sev = r->verdict == V_FAILED ? 0 : r->verdict == V_MISTRUSTED ? 1 : 2;
        k[n++] = (struct worst_key){!failing, sev, ratio, r->index, i};
    }
    qsort(k, n, sizeof *k, worse_cmp);
    if (build_groups(l, k, n, m) != 0) {
        free(k);
        return -1;
    }
    m->closest = malloc((n ? n : 1) * sizeof *m->closest);
    if (!m->closest) {
        free(k);
        return -1;
    }
    for (size_t i = 0; i < n && m->nclosest < RM_CLOSEST_MAX; i++)
        if (k[i].passing) m->closest[m->nclosest++] = k[i].rec;
    m->nworst = n < max ? n : max;
    m->worst = malloc((m->nworst ? m->nworst : 1) * sizeof *m->worst);
    if (m->worst)
        for (size_t i = 0; i < m->nworst; i++)
            m->worst[i] = k[i].rec;
    free(k);
    return m->worst ? 0 : -1;
}

/* Findings in report order, at most REPORT_FINDINGS of each kind. */
static int build_findings(const struct bl_report *bl, size_t nrec, struct rm_model *m) {
    /* known failures are counted, not listed: the matrix and the worst cases show them */
    static const bl_kind_t order[] = {BL_REGRESSION, BL_NEW_FAILURE, BL_DRIFT, BL_NOT_RUN,
                                      BL_FIXED};
    size_t cap = 0, n = nrec < bl->n ? nrec : bl->n;
    for (size_t k = 0; k < sizeof order / sizeof *order; k++)
        cap += bl->count[order[k]] < REPORT_FINDINGS ? bl->count[order[k]] : REPORT_FINDINGS + 1;
    m->findings = calloc(cap ? cap : 1, sizeof *m->findings);
    if (!m->findings) return -1;
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        size_t shown = 0;
        for (size_t i = 0; i < n; i++) {
            if (bl->f[i].kind != order[k]) continue;
            struct rm_finding *f = &m->findings[m->nfindings++];
            f->rec = i;
            f->kind = order[k];
            if (shown++ == REPORT_FINDINGS) {
                f->more = bl->count[order[k]] - REPORT_FINDINGS;
                break;
            }
        }
    }
    return 0;
}

/* The first n bytes of s up to (not including) any of the stops. */
static size_t clause(const char *s, const char *const *stops, size_t nstops) {
    size_t n = strlen(s);
    for (size_t i = 0; i < nstops; i++) {
        const char *p = strstr(s, stops[i]);
        if (p && (size_t)(p - s) < n) n = (size_t)(p - s);
    }
    return n;
}

/* Appends "; kernel's weights wrong in rows k with index % 8 in {...}" when
 * the probe of a wrong kernel (probe.h) found such a row pattern: the
 * finding that tells one kernel bug from another across shapes. */
static void probe_pattern(const char *diagnosis, char *buf, size_t len) {
    const char *p = strstr(diagnosis, "kernel's weights");
    const char *q = p ? strstr(p, "rows k with index % ") : NULL;
    const char *e = q ? strchr(q, '}') : NULL;
    size_t used = strlen(buf);
    if (e && used < len)
        snprintf(buf + used, len - used, "; kernel's weights wrong in %.*s", (int)(e + 1 - q), q);
}

void rm_group_key(const struct case_record *r, char *buf, size_t len) {
    static const char *const semi[] = {"; "}, *const colon[] = {":"}, *const why[] = {":", " ("};
    const char *text = r->diagnosis ? r->diagnosis : r->where ? r->where : r->reason;
    size_t n = 0;
    if (text)
        n = r->diagnosis ? clause(text, semi, 1)
            : r->where   ? clause(text, colon, 1)
                         : clause(text, why, 2);
    if (n > 200) n = 200;
    snprintf(buf, len, "%s: %.*s", verdict_name(r->verdict), (int)n,
             text ? text : "(no reason given)");
    /* "no catalogued fault (6 tried) ...": how many were tried depends on the case */
    char *t = strstr(buf, " tried)");
    char *o = t ? t : NULL;
    while (o && o > buf && o[-1] != '(')
        o--;
    if (t && o > buf + 1 && o[-2] == ' ') memmove(o - 2, t + 7, strlen(t + 7) + 1);
    if (r->diagnosis) probe_pattern(r->diagnosis, buf, len);
}

static int group_cmp(const void *a, const void *b) {
    const struct rm_group *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->example > y->example) - (x->example < y->example);
}

/* Groups the failing cases, visited worst first (k sorted by worse_cmp), so
 * that each group's first case is its worst. */
static int build_groups(const struct record_list *l, const struct worst_key *k, size_t n,
                        struct rm_model *m) {
    m->groups = calloc(n ? n : 1, sizeof *m->groups);
    if (!m->groups) return -1;
    char key[RM_GROUP_KEY_MAX];
    for (size_t i = 0; i < n && !k[i].passing; i++) {
        const struct case_record *r = &l->v[k[i].rec];
        rm_group_key(r, key, sizeof key);
        size_t g = 0;
        while (g < m->ngroups && strcmp(m->groups[g].key, key) != 0)
            g++;
        if (g == m->ngroups) {
            snprintf(m->groups[g].key, sizeof m->groups[g].key, "%s", key);
            m->groups[g].verdict = r->verdict;
            m->groups[g].example = k[i].rec;
            m->ngroups++;
        }
        m->groups[g].count++;
    }
    qsort(m->groups, m->ngroups, sizeof *m->groups, group_cmp);
    return 0;
}

size_t rm_case_notes(const struct case_record *r, const char *labels[3], const char *texts[3]) {
    const char *all_labels[3] = {"why", "where", "diagnosis"};
    const char *all_texts[3] = {r->reason, r->where, r->diagnosis};
    size_t n = 0;
    for (int k = 0; k < 3; k++)
        if (all_texts[k]) {
            labels[n] = all_labels[k];
            texts[n++] = all_texts[k];
        }
    return n;
}

int rm_build(const struct record_list *l, const struct bl_report *bl, size_t max_worst,
             struct rm_model *m) {
    memset(m, 0, sizeof *m);
    /* at most 4 formats x 3 adapters (exec included) x 3 routes rows, 2 x 3 x 5 columns */
    m->rows = calloc(FMT_COUNT * (ADAPTER_COUNT + 1) * 3, sizeof *m->rows);
    m->cols = calloc(2 * 3 * 5, sizeof *m->cols);
    if (!m->rows || !m->cols) goto oom;
    for (size_t i = 0; i < l->n; i++) {
        const struct case_record *r = &l->v[i];
        struct rm_row rk = row_of(r);
        struct rm_col ck = col_of(r);
        add_key(m->rows, &m->nrows, &rk, sizeof rk, row_cmp);
        add_key(m->cols, &m->ncols, &ck, sizeof ck, col_cmp);
    }
    qsort(m->rows, m->nrows, sizeof *m->rows, row_cmp);
    qsort(m->cols, m->ncols, sizeof *m->cols, col_cmp);
    m->cell = calloc(m->nrows * m->ncols + 1, sizeof *m->cell);
    if (!m->cell) goto oom;
    for (size_t i = 0; i < l->n; i++) {
        const struct case_record *r = &l->v[i];
        struct rm_row rk = row_of(r);
        struct rm_col ck = col_of(r);
        size_t ri = find_key(m->rows, m->nrows, &rk, sizeof rk, row_cmp);
        size_t ci = find_key(m->cols, m->ncols, &ck, sizeof ck, col_cmp);
        struct rm_tally *t = &m->cell[ri * m->ncols + ci];
        t->n++;
        t->by[r->verdict]++;
        m->total.n++;
        m->total.by[r->verdict]++;
        m->failing += verdict_is_failure(r->verdict);
        if (r->t.total > 0) m->case_time += r->t.total;
    }
    if (build_worst(l, max_worst, m) != 0) goto oom;
    if (bl && build_findings(bl, l->n, m) != 0) goto oom;
    return 0;
oom:
    rm_free(m);
    return -1;
}

void rm_free(struct rm_model *m) {
    free(m->rows);
    free(m->cols);
    free(m->cell);
    free(m->worst);
    free(m->findings);
    free(m->groups);
    free(m->closest);
    memset(m, 0, sizeof *m);
}

const char *rm_group_label(const struct rm_group *g) {
    size_t n = strlen(verdict_name(g->verdict));
    return strncmp(g->key, verdict_name(g->verdict), n) == 0 && g->key[n] == ':' ? g->key + n + 2
                                                                                 : g->key;
}

int rm_cell_verdict(const struct rm_tally *t) {
    static const verdict_t order[] = {V_ERROR, V_FAILED, V_MISTRUSTED, V_PASSED, V_SKIPPED};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (t->by[order[i]]) return (int)order[i];
    return -1;
}

void rm_row_label(const struct rm_row *r, char *buf, size_t len) {
    if (r->zproute != ZPROUTE_AUTO)
        snprintf(buf, len, "%s / %s zproute=%s", fmt_name(r->fmt), adapter_name(r->adapter),
                 zproute_name(r->zproute));
    else
        snprintf(buf, len, "%s / %s", fmt_name(r->fmt), adapter_name(r->adapter));
}

void rm_col_label(const struct rm_col *c, char *buf, size_t len) {
    if (c->g == 0)
        snprintf(buf, len, "%s %s g=other", zp_name(c->zp), gidx_name(c->gidx));
    else
        snprintf(buf, len, "%s %s g=%lld", zp_name(c->zp), gidx_name(c->gidx), (long long)c->g);
}

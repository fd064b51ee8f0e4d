/* record.c - case records and record lists (see record.h). */
#include "results/record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

const char *const run_env_keys[RUN_ENV_FIELDS] = {"device",         "platform", "driver", "kernel",
                                                  "kernel_fnv1a64", "harness",  "git"};
const char *const run_env_titles[RUN_ENV_FIELDS] = {
    "device", "platform", "driver", "kernel", "kernel FNV-1a 64", "harness", "git commit"};

void run_env_values(const struct run_env *e, const char *values[RUN_ENV_FIELDS]) {
    const char *v[RUN_ENV_FIELDS] = {e->device,      e->platform, e->driver, e->kernel,
                                     e->kernel_hash, e->harness,  e->git};
    memcpy(values, v, sizeof v);
}

void record_init(struct case_record *r) {
    memset(r, 0, sizeof *r);
    desc_default(&r->d);
    r->err_norm = NAN;
}

void record_free(struct case_record *r) {
    free(r->reason);
    free(r->where);
    free(r->diagnosis);
    free(r->log);
    free(r->repro);
    errgrid_free(r->grid);
    probemap_free(r->probe);
    record_init(r);
}

int record_set_text(char **dst, const char *s) {
    free(*dst);
    *dst = NULL;
    if (!s || !*s) return 0;
    size_t n = strlen(s);
    if (n > RECORD_TEXT_MAX) n = RECORD_TEXT_MAX;
    char *c = malloc(n + 1);
    if (!c) return -1;
    memcpy(c, s, n);
    c[n] = 0;
    utf8_sanitize(c); /* a cut inside a sequence becomes '?' too */
    *dst = c;
    return 0;
}

int record_from_result(struct case_record *rec, const struct case_result *r, int64_t index,
                       const char *repro) {
    record_init(rec);
    rec->index = index;
    rec->d = r->d;
    desc_print(&r->d, rec->desc, sizeof rec->desc);
    rec->verdict = r->verdict;
    rec->have_metrics = r->have_metrics;
    if (r->have_metrics) rec->met = r->met;
    rec->t = (struct rec_times){.total = r->t_total,
                                .gen = r->t_gen,
                                .ref = r->t_ref,
                                .adapt = r->t_adapt,
                                .dev = r->t_dev,
                                .cmp = r->t_cmp,
                                .build = r->t_build,
                                .kernel_ms = r->kernel_ms};
    if (record_set_text(&rec->reason, r->reason) != 0 ||
        record_set_text(&rec->where, r->where) != 0 ||
        record_set_text(&rec->diagnosis, r->diagnosis) != 0 ||
        record_set_text(&rec->log, r->log) != 0 || record_set_text(&rec->repro, repro) != 0) {
        record_free(rec);
        return -1;
    }
    return 0;
}

static int env_equal(const struct run_env *a, const struct run_env *b) {
    return !strcmp(a->device, b->device) && !strcmp(a->platform, b->platform) &&
           !strcmp(a->driver, b->driver) && !strcmp(a->kernel, b->kernel) &&
           !strcmp(a->kernel_hash, b->kernel_hash) && !strcmp(a->harness, b->harness) &&
           !strcmp(a->git, b->git);
}

int record_list_env(struct record_list *l, const struct run_env *env, size_t *idx) {
    for (size_t i = 0; i < l->nenv; i++)
        if (env_equal(&l->env[i], env)) {
            *idx = i;
            return 0;
        }
    if (l->nenv >= RECORD_ENV_MAX) return -1;
    l->env[l->nenv] = *env;
    *idx = l->nenv++;
    return 0;
}

int record_list_sweep(struct record_list *l, struct sweep_id s, char *err, size_t errlen) {
    if (!l->have_sweep) {
        l->sweep = s;
        l->have_sweep = 1;
        return 0;
    }
    if (l->sweep.cases == s.cases && l->sweep.hash == s.hash) return 0;
    snprintf(err, errlen,
             "cases of two different sweeps (%lld cases, hash %016llx vs %lld cases, hash "
             "%016llx): merge only shards of one sweep",
             (long long)l->sweep.cases, (unsigned long long)l->sweep.hash, (long long)s.cases,
             (unsigned long long)s.hash);
    return -1;
}

int record_list_push(struct record_list *l, struct case_record *r) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct case_record *v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *r;
    record_init(r); /* ownership moved */
    return 0;
}

static int by_index(const void *a, const void *b) {
    const struct case_record *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

void record_list_sort(struct record_list *l) {
    if (l->n > 1) qsort(l->v, l->n, sizeof *l->v, by_index);
}

void record_list_free(struct record_list *l) {
    for (size_t i = 0; i < l->n; i++)
        record_free(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void fmt_g3(char *buf, size_t len, double v) {
    if (isnan(v))
        snprintf(buf, len, "nan");
    else if (isinf(v))
        snprintf(buf, len, "%sinf", v < 0 ? "-" : "");
    else
        snprintf(buf, len, "%.3g", v);
}

void record_metrics_line(const struct case_record *r, char *buf, size_t len) {
    if (!r->have_metrics) {
        snprintf(buf, len, "no metrics");
        return;
    }
    const struct metrics *m = &r->met;
    char ulp[32], abs[32], l2[32], sq[32], wr[32], ex[32], got[32];
    fmt_g3(ulp, sizeof ulp, m->max_ulp);
    fmt_g3(abs, sizeof abs, m->max_abs);
    fmt_g3(l2, sizeof l2, m->rel_l2);
    fmt_g3(sq, sizeof sq, m->sqnr_db);
    fmt_g3(wr, sizeof wr, m->worst_ratio);
    fmt_g3(ex, sizeof ex, m->worst_exp);
    fmt_g3(got, sizeof got, m->worst_got);
    snprintf(buf, len,
             "max_ulp=%s max_abs=%s rel_l2=%s sqnr_db=%s worst_ratio=%s bad=%lld/%lld "
             "worst(m=%lld,n=%lld) exp=%s got=%s",
             ulp, abs, l2, sq, wr, (long long)m->mismatches, (long long)m->total,
             (long long)m->worst_m, (long long)m->worst_n, ex, got);
}

int verdict_parse(const char *s, verdict_t *v) {
    for (int i = 0; i < V_COUNT; i++)
        if (s && strcmp(s, verdict_name((verdict_t)i)) == 0) {
            *v = (verdict_t)i;
            return 0;
        }
    return -1;
}

int verdict_is_failure(verdict_t v) {
    return v == V_FAILED || v == V_MISTRUSTED || v == V_ERROR;
}

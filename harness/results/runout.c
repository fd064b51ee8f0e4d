/* runout.c - a run's results stream and its final outputs (see runout.h). */
#include "results/runout.h"

#include "adapters/abi.h"

#include "reference/refgemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verdict/errmap.h"
#include "results/results.h"
#include "results/rundir.h"

/* What the hook found for the case that just finished. */
struct pending {
    int valid;
    struct case_desc d;
    double err_norm;
    struct errgrid *grid;
    struct probemap *probe;
};

struct runout {
    struct runout_cfg cfg;
    char dir[RUNDIR_MAX];
    struct results_writer *w;
    struct baseline bl;
    int have_bl;
    struct record_list list;
    size_t env;
    struct pending pend;
    int failed;            /* a write failed (reported once) */
    int no_dir;            /* --out none: records kept in memory only */
    char title[512];       /* the title when marked partial */
    struct run_gaps gaps;  /* the cases not run, and why the run is partial */
    struct run_gaps unrec; /* cases that ran but are not in results.jsonl */
    char why_unrec[300];   /* the first write error */
};

struct runout *runout_open(const struct runout_cfg *c, char *err, size_t errlen) {
    struct runout *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    o->cfg = *c;
    o->cfg.out.gaps = &o->gaps;
    char path[RUNDIR_MAX + 32];
    if (c->out.baseline) {
        if (baseline_load(c->out.baseline, &o->bl, err, errlen) != 0) goto fail;
        o->have_bl = 1;
    }
    if (outputs_prepare(&c->out, err, errlen) != 0) goto fail;
    o->no_dir = outputs_no_dir(&c->out);
    if (!o->no_dir) {
        if (rundir_create(c->out.out, time(NULL), o->dir, sizeof o->dir, err, errlen) != 0)
            goto fail;
        snprintf(path, sizeof path, "%s/results.jsonl", o->dir);
        if (!(o->w = results_writer_open(path, err, errlen))) goto fail;
    }
    (void)record_list_sweep(&o->list, c->sweep, err, errlen); /* an empty list takes any */
    if (record_list_env(&o->list, &c->env, &o->env) != 0) goto fail;
    return o;
fail:
    runout_free(o);
    return NULL;
}

/* Weights larger than this (K*N) get the output grid only: the weight grid
 * needs two double copies of W. */
#define WEIGHT_GRID_MAX ((int64_t)16 << 20)

/* The weight-space grid when the kernel was handed weights that differ from
 * the checkpoint's (an adapter or a planted fault is wrong), else NULL. */
static struct errgrid *weight_grid(const struct case_work *w) {
    const struct problem *p = &w->p;
    char err[256];
    if (!w->abi.b || p->K * p->N > WEIGHT_GRID_MAX || abi_check(&w->abi, err, sizeof err) != 0 ||
        w->abi.K != p->K || w->abi.N != p->N)
        return NULL;
    double *eff = malloc((size_t)(p->K * p->N) * sizeof *eff);
    double *tru = malloc((size_t)(p->K * p->N) * sizeof *tru);
    struct errgrid *g = NULL;
    struct ref_input ri = problem_ref_input(p, 0);
    if (eff && tru && abi_dequant_logical(&w->abi, eff) == 0 && ref_dequant(&ri, tru) == 0)
        g = errmap_weight_grid(eff, tru, p->g_idx, p->K, p->N, p->G);
    free(eff);
    free(tru);
    return g;
}

void runout_hook(void *ctx, const struct case_result *r, const struct case_work *w) {
    struct runout *o = ctx;
    errgrid_free(o->pend.grid);
    probemap_free(o->pend.probe);
    memset(&o->pend, 0, sizeof o->pend);
    if (!r->have_metrics || !w->out || !w->yref) return;
    struct compare_input ci = {.dt = w->p.d.dt,
                               .mode = w->p.d.data,
                               .M = w->p.M,
                               .N = w->p.N,
                               .K = w->p.K,
                               .yref = w->yref,
                               .absdot = w->absdot,
                               .got = w->out};
    o->pend.valid = 1;
    o->pend.d = r->d;
    o->pend.err_norm = errmap_norm(&ci);
    if (r->verdict == V_FAILED || r->verdict == V_MISTRUSTED) {
        o->pend.grid = weight_grid(w);
        if (!o->pend.grid) o->pend.grid = errmap_grid(&ci);
        if (w->probe && w->probe->K == r->d.k && w->probe->N == r->d.n)
            o->pend.probe = probemap_copy(w->probe);
    }
}

static void write_failed(struct runout *o, const char *msg) {
    if (!o->failed) fprintf(stderr, "gptq-harness run: results stream: %s\n", msg);
    o->failed = 1;
}

/* A case that ran but whose line is not in results.jsonl: it stays in the
 * reports, and the run names it at the end. */
static void unrecorded(struct runout *o, int64_t index, const char *desc, const char *why) {
    if (!o->unrec.n) snprintf(o->why_unrec, sizeof o->why_unrec, "%s", why);
    if (gaps_add(&o->unrec, index, desc) != 0) write_failed(o, "out of memory");
    write_failed(o, why);
}

void runout_case(struct runout *o, int64_t index, const struct case_result *r) {
    struct case_record rec, back;
    char err[512], desc[RECORD_DESC_MAX], repro[RECORD_DESC_MAX + 4096];
    desc_print(&r->d, desc, sizeof desc);
    snprintf(repro, sizeof repro, "%s '%s'", o->cfg.repro_prefix, desc);
    if (record_from_result(&rec, r, index, repro) != 0) {
        write_failed(o, "out of memory");
        return;
    }
    rec.env = o->env;
    if (o->pend.valid && desc_equal(&o->pend.d, &r->d)) {
        rec.err_norm = o->pend.err_norm;
        rec.grid = o->pend.grid;
        rec.probe = o->pend.probe;
        o->pend.grid = NULL;
        o->pend.probe = NULL;
    }
    errgrid_free(o->pend.grid);
    probemap_free(o->pend.probe);
    memset(&o->pend, 0, sizeof o->pend);
    char *line = results_line(&o->list, &rec);
    record_free(&rec);
    if (!line) {
        unrecorded(o, index, desc, "out of memory");
        return;
    }
    /* a case whose line could not be written stays in the reports */
    if (o->w && results_writer_add(o->w, line, err, sizeof err) != 0)
        unrecorded(o, index, desc, err);
    /* the reports read the line back, exactly as a merge of shards will */
    if (results_parse_line(line, strlen(line), &o->list, &back, err, sizeof err) != 0 ||
        record_list_push(&o->list, &back) != 0)
        write_failed(o, err);
    free(line);
}

void runout_mark_partial(struct runout *o, const char *note) {
    gaps_note(&o->gaps, note);
}

int runout_not_run(struct runout *o, int64_t index, const char *desc) {
    return gaps_add(&o->gaps, index, desc);
}

/* Names the cases that ran but are missing from results.jsonl. */
static void report_unrecorded(struct runout *o) {
    if (!o->unrec.n) return;
    char note[512];
    snprintf(note, sizeof note, "%zu case(s) that ran are not in results.jsonl (%.300s)",
             o->unrec.n, o->why_unrec);
    gaps_note(&o->gaps, note);
    fprintf(stderr, "gptq-harness run: %s:\n", note);
    for (size_t i = 0; i < o->unrec.n; i++)
        fprintf(stderr, "  not recorded: #%lld %s\n", (long long)o->unrec.v[i].index,
                o->unrec.v[i].desc);
}

int runout_finish(struct runout *o, int verdict_code, FILE *out) {
    char err[512];
    if (results_writer_close(o->w, err, sizeof err) != 0) write_failed(o, err);
    o->w = NULL;
    report_unrecorded(o);
    int code = outputs_finish(&o->cfg.out, o->no_dir ? NULL : o->dir, o->have_bl ? &o->bl : NULL,
                              &o->list, verdict_code, out);
    return o->failed && code == 0 ? 1 : code;
}

void runout_free(struct runout *o) {
    if (!o) return;
    char err[512];
    results_writer_close(o->w, err, sizeof err);
    if (o->have_bl) baseline_free(&o->bl);
    record_list_free(&o->list);
    errgrid_free(o->pend.grid);
    probemap_free(o->pend.probe);
    gaps_free(&o->gaps);
    gaps_free(&o->unrec);
    free(o);
}

const char *runout_dir(const struct runout *o) {
    return o->no_dir ? NULL : o->dir;
}

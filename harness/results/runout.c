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
    int failed;      /* a write failed (reported once) */
    int no_dir;      /* --out none: records kept in memory only */
    char title[512]; /* the title when marked partial */
};

struct runout *runout_open(const struct runout_cfg *c, char *err, size_t errlen) {
    struct runout *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    o->cfg = *c;
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
    }
}

static void write_failed(struct runout *o, const char *msg) {
    if (!o->failed) fprintf(stderr, "gptq-harness run: results stream: %s\n", msg);
    o->failed = 1;
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
        o->pend.grid = NULL;
    }
    memset(&o->pend, 0, sizeof o->pend);
    char *line = results_line(&o->list, &rec);
    record_free(&rec);
    /* the reports read the line back, exactly as a merge of shards will */
    if (!line || (o->w && results_writer_add(o->w, line, err, sizeof err) != 0) ||
        results_parse_line(line, strlen(line), &o->list, &back, err, sizeof err) != 0 ||
        record_list_push(&o->list, &back) != 0)
        write_failed(o, line ? err : "out of memory");
    free(line);
}

void runout_mark_partial(struct runout *o, const char *note) {
    snprintf(o->title, sizeof o->title, "%.200s (PARTIAL: %.250s)", o->cfg.out.title, note);
    o->cfg.out.title = o->title;
}

int runout_finish(struct runout *o, int verdict_code, FILE *out) {
    char err[512];
    if (results_writer_close(o->w, err, sizeof err) != 0) write_failed(o, err);
    o->w = NULL;
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
    free(o);
}

const char *runout_dir(const struct runout *o) {
    return o->no_dir ? NULL : o->dir;
}

/* runner.c - one case end to end (see runner.h). */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../reference/refgemm.h"
#include "adapter.h"
#include "diagnose.h"
#include "faults.h"
#include "formats.h"
#include "problem.h"

double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void case_result_free(struct case_result *r) {
    free(r->log);
    r->log = NULL;
}

static void work_free(struct case_work *w) {
    problem_free(&w->p);
    tensor_set_free(&w->ckpt);
    abi_tensors_free(&w->abi);
    free(w->yref);
    free(w->absdot);
    free(w->yabi);
    free(w->out);
}

static void set_verdict(struct case_result *r, verdict_t v, const char *reason) {
    r->verdict = v;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

static int stage_reference(struct case_work *w, const struct run_settings *s, struct case_result *r) {
    const struct problem *p = &w->p;
    int64_t total = p->M * p->N;
    w->yref = malloc((size_t)total * sizeof *w->yref);
    if (p->d.data == DATA_REAL) w->absdot = malloc((size_t)total * sizeof *w->absdot);
    struct ref_input ri = {.dt = p->d.dt, .M = p->M, .N = p->N, .K = p->K, .G = p->G,
                           .x = p->x, .q = p->q, .z = p->z, .s = p->s, .g_idx = p->g_idx,
                           .bias = p->bias, .threads = s->threads};
    if (!w->yref || (p->d.data == DATA_REAL && !w->absdot) ||
        ref_gemm(&ri, w->yref, w->absdot) != 0) {
        set_verdict(r, V_ERROR, "out of memory in the reference");
        return -1;
    }
    return 0;
}

/* Plants the descriptor's fault in the adapter's arguments. A fault that
 * cannot change this case makes it SKIPPED (not applicable). */
static int stage_fault(struct case_work *w, struct case_result *r) {
    const struct fault *f = fault_find(w->p.d.fault);
    char why[512], msg[600];
    if (!f) {
        snprintf(msg, sizeof msg, "unknown fault '%s'", w->p.d.fault);
        set_verdict(r, V_ERROR, msg);
        return -1;
    }
    struct fault_ctx fc = {.d = &w->p.d, .ckpt = &w->ckpt};
    int rc = fault_apply(f, &fc, &w->abi, why, sizeof why);
    if (rc == 0) return 0;
    if (rc == 1) {
        snprintf(msg, sizeof msg, "fault not applicable: %s", why);
        set_verdict(r, V_SKIPPED, msg);
        r->fault_not_applicable = 1;
    } else {
        set_verdict(r, V_ERROR, why);
    }
    return -1;
}

static int stage_adapt(struct case_work *w, const struct run_settings *s, struct kernel_backend *kb,
                       struct case_result *r) {
    char err[512];
    if (format_pack(&w->p, &w->ckpt, err, sizeof err) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "packing the checkpoint failed: %s", err);
        set_verdict(r, V_ERROR, msg);
        return -1;
    }
    struct adapter_input ai = {.d = &w->p.d, .ckpt = &w->ckpt, .x = w->p.x, .bias = w->p.bias};
    if (adapter_run(&ai, &w->abi, err, sizeof err) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "adapter %s failed: %s", adapter_name(w->p.d.adapter), err);
        set_verdict(r, V_ERROR, msg);
        return -1;
    }
    if (w->p.d.fault[0] && stage_fault(w, r) != 0) return -1;
    if (abi_check(&w->abi, err, sizeof err) != 0) {
        /* The adapter under test produced arguments the kernel cannot take:
         * the path from checkpoint to kernel is wrong, so the case fails. */
        char msg[600];
        snprintf(msg, sizeof msg, "adapter output violates the kernel contract: %s", err);
        set_verdict(r, V_FAILED, msg);
        snprintf(r->where, sizeof r->where, "adapter wrong: contract violated, kernel not run");
        diagnose_failure(w, s, kb, r);
        return -1;
    }
    return 0;
}

static int stage_device(struct case_work *w, struct kernel_backend *kb, struct case_result *r) {
    int64_t total = w->p.M * w->p.N;
    w->out = malloc((size_t)(total + COMPARE_GUARD) * sizeof *w->out);
    if (!w->out) {
        set_verdict(r, V_ERROR, "out of memory for the output buffer");
        return -1;
    }
    compare_poison(w->p.d.dt, w->out, total);
    struct bk_result br;
    memset(&br, 0, sizeof br);
    kb->run(kb->self, &w->abi, w->out, (size_t)(total + COMPARE_GUARD), &br);
    r->kernel_ms = br.kernel_ms;
    r->t_build = br.build_ms / 1000.0;
    r->log = br.log;
    if (br.status == BK_SKIP) {
        set_verdict(r, V_SKIPPED, br.reason);
        return -1;
    }
    if (br.status != BK_OK) {
        set_verdict(r, V_ERROR, br.reason);
        return -1;
    }
    return 0;
}

void run_case(const struct case_desc *d, const struct run_settings *s, struct kernel_backend *kb,
              struct case_result *r, case_hook hook, void *hook_ctx) {
    memset(r, 0, sizeof *r);
    r->d = *d;
    double t0 = now_seconds(), t;
    struct case_work w;
    memset(&w, 0, sizeof w);
    int64_t need = problem_bytes(d);
    if (s->max_bytes > 0 && need > s->max_bytes) {
        char msg[256];
        snprintf(msg, sizeof msg, "case needs about %.2f GiB of host memory > --max-bytes %.2f GiB",
                 need / 1073741824.0, s->max_bytes / 1073741824.0);
        set_verdict(r, V_SKIPPED, msg);
        goto done;
    }
    char err[512];
    t = now_seconds();
    if (problem_generate(d, &w.p, err, sizeof err) != 0) {
        set_verdict(r, V_ERROR, err);
        goto done;
    }
    r->t_gen = now_seconds() - t;
    t = now_seconds();
    if (stage_reference(&w, s, r) != 0) goto done;
    r->t_ref = now_seconds() - t;
    t = now_seconds();
    if (stage_adapt(&w, s, kb, r) != 0) goto done;
    r->t_adapt = now_seconds() - t;
    t = now_seconds();
    if (stage_device(&w, kb, r) != 0) goto done;
    r->t_dev = now_seconds() - t;
    t = now_seconds();
    struct compare_input ci = {.dt = d->dt, .mode = d->data, .M = w.p.M, .N = w.p.N, .K = w.p.K,
                               .yref = w.yref, .absdot = w.absdot, .got = w.out,
                               .safety = s->safety};
    r->verdict = compare_run(&ci, &r->met, r->reason, sizeof r->reason);
    r->have_metrics = 1;
    if (r->verdict == V_FAILED) diagnose_failure(&w, s, kb, r);
    r->t_cmp = now_seconds() - t;
done:
    r->t_total = now_seconds() - t0;
    if (hook) hook(hook_ctx, r, &w);
    work_free(&w);
}

/* runner.c - one case end to end (see runner.h). */
#include "verdict/runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reference/refgemm.h"
#include "adapters/adapter.h"
#include "verdict/diagnose.h"
#include "adapters/faults.h"
#include "formats/formats.h"
#include "cases/problem.h"
#include "util/clock.h"
#include "util/units.h"

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
    compare_out_free(w->out, w->guard);
    probemap_free(w->probe);
}

static void set_verdict(struct case_result *r, verdict_t v, const char *reason) {
    r->verdict = v;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

static int stage_reference(struct case_work *w, const struct run_settings *s,
                           struct case_result *r) {
    const struct problem *p = &w->p;
    int64_t total = p->M * p->N;
    w->yref = malloc((size_t)total * sizeof *w->yref);
    if (p->d.data == DATA_REAL) w->absdot = malloc((size_t)total * sizeof *w->absdot);
    struct ref_input ri = problem_ref_input(p, s->threads);
    if (!w->yref || (p->d.data == DATA_REAL && !w->absdot) ||
        ref_gemm(&ri, w->yref, w->absdot) != 0) {
        set_verdict(r, V_ERROR, "out of memory in the reference");
        return -1;
    }
    return 0;
}

/* A stored reference (replay) must be reproduced bit for bit. */
static int stage_expect(const struct case_work *w, const double *expect, struct case_result *r) {
    int64_t total = w->p.M * w->p.N, bad = 0, first = -1;
    for (int64_t i = 0; i < total; i++)
        if (memcmp(&w->yref[i], &expect[i], sizeof expect[i]) != 0 && bad++ == 0) first = i;
    if (bad == 0) return 0;
    snprintf(r->reason, sizeof r->reason,
             "the reference no longer reproduces the stored y_ref: %lld of %lld elements differ, "
             "first y[%lld][%lld] stored %.17g, now %.17g",
             (long long)bad, (long long)total, (long long)(first / w->p.N),
             (long long)(first % w->p.N), expect[first], w->yref[first]);
    r->verdict = V_ERROR;
    return -1;
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

/* The adapter under test produced arguments the kernel cannot take: the
 * path from checkpoint to kernel is wrong, so the case fails. */
static void contract_violated(struct case_work *w, const struct run_settings *s,
                              struct kernel_backend *kb, struct case_result *r, const char *err) {
    char msg[600];
    snprintf(msg, sizeof msg, "adapter output violates the kernel contract: %s", err);
    set_verdict(r, V_FAILED, msg);
    snprintf(r->where, sizeof r->where, "adapter wrong: contract violated, kernel not run");
    diagnose_failure(w, s, kb, r);
}

static int stage_adapt(struct case_work *w, const struct run_settings *s, struct kernel_backend *kb,
                       struct case_result *r) {
    char err[512];
    if (w->ckpt.n == 0 && format_pack(&w->p, &w->ckpt, err, sizeof err) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "packing the checkpoint failed: %s", err);
        set_verdict(r, V_ERROR, msg);
        return -1;
    }
    struct adapter_input ai = {
        .d = &w->p.d, .ckpt = &w->ckpt, .x = w->p.x, .bias = w->p.bias, .exec = s->adapter_exec};
    const int rc = adapter_run(&ai, &w->abi, err, sizeof err);
    if (rc == ADAPTER_CONTRACT_VIOLATED) {
        contract_violated(w, s, kb, r, err);
        return -1;
    }
    if (rc != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "adapter %s %s: %s", adapter_name(w->p.d.adapter),
                 rc == 1 ? "skips the case" : "failed", err);
        set_verdict(r, rc == 1 ? V_SKIPPED : V_ERROR, msg);
        return -1;
    }
    if (w->p.d.fault[0] && stage_fault(w, r) != 0) return -1;
    if (abi_check(&w->abi, err, sizeof err) != 0) {
        contract_violated(w, s, kb, r, err);
        return -1;
    }
    return 0;
}

/* One run of the kernel under test into out: on the ABI tensors, or in layer
 * mode on the checkpoint (the runner's own loader takes it). */
static void launch(struct case_work *w, struct kernel_backend *kb, uint16_t *out, size_t guard,
                   struct bk_result *br) {
    memset(br, 0, sizeof *br);
    if (kb->run_layer) {
        struct adapter_input ai = {.d = &w->p.d, .ckpt = &w->ckpt, .x = w->p.x, .bias = w->p.bias};
        kb->run_layer(kb->self, &ai, out, guard, br);
    } else {
        kb->run(kb->self, &w->abi, out, guard, br);
    }
}

static int stage_device(struct case_work *w, struct kernel_backend *kb, struct case_result *r,
                        struct bk_memcheck *mc) {
    int64_t total = w->p.M * w->p.N;
    w->guard = compare_guard(w->p.M, w->p.N, w->p.K);
    w->out = compare_out_alloc(w->p.d.dt, total, w->guard);
    if (!w->out) {
        set_verdict(r, V_ERROR, "out of memory for the output buffer");
        return -1;
    }
    struct bk_result br;
    launch(w, kb, w->out, (size_t)w->guard, &br);
    *mc = br.mc;
    r->kernel_ms = br.kernel_ms;
    r->t_build = br.build_ms / 1000.0;
    r->log = br.log;
    if (br.status == BK_SKIP) {
        set_verdict(r, V_SKIPPED, br.reason);
        return -1;
    }
    if (br.status == BK_INTERRUPTED) r->interrupted = 1;
    r->hung = br.hung;
    if (br.status != BK_OK) {
        set_verdict(r, V_ERROR, br.reason);
        return -1;
    }
    return 0;
}

/* Bitwise mode (--repeat N): reruns the kernel on the same inputs, output
 * poisoned afresh, and requires every run to reproduce the first run's bits
 * (output and guard): a difference means a race or uninitialised reads. */
static void stage_repeat(struct case_work *w, const struct run_settings *s,
                         struct kernel_backend *kb, struct case_result *r) {
    const int64_t total = w->p.M * w->p.N, all = total + 2 * w->guard;
    uint16_t *again = compare_out_alloc(w->p.d.dt, total, w->guard);
    if (!again) {
        set_verdict(r, V_ERROR, "out of memory for --repeat");
        return;
    }
    uint16_t *const a0 = again - w->guard, *const o0 = w->out - w->guard;
    for (int i = 2; i <= s->repeat; i++) {
        compare_poison(w->p.d.dt, again, total, w->guard);
        struct bk_result br;
        launch(w, kb, again, (size_t)w->guard, &br);
        free(br.log);
        if (br.status != BK_OK) {
            char msg[RESULT_REASON_MAX];
            snprintf(msg, sizeof msg, "--repeat: run %d of %d did not complete: %.900s", i,
                     s->repeat, br.reason);
            set_verdict(r, V_ERROR, msg);
            break;
        }
        int64_t diff = 0, first = -1;
        for (int64_t j = 0; j < all; j++)
            if (a0[j] != o0[j]) {
                if (first < 0) first = j - w->guard;
                diff++;
            }
        if (!diff) continue;
        char msg[RESULT_REASON_MAX];
        if (first >= 0 && first < total)
            snprintf(msg, sizeof msg,
                     "nondeterministic: run %d of %d differs from run 1 in %lld element(s), first "
                     "at (m=%lld, n=%lld): 0x%04x then 0x%04x (a race or an uninitialised read)",
                     i, s->repeat, (long long)diff, (long long)(first / w->p.N),
                     (long long)(first % w->p.N), w->out[first], again[first]);
        else
            snprintf(msg, sizeof msg,
                     "nondeterministic: run %d of %d wrote the guard zones differently from "
                     "run 1 (%lld element(s))",
                     i, s->repeat, (long long)diff);
        set_verdict(r, V_FAILED, msg);
        snprintf(r->where, sizeof r->where, "kernel wrong: its results depend on the schedule");
        break;
    }
    compare_out_free(again, w->guard);
}

/* The kernel wrote where it must not (docs/reliability.md, "Memory
 * integrity"): into an input, or anywhere after it had returned: FAILED,
 * naming what, whatever the output looks like. A late write into the
 * previous case's buffers, found by this run, is an ERROR of this case
 * naming the previous one (that case's verdict was already reported; this
 * case ran on buffers of its own). */
static void stage_memory(const struct bk_memcheck *mc, const struct run_settings *s,
                         struct case_result *r) {
    char msg[RESULT_REASON_MAX] = "";
    size_t used = 0;
    for (int i = 0; i < BK_NIN && used < sizeof msg; i++) {
        if (!mc->changed[i]) continue;
        int n = snprintf(msg + used, sizeof msg - used,
                         "%sthe kernel wrote into its input %s (%lld element(s) changed, the first "
                         "at index %lld)",
                         used ? "; " : "", bk_input_name(i), (long long)mc->changed[i],
                         (long long)mc->first[i]);
        used = n < 0 ? sizeof msg : used + (size_t)n;
    }
    if (mc->late && used < sizeof msg) {
        int n = snprintf(msg + used, sizeof msg - used,
                         "%sthe kernel wrote %lld element(s) of its buffers after it had returned "
                         "(a late asynchronous write)",
                         used ? "; " : "", (long long)mc->late);
        used = n < 0 ? sizeof msg : used + (size_t)n;
    }
    if (used) {
        char rest[RESULT_REASON_MAX];
        snprintf(rest, sizeof rest, "%s", r->verdict == V_FAILED ? r->reason : "");
        snprintf(r->reason, sizeof r->reason, "%.400s%s%.600s", msg, rest[0] ? "; and " : "", rest);
        r->verdict = V_FAILED;
        snprintf(r->where, sizeof r->where, "kernel wrong: it writes outside its output%s",
                 mc->late ? " or after it has returned" : "");
    }
    if (!mc->prev_late) return;
    char prev[700], line[320] = "";
    if (s->previous) desc_print(s->previous, line, sizeof line);
    snprintf(prev, sizeof prev,
             "the kernel's previous run (%s%.300s%s) wrote %lld element(s) of its %s after it "
             "had been reported: a late asynchronous write; that case is the guilty one, this "
             "case ran on buffers of its own",
             line[0] ? "the case "
                     : "the case before this one, or its diagnosis or --repeat "
                       "runs",
             line, line[0] ? ", or its diagnosis or --repeat runs" : "", (long long)mc->prev_late,
             mc->prev_late_what);
    if (r->verdict == V_PASSED || r->verdict == V_MISTRUSTED) {
        r->verdict = V_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s", prev);
    } else {
        char rest[RESULT_REASON_MAX];
        snprintf(rest, sizeof rest, "%s", r->reason);
        snprintf(r->reason, sizeof r->reason, "%.400s; also: %.590s", rest, prev);
    }
}

/* Skips a case beyond the host memory cap. */
static int stage_fits(const struct case_desc *d, const struct run_settings *s,
                      struct case_result *r) {
    int64_t need = problem_bytes(d);
    if (s->max_bytes <= 0 || need <= s->max_bytes) return 0;
    char msg[256], a[32], b[32];
    fmt_bytes(a, sizeof a, (double)need);
    fmt_bytes(b, sizeof b, (double)s->max_bytes);
    snprintf(msg, sizeof msg, "case needs about %s of host memory > --max-bytes %s", a, b);
    set_verdict(r, V_SKIPPED, msg);
    return -1;
}

/* A problem loaded from a file (fixture, checkpoint) may hold NaN or
 * infinity in its activations, scales or bias: then neither the reference
 * nor any kernel has a meaningful answer, and the case is an ERROR naming
 * the input, not a kernel failure. */
static int stage_finite(const struct problem *p, struct case_result *r) {
    struct {
        const char *name;
        const uint16_t *v;
        int64_t rows, cols;
    } t[3] = {{"activations x", p->x, p->M, p->K},
              {"scales", p->s, p->G, p->N},
              {"bias", p->bias, 1, p->N}};
    for (int i = 0; i < 3; i++) {
        const int64_t at = dt_first_nonfinite(p->d.dt, t[i].v, t[i].rows * t[i].cols);
        if (at < 0) continue;
        const double v = dt_to_double(p->d.dt, t[i].v[at]);
        char msg[256];
        snprintf(msg, sizeof msg,
                 "the inputs hold a non-finite value: %s[%lld][%lld] = %s; no kernel result can "
                 "be judged against it (a damaged checkpoint or fixture?)",
                 t[i].name, (long long)(at / t[i].cols), (long long)(at % t[i].cols),
                 isnan(v) ? "nan"
                 : v > 0  ? "inf"
                          : "-inf");
        set_verdict(r, V_ERROR, msg);
        return -1;
    }
    return 0;
}

/* Everything after the problem exists: reference, adapter, device, compare. */
static void run_work(struct case_work *w, const double *yref_expect, const struct run_settings *s,
                     struct kernel_backend *kb, struct case_result *r) {
    const struct case_desc *d = &w->p.d;
    double t = now_seconds();
    if (stage_finite(&w->p, r) != 0) return;
    if (stage_reference(w, s, r) != 0) return;
    if (yref_expect && stage_expect(w, yref_expect, r) != 0) return;
    r->t_ref = now_seconds() - t;
    t = now_seconds();
    if (stage_adapt(w, s, kb, r) != 0) return;
    r->t_adapt = now_seconds() - t;
    t = now_seconds();
    struct bk_memcheck mc;
    memset(&mc, 0, sizeof mc);
    if (stage_device(w, kb, r, &mc) != 0) return;
    r->t_dev = now_seconds() - t;
    t = now_seconds();
    struct compare_input ci = {.dt = d->dt,
                               .mode = d->data,
                               .M = w->p.M,
                               .N = w->p.N,
                               .K = w->p.K,
                               .yref = w->yref,
                               .absdot = w->absdot,
                               .got = w->out,
                               .guard = w->guard,
                               .safety = s->safety};
    r->verdict = compare_run(&ci, &r->met, r->reason, sizeof r->reason);
    r->have_metrics = 1;
    const int wrote_outside =
        mc.late != 0 || memcmp(mc.changed, (int64_t[BK_NIN]){0}, sizeof mc.changed) != 0;
    if (r->verdict == V_FAILED && !wrote_outside) diagnose_failure(w, s, kb, r);
    if (r->verdict == V_FAILED && !wrote_outside &&
        kb->run_layer) /* the split is inside the runner */
        snprintf(r->where, sizeof r->where,
                 "layer wrong: the runner's loader and kernel together do not compute the layer "
                 "(a layer runner gives no place to tell which of the two)");
    stage_memory(&mc, s, r);
    if (r->verdict != V_FAILED && r->verdict != V_ERROR && s->repeat > 1) stage_repeat(w, s, kb, r);
    r->t_cmp = now_seconds() - t;
}

static void finish(struct case_work *w, struct case_result *r, double t0, case_hook hook,
                   void *hook_ctx) {
    r->t_total = now_seconds() - t0;
    if (hook) hook(hook_ctx, r, w);
    work_free(w);
}

void run_case(const struct case_desc *d, const struct run_settings *s, struct kernel_backend *kb,
              struct case_result *r, case_hook hook, void *hook_ctx) {
    memset(r, 0, sizeof *r);
    r->d = *d;
    double t0 = now_seconds(), t;
    struct case_work w;
    memset(&w, 0, sizeof w);
    char err[512];
    if (stage_fits(d, s, r) != 0) goto done;
    t = now_seconds();
    if (problem_generate(d, &w.p, err, sizeof err) != 0) {
        set_verdict(r, V_ERROR, err);
        goto done;
    }
    r->t_gen = now_seconds() - t;
    run_work(&w, NULL, s, kb, r);
done:
    finish(&w, r, t0, hook, hook_ctx);
}

void run_input(struct case_input *in, const struct run_settings *s, struct kernel_backend *kb,
               struct case_result *r, case_hook hook, void *hook_ctx) {
    memset(r, 0, sizeof *r);
    r->d = in->p.d;
    double t0 = now_seconds();
    struct case_work w;
    memset(&w, 0, sizeof w);
    w.p = in->p;
    w.ckpt = in->ckpt;
    memset(&in->p, 0, sizeof in->p);
    memset(&in->ckpt, 0, sizeof in->ckpt);
    if (stage_fits(&w.p.d, s, r) == 0) run_work(&w, in->yref_expect, s, kb, r);
    finish(&w, r, t0, hook, hook_ctx);
}

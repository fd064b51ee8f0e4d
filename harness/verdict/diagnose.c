/* diagnose.c - where, what and shape of a FAILED case (see diagnose.h).
 *
 * Decisions:
 *  - A hypothesis is first checked on output row m = 0 alone (a fault that
 *    does not reproduce row 0 cannot reproduce the whole output), so the
 *    full ABI-level reference runs only for the few that survive.
 *  - Pairs of faults are tried only when the kernel computed what the
 *    contract says (adapter wrong) and no single fault matched: an adapter
 *    can have two bugs at once (vllm-xpu on asymmetric gptq-v1: zero points
 *    transposed and the v1 offset left in), a kernel is compared with single
 *    hypotheses only ("kernel wrong; behaves as if ..."). When the kernel was
 *    not run (contract violated) a hypothesis is a comparison of arguments,
 *    cheap enough to try triples too.
 *  - The output's shape is measured against the logical reference when the
 *    adapter is wrong and against the kernel's own contract when the kernel
 *    is wrong. */
#include "verdict/diagnose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/adapter.h"
#include "verdict/errshape.h"
#include "adapters/faults.h"
#include "verdict/probe.h"
#include "util/strbuf.h"

/* The output and its comparison settings. */
struct observed {
    const uint16_t *out; /* NULL: kernel not run */
    const struct abi_tensors *got_abi;
    dtype_t dt;
    data_t mode;
    double safety;
};

/* The ABI-level reference of some arguments, as the output is judged
 * against it: y, absdot, and in exact modes the slack (abi.h). */
struct contract_ref {
    double *y, *absdot, *slack;
};

static void contract_ref_free(struct contract_ref *c) {
    free(c->y);
    free(c->absdot);
    free(c->slack);
    memset(c, 0, sizeof *c);
}

/* Computes c for rows [0, t->M) of t; 0 or -1 (out of memory). */
static int contract_ref_make(const struct abi_tensors *t, data_t mode, struct contract_ref *c) {
    const size_t total = (size_t)(t->M * t->N);
    c->y = malloc(total * sizeof *c->y);
    c->absdot = malloc(total * sizeof *c->absdot);
    c->slack = data_is_exact(mode) ? malloc(total * sizeof *c->slack) : NULL;
    if (!c->y || !c->absdot || (data_is_exact(mode) && !c->slack) ||
        abi_reference_slack(t, c->y, c->absdot, c->slack) != 0) {
        contract_ref_free(c);
        return -1;
    }
    return 0;
}

/* The comparison of the output with c: as the contract allows on arguments
 * that need not hold exact data (compare_element_at). */
static struct compare_input contract_input(const struct contract_ref *c, int64_t M, int64_t N,
                                           int64_t K, const struct observed *o) {
    struct compare_input ci = {.dt = o->dt,
                               .mode = o->mode,
                               .M = M,
                               .N = N,
                               .K = K,
                               .yref = c->y,
                               .absdot = c->absdot,
                               .got = o->out,
                               .safety = o->safety,
                               .slack = c->slack};
    return ci;
}

/* The output elements that differ from what the contract makes of c. */
static int64_t contract_mismatches(const struct compare_input *ci) {
    int64_t bad = 0;
    for (int64_t i = 0; i < ci->M * ci->N; i++)
        bad += !compare_element_at(ci, i);
    return bad;
}

/* 1 when rows [0, rows) of the ABI-level reference of h reproduce the output
 * element by element; -1 out of memory. */
static int rows_match(const struct abi_tensors *h, int64_t rows, const struct observed *o) {
    struct abi_tensors part = *h; /* shares h's buffers; a is row-major, so rows < M is a prefix */
    part.M = rows;
    struct contract_ref c;
    if (contract_ref_make(&part, o->mode, &c) != 0) return -1;
    const struct compare_input ci = contract_input(&c, rows, h->N, h->K, o);
    const int rc = contract_mismatches(&ci) == 0;
    contract_ref_free(&c);
    return rc;
}

/* 1 when the faulty arguments h explain what was observed. */
static int explains(const struct abi_tensors *h, const struct observed *o) {
    if (!o->out) return abi_tensors_equal(h, o->got_abi);
    if (abi_check(h, NULL, 0) != 0) return 0;
    int rc = rows_match(h, 1, o);
    if (rc == 1 && h->M > 1) rc = rows_match(h, h->M, o);
    return rc == 1;
}

/* Applies faults[0..n) in order to a copy of the right arguments; 1 when the
 * result explains the observation, 0 when not (or a fault does not apply). */
static int hypothesis(const struct abi_tensors *right, const struct fault *const *faults, int n,
                      const struct fault_ctx *fc, const struct observed *o) {
    struct abi_tensors h;
    if (abi_tensors_copy(&h, right) != 0) return 0;
    char why[256];
    int ok = 1;
    for (int i = 0; i < n && ok; i++)
        ok = fault_apply(faults[i], fc, &h, why, sizeof why) == 0;
    ok = ok && explains(&h, o);
    abi_tensors_free(&h);
    return ok;
}

/* The faults found so far: names (space separated, "a+b" for faults found
 * together) and the text. */
struct what {
    struct strbuf names;
    struct strbuf *text;
    int matches;
};

static void add_match(struct what *wh, const struct fault *const *f, int n) {
    for (int i = 0; i < n; i++)
        sb_add(&wh->names, "%s%s", i ? "+" : wh->names.used ? " " : "", fault_name(f[i]));
    sb_add(wh->text, "%s", wh->matches++ == 0 ? "explained by " : "; or by ");
    if (n == 1) {
        sb_add(wh->text, "fault %s (%s)", fault_name(f[0]), fault_description(f[0]));
        return;
    }
    sb_add(wh->text, "faults ");
    for (int i = 0; i < n; i++)
        sb_add(wh->text, "%s%s", i ? " + " : "", fault_name(f[i]));
    sb_add(wh->text, " together (");
    for (int i = 0; i < n; i++)
        sb_add(wh->text, "%s%s", i ? "; " : "", fault_description(f[i]));
    sb_add(wh->text, ")");
}

/* The right arguments for this case: the reference adapter on its checkpoint. */
static int right_arguments(const struct case_work *w, struct case_desc *dref,
                           struct abi_tensors *right) {
    *dref = w->p.d;
    dref->adapter = ADAPTER_REFERENCE;
    dref->zproute = ZPROUTE_AUTO;
    dref->fault[0] = '\0';
    char err[256];
    struct adapter_input ai = {.d = dref, .ckpt = &w->ckpt, .x = w->p.x, .bias = w->p.bias};
    return adapter_run(&ai, right, err, sizeof err);
}

static void find_what(const struct case_work *w, const struct observed *o, int adapter_wrong,
                      struct what *wh) {
    struct case_desc dref;
    struct abi_tensors right;
    if (right_arguments(w, &dref, &right) != 0) {
        sb_add(wh->text, "hypotheses not tried (the reference adapter failed on this checkpoint)");
        return;
    }
    struct fault_ctx fc = {.d = &dref, .ckpt = &w->ckpt};
    const struct fault *app[64];
    int napp = 0;
    char why[256];
    for (size_t i = 0; i < fault_count() && napp < 64; i++)
        if (fault_rule_holds(fault_at(i), &dref, why, sizeof why)) app[napp++] = fault_at(i);
    for (int i = 0; i < napp; i++)
        if (hypothesis(&right, &app[i], 1, &fc, o)) add_match(wh, &app[i], 1);
    for (int i = 0; !wh->matches && adapter_wrong && i < napp; i++)
        for (int j = i + 1; j < napp; j++) {
            const struct fault *pair[2] = {app[i], app[j]};
            if (hypothesis(&right, pair, 2, &fc, o)) add_match(wh, pair, 2);
        }
    /* Triples only where a hypothesis costs a comparison of arguments. */
    for (int i = 0; !wh->matches && !o->out && i < napp; i++)
        for (int j = i + 1; j < napp; j++)
            for (int k = j + 1; k < napp; k++) {
                const struct fault *three[3] = {app[i], app[j], app[k]};
                if (hypothesis(&right, three, 3, &fc, o)) add_match(wh, three, 3);
            }
    if (!wh->matches)
        sb_add(wh->text, "no catalogued fault (%d tried%s) reproduces the %s", napp,
               adapter_wrong ? ", and pairs of them" : "", o->out ? "output" : "arguments");
    abi_tensors_free(&right);
}

/* where: compares the output with the ABI-level reference of the arguments
 * the kernel got (kept in abi for the shapes). Returns 1 adapter wrong, 0
 * kernel wrong, -1 unknown. */
static int find_where(struct case_work *w, const struct observed *o, struct case_result *r,
                      struct contract_ref *abi) {
    if (contract_ref_make(&w->abi, o->mode, abi) != 0) {
        snprintf(r->where, sizeof r->where, "unknown (out of memory for the ABI-level reference)");
        return -1;
    }
    const struct compare_input ci = contract_input(abi, w->abi.M, w->abi.N, w->abi.K, o);
    const int64_t bad = contract_mismatches(&ci), total = w->abi.M * w->abi.N;
    const struct metrics *m = &r->met;
    if (bad == 0 && m->guard_bad == 0) {
        snprintf(r->where, sizeof r->where,
                 "adapter wrong: the kernel computed what the contract says from the arguments it "
                 "got; those arguments do not encode the checkpoint");
        return 1;
    }
    if (bad == 0)
        snprintf(r->where, sizeof r->where,
                 "kernel wrong: it wrote %lld element(s) %s the output (guard zones); every "
                 "element of the output itself is right",
                 (long long)m->guard_bad,
                 m->guard_before && m->guard_after ? "before and after"
                 : m->guard_before                 ? "before"
                                                   : "past the end of");
    else
        snprintf(r->where, sizeof r->where,
                 "kernel wrong: its output differs from the ABI-level reference of its own "
                 "arguments (%lld/%lld elements)",
                 (long long)bad, (long long)total);
    return 0;
}

/* The probe's mask in kernel row order over all K rows (rows not probed are
 * 0), with kernel-order groups k / group_size. */
static int probe_mask(const struct case_work *w, const struct probe_plan *pl,
                      const unsigned char *bad, struct weight_mask *wm, unsigned char **kbad,
                      int32_t **gid) {
    const struct abi_tensors *t = &w->abi;
    *kbad = calloc((size_t)(t->K * t->N), 1);
    *gid = malloc((size_t)t->K * sizeof **gid);
    if (!*kbad || !*gid) return -1;
    for (int64_t i = 0; i < pl->rows; i++)
        memcpy(*kbad + pl->pos[i] * t->N, bad + i * t->N, (size_t)t->N);
    for (int64_t k = 0; k < t->K; k++)
        (*gid)[k] = (int32_t)(k / t->group_size);
    *wm = (struct weight_mask){.bad = *kbad,
                               .rows = t->K,
                               .K = t->K,
                               .N = t->N,
                               .probed = pl->rows < t->K ? pl->rows : 0,
                               .gid = *gid,
                               .G = t->K / t->group_size,
                               .gs = t->group_size};
    return 0;
}

/* A partial probe: the nibble slots (k % 8) and the span of the probed rows
 * that hold a wrong weight. */
static void add_probed_slots(const struct probe_plan *pl, const unsigned char *bad, int64_t N,
                             struct strbuf *text) {
    unsigned slots = 0;
    int64_t lo = -1, hi = -1, rows = 0;
    for (int64_t i = 0; i < pl->rows; i++) {
        int wrong = 0;
        for (int64_t n = 0; n < N && !wrong; n++)
            wrong = bad[i * N + n];
        if (!wrong) continue;
        slots |= 1u << (pl->pos[i] % 8);
        if (lo < 0) lo = pl->pos[i];
        hi = pl->pos[i];
        rows++;
    }
    sb_add(text, "; the %lld wrong probed row(s) lie in k %lld..%lld, nibble slot(s) {",
           (long long)rows, (long long)lo, (long long)hi);
    for (int j = 0, first = 1; j < 8; j++)
        if (slots & (1u << j)) {
            sb_add(text, "%s%d", first ? "" : ",", j);
            first = 0;
        }
    sb_add(text, "} of 0..7");
}

/* Kernel wrong: which weights the kernel itself decodes wrongly. A partial
 * probe says so, says what it covered, and never concludes that the weights
 * are right. */
static void add_probe(struct case_work *w, struct kernel_backend *kb, struct strbuf *text) {
    struct probe_plan pl;
    unsigned char *bad = NULL, *kbad = NULL;
    int32_t *gid = NULL;
    char err[256] = "out of memory", label[256], buf[RESULT_DIAG_MAX];
    struct weight_mask wm;
    if (probe_plan_make(&w->abi, &pl) != 0 || !(bad = malloc((size_t)(pl.rows * w->abi.N))) ||
        probe_weights(kb, &w->abi, &pl, bad, err, sizeof err) != 0 ||
        probe_mask(w, &pl, bad, &wm, &kbad, &gid) != 0) {
        sb_add(text, "; kernel's weights not probed (%s)", err);
        goto out;
    }
    const int partial = pl.rows < w->abi.K;
    if (!partial)
        snprintf(label, sizeof label, "kernel's weights (one-hot probe, kernel row order)");
    else
        snprintf(label, sizeof label,
                 "kernel's weights (PARTIAL one-hot probe: %lld of %lld rows, kernel row order, "
                 "%s nibble slot, %s group, %s)",
                 (long long)pl.rows, (long long)w->abi.K, pl.all_slots ? "every" : "not every",
                 pl.all_groups ? "every" : "not every",
                 pl.both_ends ? "both ends of K" : "not both ends of K");
    int any = 0;
    for (int64_t i = 0; i < pl.rows * w->abi.N && !any; i++)
        any = bad[i];
    if (!any && partial) {
        sb_add(text,
               "; %s: no probed weight is wrong (%lld weights); the other %lld rows were not "
               "probed, so a decoding error there is not ruled out",
               label, (long long)(pl.rows * w->abi.N), (long long)(w->abi.K - pl.rows));
        goto out;
    }
    if (any) {
        probemap_free(w->probe);
        w->probe = probemap_build(pl.pos, pl.rows, bad, w->abi.K, w->abi.N);
    }
    shape_weight_mask(&wm, label, buf, sizeof buf);
    sb_add(text, "; %s", buf);
    if (any && partial) add_probed_slots(&pl, bad, w->abi.N, text);
    if (!any)
        sb_add(text, " (the kernel decodes the weights right; the error lies in the "
                     "accumulation, the bias or the store)");
out:
    probe_plan_free(&pl);
    free(bad);
    free(kbad);
    free(gid);
}

static void add_shapes(struct case_work *w, const struct run_settings *s, struct kernel_backend *kb,
                       const struct contract_ref *abi, int adapter_wrong,
                       const struct case_result *r, struct strbuf *text) {
    const int vs_logical = adapter_wrong != 0;
    struct compare_input ci = {.dt = w->p.d.dt,
                               .mode = w->p.d.data,
                               .M = w->p.M,
                               .N = w->p.N,
                               .K = w->p.K,
                               .yref = vs_logical ? w->yref : abi->y,
                               .absdot = vs_logical ? w->absdot : abi->absdot,
                               .got = w->out,
                               .safety = s->safety,
                               .slack = vs_logical ? NULL : abi->slack};
    char buf[RESULT_DIAG_MAX];
    shape_output(&ci, vs_logical ? "output" : "output against the kernel's own contract", buf,
                 sizeof buf);
    sb_add(text, "%s%s", text->used ? "; " : "", buf);
    if (r->met.guard_after)
        sb_add(text, "; %lld guard element(s) after the output overwritten",
               (long long)r->met.guard_after);
    if (r->met.guard_before)
        sb_add(text, "; %lld guard element(s) before the output overwritten",
               (long long)r->met.guard_before);
    if (adapter_wrong == 0) {
        if (!s->no_probe) add_probe(w, kb, text);
        return;
    }
    double *weff = malloc((size_t)(w->p.K * w->p.N) * sizeof *weff);
    if (weff && abi_dequant_logical(&w->abi, weff) == 0 &&
        shape_weights(weff, &w->p, buf, sizeof buf) == 0)
        sb_add(text, "; %s", buf);
    free(weff);
}

void diagnose_failure(struct case_work *w, const struct run_settings *s, struct kernel_backend *kb,
                      struct case_result *r) {
    struct observed o = {.out = w->out,
                         .got_abi = &w->abi,
                         .dt = w->p.d.dt,
                         .mode = w->p.d.data,
                         .safety = s->safety};
    struct contract_ref abi = {NULL, NULL, NULL};
    int adapter_wrong = 1; /* a contract violation: the adapter is wrong */
    if (w->out) adapter_wrong = find_where(w, &o, r, &abi);
    if (!s->no_diagnosis) {
        struct strbuf text;
        sb_init(&text, r->diagnosis, sizeof r->diagnosis);
        struct what wh = {.text = &text, .matches = 0};
        sb_init(&wh.names, r->explained_by, sizeof r->explained_by);
        find_what(w, &o, adapter_wrong == 1, &wh);
        if (!w->out)
            sb_add(&text, "%skernel not run", text.used ? "; " : "");
        else if (adapter_wrong >= 0)
            add_shapes(w, s, kb, &abi, adapter_wrong, r, &text);
    }
    contract_ref_free(&abi);
}

/* backend_exec.c - see backend_exec.h.
 *
 * Decisions:
 * - The output comes back in a file, so the runner cannot write past it:
 *   the guard after the harness's buffer stays as poisoned; an output of any
 *   other shape than [M][N] or another dtype than the activations' is an
 *   ERROR (a broken reply), never a partial copy.
 * - Wrong shape or dtype keeps the runner (it answered the protocol);
 *   death, hang and garbage replace it (runner_proto.h).
 * - kernel_ms: what the runner reports (its own timing), else the wall time
 *   of the call, which includes the files and the interpreter. */
#include "backends/backend_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/adapter.h"
#include "adapters/adapter_exec.h"
#include "formats/runner_proto.h"
#include "util/clock.h"

struct exec_backend {
    struct rp_runner rp;
    int layer;
    int perf_runs;
    struct exb_perf perf;
};

struct exec_backend *exb_open(const char *cmd, int layer, double timeout_s) {
    struct exec_backend *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->layer = layer;
    if (rp_init(&b->rp, cmd, layer ? "layer" : "kernel", timeout_s) != 0) {
        free(b);
        return NULL;
    }
    char err[768];
    if (rp_ensure(&b->rp, err, sizeof err) != 0)
        fprintf(stderr, "gptq-harness: %s runner: %s; each case tries a fresh one\n", b->rp.role,
                err);
    return b;
}

const char *exb_name(const struct exec_backend *b) {
    return b->rp.name[0] ? b->rp.name : b->rp.cmd;
}
int exb_is_layer(const struct exec_backend *b) {
    return b->layer;
}
void exb_set_perf_runs(struct exec_backend *b, int runs) {
    b->perf_runs = runs;
}
const struct exb_perf *exb_last_perf(const struct exec_backend *b) {
    return &b->perf;
}
int exb_restarts(const struct exec_backend *b) {
    return b->rp.restarts;
}

static struct st_wtensor wt(const char *name, st_dtype_t dt, int64_t d0, int64_t d1,
                            const void *v) {
    struct st_wtensor w = {.name = name, .dtype = dt, .ndim = d1 ? 2 : 1, .data = v};
    w.shape[0] = d0;
    w.shape[1] = d1;
    return w;
}

/* The ABI tensors as the request's input; n receives the count. */
static size_t abi_inputs(const struct abi_tensors *t, struct st_wtensor *w) {
    const st_dtype_t act = t->dt == DT_BF16 ? ST_BF16 : ST_F16;
    const int64_t G = t->scale_elems / t->N;
    size_t n = 0;
    w[n++] = wt("a", act, t->M, t->K, t->a);
    w[n++] = wt("b", ST_U32, t->N, t->K / 8, t->b);
    w[n++] = wt("scale", act, G, t->N, t->scale);
    if (t->zp) w[n++] = wt("zp", ST_U32, G, t->N / 8, t->zp);
    if (t->perm) w[n++] = wt("perm", ST_I32, t->K, 0, t->perm);
    if (t->bias) w[n++] = wt("bias", act, t->N, 0, t->bias);
    return n;
}

static cJSON *abi_config(const struct abi_tensors *t) {
    cJSON *c = cJSON_CreateObject();
    if (!c) return NULL;
    cJSON_AddStringToObject(c, "dtype", dt_name(t->dt));
    cJSON_AddNumberToObject(c, "M", (double)t->M);
    cJSON_AddNumberToObject(c, "N", (double)t->N);
    cJSON_AddNumberToObject(c, "K", (double)t->K);
    cJSON_AddNumberToObject(c, "group_size", (double)t->group_size);
    cJSON_AddNumberToObject(c, "zp_scalar", t->zp_scalar);
    cJSON_AddBoolToObject(c, "has_zp", t->zp != NULL);
    cJSON_AddBoolToObject(c, "has_perm", t->perm != NULL);
    cJSON_AddBoolToObject(c, "has_bias", t->bias != NULL);
    return c;
}

static void fail(struct bk_result *res, const char *msg) {
    res->status = BK_ERROR;
    snprintf(res->reason, sizeof res->reason, "%.500s", msg);
}

static double num_field(const cJSON *o, const char *key, double dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valuedouble : dflt;
}

static void read_perf(struct exec_backend *b, const cJSON *o) {
    memset(&b->perf, 0, sizeof b->perf);
    b->perf.graph_ms = -1;
    const double k = num_field(o, "kernel_ms", -1);
    if (!b->perf_runs || k <= 0) return;
    b->perf.have = 1;
    b->perf.kernel_ms = k;
    b->perf.graph_ms = num_field(o, "graph_ms", -1);
    b->perf.runs = (int)num_field(o, "timed_runs", 0);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "timing");
    snprintf(b->perf.method, sizeof b->perf.method, "%s",
             cJSON_IsString(m) ? m->valuestring : "the runner's own timing");
}

/* One call; the reply's "out" checked and copied into out. */
static void run_call(struct exec_backend *b, const struct st_wtensor *in, size_t n, cJSON *config,
                     dtype_t dt, int64_t M, int64_t N, uint16_t *out, struct bk_result *res) {
    memset(res, 0, sizeof *res);
    memset(&b->perf, 0, sizeof b->perf);
    if (!config || !out) {
        cJSON_Delete(config);
        fail(res, "exec backend: out of memory (or no output buffer)");
        return;
    }
    if (b->perf_runs) cJSON_AddNumberToObject(config, "perf_runs", b->perf_runs);
    const double t0 = now_seconds();
    struct rp_reply rep;
    rp_call(&b->rp, "run", in, n, config, 1, (uint64_t)(M * N) * 2 + (1u << 16), &rep);
    cJSON_Delete(config);
    const double wall_ms = (now_seconds() - t0) * 1000.0;
    char msg[BK_REASON_MAX];
    const struct tensor *o = rep.status == RP_OK ? tensor_set_get(&rep.out, "out") : NULL;
    const tdtype_t want = dt == DT_BF16 ? TD_BF16 : TD_F16;
    if (rep.status == RP_SKIP) {
        res->status = BK_SKIP;
        snprintf(res->reason, sizeof res->reason, "%.500s", rep.reason);
    } else if (rep.status == RP_INTERRUPTED) {
        fail(res, rep.reason);
        res->status = BK_INTERRUPTED; /* the case has no result */
    } else if (rep.status != RP_OK) {
        res->hung = rep.status == RP_HUNG;
        fail(res, rep.reason);
    } else if (!o) {
        fail(res, "the runner's output file has no tensor 'out'");
    } else if (rep.out.n != 1) {
        /* one tensor, out: anything else is a runner writing what it
         * should not (or the wrong file), not to be ignored */
        const char *other =
            strcmp(rep.out.t[0].name, "out") != 0 ? rep.out.t[0].name : rep.out.t[1].name;
        snprintf(msg, sizeof msg,
                 "the runner's output file holds a tensor '%.64s' besides 'out' (%d tensors); the "
                 "kernel protocol returns out only",
                 other, rep.out.n);
        fail(res, msg);
    } else if (o->dtype != want) {
        snprintf(msg, sizeof msg,
                 "the runner returned out as %s; it must be %s (the activations' "
                 "dtype)",
                 tdtype_name(o->dtype), tdtype_name(want));
        fail(res, msg);
    } else if (o->ndim != 2 || o->shape[0] != M || o->shape[1] != N) {
        snprintf(msg, sizeof msg,
                 "the runner returned out of shape [%lld]%s%lld%s; it must be "
                 "[%lld][%lld] (M, N)",
                 (long long)o->shape[0], o->ndim == 2 ? "[" : " (ndim ",
                 (long long)(o->ndim == 2 ? o->shape[1] : o->ndim), o->ndim == 2 ? "]" : ")",
                 (long long)M, (long long)N);
        fail(res, msg);
    } else {
        memcpy(out, o->data, (size_t)(M * N) * sizeof *out);
        read_perf(b, rep.json);
        res->kernel_ms = num_field(rep.json, "kernel_ms", wall_ms);
    }
    rp_reply_free(&rep);
}

void exb_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
             struct bk_result *res) {
    (void)guard; /* the runner sees only out[0 .. M*N): its guard zones stay poisoned */
    struct exec_backend *b = self;
    if (b->layer) {
        memset(res, 0, sizeof *res);
        fail(res, "a layer runner takes checkpoint tensors, not kernel-ABI tensors");
        return;
    }
    struct st_wtensor in[6];
    size_t n = abi_inputs(t, in);
    run_call(b, in, n, abi_config(t), t->dt, t->M, t->N, out, res);
}

void exb_run_layer(void *self, const struct adapter_input *ai, uint16_t *out, size_t guard,
                   struct bk_result *res) {
    (void)guard; /* the runner sees only out[0 .. M*N): its guard zones stay poisoned */
    struct exec_backend *b = self;
    struct st_wtensor in[TENSOR_SET_MAX + 2];
    size_t n = 0;
    cJSON *config = adapter_exec_request(ai, in, sizeof in / sizeof in[0], &n);
    run_call(b, in, n, config, ai->d->dt, ai->d->m, ai->d->n, out, res);
}

int exb_copy_peak(struct exec_backend *b, double *gbs, char *err, size_t errlen) {
    struct rp_reply rep;
    rp_call(&b->rp, "peaks", NULL, 0, NULL, 0, 0, &rep);
    int rc = -1;
    if (rep.status == RP_OK && num_field(rep.json, "copy_gbs", -1) > 0) {
        *gbs = num_field(rep.json, "copy_gbs", -1);
        rc = 0;
    } else {
        snprintf(err, errlen, "%s",
                 rep.status == RP_OK ? "the runner's peaks reply has no copy_gbs" : rep.reason);
    }
    rp_reply_free(&rep);
    return rc;
}

void exb_close(struct exec_backend *b) {
    if (!b) return;
    rp_close(&b->rp);
    free(b);
}

/* adapter_exec.c - see adapter_exec.h.
 *
 * Decisions:
 * - The loader under test owns the shapes of the ABI tensors it returns: a
 *   tensor that is not what the contract needs (b, scale, zp two-dimensional,
 *   perm one-dimensional, none empty, perm K entries; b, scale and zp of the
 *   contract's element counts, checked by abi_check like any adapter's) is a
 *   FAILED "adapter output violates the kernel contract" naming the tensor,
 *   not an ERROR. The kernel gets each tensor's elements in row-major order:
 *   a two-dimensional tensor of the right count whose dimensions are swapped
 *   (zero points [N/8][G]) is taken as that buffer, so its numbers fail and
 *   the diagnosis names the transposition (zeros-transposed).
 * - The encoding of the reply is the protocol's: a wrong dtype (the Python
 *   helper converts floats to the activation dtype, so only a runner of its
 *   own can send one), an unknown output tensor name (a typo must not
 *   silently drop the zero points), a missing b or scale, or a missing or
 *   non-integer group_size is an ERROR.
 * - The activations and bias stay the harness's: an adapter converts
 *   weights; handing the kernel other activations is not its job. */
#include "adapters/adapter_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/adapter.h"
#include "formats/formats.h"
#include "util/errmsg.h"

struct adapter_exec *adapter_exec_open(const char *cmd, double timeout_s) {
    struct adapter_exec *ax = calloc(1, sizeof *ax);
    if (!ax) return NULL;
    if (rp_init(&ax->rp, cmd, "adapter", timeout_s) != 0) {
        free(ax);
        return NULL;
    }
    char err[768];
    if (rp_ensure(&ax->rp, err, sizeof err) != 0)
        fprintf(stderr, "gptq-harness: adapter runner: %s; each case tries a fresh one\n", err);
    return ax;
}

void adapter_exec_close(struct adapter_exec *ax) {
    if (!ax) return;
    rp_close(&ax->rp);
    free(ax);
}

static const char *quant_method(fmt_t f) {
    return f == FMT_CT ? "compressed-tensors" : f == FMT_AWQ ? "awq" : "gptq";
}

static struct st_wtensor raw16(const char *name, dtype_t dt, int64_t rows, int64_t cols,
                               const uint16_t *v) {
    struct st_wtensor w = {.name = name, .dtype = dt == DT_BF16 ? ST_BF16 : ST_F16, .data = v};
    w.ndim = rows ? 2 : 1;
    w.shape[0] = rows ? rows : cols;
    w.shape[1] = cols;
    return w;
}

cJSON *adapter_exec_request(const struct adapter_input *in, struct st_wtensor *t, size_t cap,
                            size_t *n) {
    const struct case_desc *d = in->d;
    *n = 0;
    if (cap < (size_t)in->ckpt->n + 2) return NULL;
    for (int i = 0; i < in->ckpt->n; i++)
        t[(*n)++] = st_wtensor_of(&in->ckpt->t[i]);
    t[(*n)++] = raw16("x", d->dt, d->m, d->k, in->x);
    if (in->bias) t[(*n)++] = raw16("bias", d->dt, 0, d->n, in->bias);
    cJSON *c = cJSON_CreateObject(), *names = cJSON_CreateObject();
    if (!c || !names) {
        cJSON_Delete(c);
        cJSON_Delete(names);
        return NULL;
    }
    char line[1024];
    if (desc_print(d, line, sizeof line) < 0) line[0] = 0;
    cJSON_AddStringToObject(c, "descriptor", line);
    cJSON_AddStringToObject(c, "format", fmt_name(d->fmt));
    cJSON_AddStringToObject(c, "quant_method", quant_method(d->fmt));
    if (d->fmt == FMT_GPTQ_V1 || d->fmt == FMT_GPTQ_V2)
        cJSON_AddStringToObject(c, "checkpoint_format", d->fmt == FMT_GPTQ_V2 ? "gptq_v2" : "gptq");
    cJSON_AddNumberToObject(c, "bits", 4);
    cJSON_AddNumberToObject(c, "group_size", (double)d->g);
    cJSON_AddBoolToObject(c, "desc_act", d->gidx == GIDX_ACT);
    cJSON_AddBoolToObject(c, "sym", d->zp == ZP_SYM);
    cJSON_AddStringToObject(c, "dtype", dt_name(d->dt));
    cJSON_AddNumberToObject(c, "M", (double)d->m);
    cJSON_AddNumberToObject(c, "N", (double)d->n);
    cJSON_AddNumberToObject(c, "K", (double)d->k);
    cJSON_AddBoolToObject(c, "has_bias", in->bias != NULL);
    cJSON_AddStringToObject(names, "weight", format_weight_name(d->fmt));
    cJSON_AddStringToObject(names, "scales", format_scale_name(d->fmt));
    const char *zn = format_zero_name(d->fmt), *gn = format_gidx_name(d->fmt);
    if (zn && tensor_set_get(in->ckpt, zn)) cJSON_AddStringToObject(names, "zeros", zn);
    if (gn && tensor_set_get(in->ckpt, gn)) cJSON_AddStringToObject(names, "g_idx", gn);
    cJSON_AddItemToObject(c, "tensors", names);
    return c;
}

/* The tensors an adapter runner may return: the contract's rank and layout. */
static const struct abi_out {
    const char *name;
    int ndim;
    const char *layout;
} ABI_OUT[] = {
    {"b", 2, "[N][K/8]"}, {"scale", 2, "[G][N]"}, {"zp", 2, "[G][N/8]"}, {"perm", 1, "[K]"}};
enum { ABI_OUT_N = sizeof ABI_OUT / sizeof ABI_OUT[0] };

static const struct rp_tensor_info *info_of(const struct rp_reply *rep, const char *name) {
    for (size_t i = 0; i < rep->n_info; i++)
        if (strcmp(rep->info[i].name, name) == 0) return &rep->info[i];
    return NULL;
}

/* "[2][24][8]"; "[]" for a scalar. */
static void shape_text(const struct rp_tensor_info *ti, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < ti->ndim && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "[%lld]", (long long)ti->shape[i]);
    if (ti->ndim == 0) snprintf(buf, len, "[]");
}

/* The contract's layout of o for this case: "[N][K/8] = [40][48]" (without
 * the numbers for scale and zp when group_size is not usable: abi_check
 * names that). */
static void layout_text(const struct abi_out *o, const struct abi_tensors *t, int64_t gs, char *buf,
                        size_t len) {
    const int64_t G = gs > 0 && t->K % gs == 0 ? t->K / gs : 0;
    const int64_t dims[][2] = {{t->N, t->K / 8}, {G, t->N}, {G, t->N / 8}, {t->K, 0}};
    const int64_t *d = dims[o - ABI_OUT];
    if (o->ndim == 1)
        snprintf(buf, len, "%s = [%lld]", o->layout, (long long)d[0]);
    else if (d[0] > 0)
        snprintf(buf, len, "%s = [%lld][%lld]", o->layout, (long long)d[0], (long long)d[1]);
    else
        snprintf(buf, len, "%s", o->layout);
}

static int check_names(const struct rp_reply *rep, char *err, size_t errlen) {
    for (size_t i = 0; i < rep->n_info; i++) {
        int ok = 0;
        for (int j = 0; j < ABI_OUT_N; j++)
            ok |= strcmp(rep->info[i].name, ABI_OUT[j].name) == 0;
        if (!ok)
            return errmsg(err, errlen,
                          "the adapter runner returned an unknown tensor '%s' (the ABI has b, "
                          "scale, zp, perm)",
                          rep->info[i].name);
    }
    if (!info_of(rep, "b") || !info_of(rep, "scale"))
        return errmsg(err, errlen, "the adapter runner returned no '%s' tensor",
                      info_of(rep, "b") ? "scale" : "b");
    return 0;
}

/* The protocol's dtypes: b and zp U32 or I32, scale the activation dtype,
 * perm I32. */
static int check_dtypes(const struct rp_reply *rep, dtype_t dt, char *err, size_t errlen) {
    const st_dtype_t act = dt == DT_BF16 ? ST_BF16 : ST_F16;
    const st_dtype_t want[ABI_OUT_N][2] = {
        {ST_U32, ST_I32}, {act, act}, {ST_U32, ST_I32}, {ST_I32, ST_I32}};
    for (int j = 0; j < ABI_OUT_N; j++) {
        const struct rp_tensor_info *ti = info_of(rep, ABI_OUT[j].name);
        if (ti && ti->dtype != want[j][0] && ti->dtype != want[j][1])
            return errmsg(err, errlen, "the adapter runner returned '%s' as %s; it must be %s%s%s",
                          ti->name, st_dtype_name(ti->dtype), st_dtype_name(want[j][0]),
                          want[j][1] != want[j][0] ? " or " : "",
                          want[j][1] != want[j][0] ? st_dtype_name(want[j][1]) : "");
    }
    return 0;
}

/* Rank, emptiness and perm's length: ADAPTER_CONTRACT_VIOLATED with the
 * message when a tensor is not what the contract needs, else 0. */
static int check_shapes(const struct rp_reply *rep, const struct abi_tensors *t, int64_t gs,
                        char *err, size_t errlen) {
    for (int j = 0; j < ABI_OUT_N; j++) {
        const struct abi_out *o = &ABI_OUT[j];
        const struct rp_tensor_info *ti = info_of(rep, o->name);
        if (!ti) continue;
        char shape[160], layout[96];
        shape_text(ti, shape, sizeof shape);
        layout_text(o, t, gs, layout, sizeof layout);
        /* unsigned, so that no header can make it overflow; a non-empty
         * tensor's count is bounded by its bytes, which the reader checked */
        uint64_t numel = 1;
        for (int i = 0; i < ti->ndim; i++)
            numel *= (uint64_t)ti->shape[i];
        if (ti->ndim != o->ndim || numel == 0 || (j == 3 && numel != (uint64_t)t->K)) {
            errmsg(err, errlen, "%s %s (shape %s%s); the kernel contract needs %s %s%s", o->name,
                   numel == 0            ? "is empty"
                   : ti->ndim != o->ndim ? "has the wrong number of dimensions"
                                         : "has the wrong number of entries",
                   shape, ti->ndim == 0 ? ", a scalar" : "", o->name, layout,
                   ti->ndim == 0 && j == 2 ? " (one zero point for every weight is zp_scalar)"
                                           : "");
            return ADAPTER_CONTRACT_VIOLATED;
        }
    }
    return 0;
}

/* Moves the reply's tensor name into *dst (its dtype checked already). */
static void take(struct tensor_set *s, const char *name, void **dst, int64_t *count) {
    struct tensor *t = tensor_set_get(s, name);
    if (!t) return;
    *dst = t->data;
    t->data = NULL;
    if (count) *count = tensor_numel(t);
}

static int int_field(const cJSON *o, const char *key, int required, int64_t *v, char *err,
                     size_t errlen) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j && !required) return 0;
    if (!cJSON_IsNumber(j) || j->valuedouble != (double)(int64_t)j->valuedouble ||
        j->valuedouble < -2147483648.0 || j->valuedouble > 2147483647.0)
        return errmsg(err, errlen, "the adapter runner's reply has no integer \"%s\"", key);
    *v = (int64_t)j->valuedouble;
    return 0;
}

/* The reply's ABI tensors into out: 0, -1 (ERROR: the reply is broken) or
 * ADAPTER_CONTRACT_VIOLATED, with a message. */
static int from_reply(struct rp_reply *rep, dtype_t dt, struct abi_tensors *out, char *err,
                      size_t errlen) {
    struct tensor_set *s = &rep->out;
    int64_t gs = 0, zps = 8;
    if (check_names(rep, err, errlen) != 0 ||
        int_field(rep->json, "group_size", 1, &gs, err, errlen) != 0 ||
        int_field(rep->json, "zp_scalar", 0, &zps, err, errlen) != 0 ||
        check_dtypes(rep, dt, err, errlen) != 0)
        return -1;
    const int rc = check_shapes(rep, out, gs, err, errlen);
    if (rc != 0) return rc;
    if (rep->status != RP_OK) return errmsg(err, errlen, "%s", rep->reason);
    take(s, "b", (void **)&out->b, &out->b_words);
    take(s, "scale", (void **)&out->scale, &out->scale_elems);
    take(s, "zp", (void **)&out->zp, &out->zp_words);
    take(s, "perm", (void **)&out->perm, NULL);
    out->group_size = gs;
    out->zp_scalar = (int32_t)zps;
    return 0;
}

int adapter_exec_run(struct adapter_exec *ax, const struct adapter_input *in,
                     struct abi_tensors *out, char *err, size_t errlen) {
    struct st_wtensor t[TENSOR_SET_MAX + 2];
    size_t n;
    cJSON *config = adapter_exec_request(in, t, sizeof t / sizeof t[0], &n);
    if (!config) return errmsg(err, errlen, "out of memory building the adapter request");
    const struct case_desc *d = in->d;
    /* the ABI tensors together are about the checkpoint's size; a generous cap */
    uint64_t cap = (uint64_t)(d->k * d->n) * 4 + (uint64_t)(d->k + d->n) * 16 + (1u << 20);
    struct rp_reply rep;
    rp_call(&ax->rp, "run", t, n, config, 1, cap, &rep);
    cJSON_Delete(config);
    int rc = 0;
    if (rep.status == RP_SKIP) {
        snprintf(err, errlen, "%s", rep.reason);
        rc = 1;
    } else if (rep.status != RP_OK && rep.n_info == 0) {
        rc = errmsg(err, errlen, "%s", rep.reason);
    } else { /* ok, or an output file with tensors that could not be loaded */
        rc = from_reply(&rep, d->dt, out, err, errlen);
    }
    rp_reply_free(&rep);
    return rc;
}

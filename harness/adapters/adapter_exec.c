/* adapter_exec.c - see adapter_exec.h.
 *
 * Decisions:
 * - The ABI tensors come back as they are: their sizes are checked by the
 *   contract check after the adapter (abi_check), like any adapter's, so a
 *   wrong size is a FAILED "adapter output violates the kernel contract",
 *   not an ERROR. A wrong dtype is an ERROR: it is a broken reply, not a
 *   layout. Unknown output tensor names are an ERROR too (a typo must not
 *   silently drop the zero points).
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

/* Moves the reply's tensor name into *dst (words or elements), checking
 * its dtype. 0, or -1 with a message. */
static int take(struct tensor_set *s, const char *name, tdtype_t want, tdtype_t alt, void **dst,
                int64_t *count, char *err, size_t errlen) {
    struct tensor *t = tensor_set_get(s, name);
    if (!t) return 0;
    if (t->dtype != want && t->dtype != alt)
        return errmsg(err, errlen, "the adapter runner returned '%s' as %s; it must be %s%s%s",
                      name, tdtype_name(t->dtype), tdtype_name(want), alt != want ? " or " : "",
                      alt != want ? tdtype_name(alt) : "");
    *dst = t->data;
    t->data = NULL;
    if (count) *count = tensor_numel(t);
    return 0;
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

static int check_names(const struct tensor_set *s, char *err, size_t errlen) {
    static const char *const known[] = {"b", "scale", "zp", "perm"};
    for (int i = 0; i < s->n; i++) {
        int ok = 0;
        for (size_t j = 0; j < sizeof known / sizeof known[0]; j++)
            ok |= strcmp(s->t[i].name, known[j]) == 0;
        if (!ok)
            return errmsg(err, errlen,
                          "the adapter runner returned an unknown tensor '%s' (the ABI has b, "
                          "scale, zp, perm)",
                          s->t[i].name);
    }
    if (!tensor_set_get(s, "b") || !tensor_set_get(s, "scale"))
        return errmsg(err, errlen, "the adapter runner returned no '%s' tensor",
                      tensor_set_get(s, "b") ? "scale" : "b");
    return 0;
}

static int from_reply(struct rp_reply *rep, dtype_t dt, struct abi_tensors *out, char *err,
                      size_t errlen) {
    struct tensor_set *s = &rep->out;
    const tdtype_t act = dt == DT_BF16 ? TD_BF16 : TD_F16;
    int64_t gs = 0, zps = 8, perm_n = 0;
    if (check_names(s, err, errlen) != 0 ||
        int_field(rep->json, "group_size", 1, &gs, err, errlen) != 0 ||
        int_field(rep->json, "zp_scalar", 0, &zps, err, errlen) != 0 ||
        take(s, "b", TD_U32, TD_I32, (void **)&out->b, &out->b_words, err, errlen) != 0 ||
        take(s, "scale", act, act, (void **)&out->scale, &out->scale_elems, err, errlen) != 0 ||
        take(s, "zp", TD_U32, TD_I32, (void **)&out->zp, &out->zp_words, err, errlen) != 0 ||
        take(s, "perm", TD_I32, TD_I32, (void **)&out->perm, &perm_n, err, errlen) != 0)
        return -1;
    if (out->perm && perm_n != out->K)
        return errmsg(err, errlen, "the adapter runner returned perm with %lld entries, K is %lld",
                      (long long)perm_n, (long long)out->K);
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
    } else if (rep.status != RP_OK) {
        rc = errmsg(err, errlen, "%s", rep.reason);
    } else {
        rc = from_reply(&rep, d->dt, out, err, errlen);
    }
    rp_reply_free(&rep);
    return rc;
}

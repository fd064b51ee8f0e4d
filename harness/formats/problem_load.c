/* problem_load.c - see problem_load.h. */
#include "formats/problem_load.h"

#include <stdlib.h>
#include <string.h>

#include "util/errmsg.h"
#include "formats/formats.h"
#include "cases/prng.h"

/* Every group id in 0..G-1 and every group exactly group_size rows: the
 * kernel ABI (a permutation into group-sorted order, row k in group
 * k / group_size) cannot express anything else; inspect refuses the same. */
static int check_groups(const struct problem *p, char *err, size_t errlen) {
    int64_t *count = calloc((size_t)p->G, sizeof *count);
    if (!count) return errmsg(err, errlen, "out of memory checking g_idx");
    int rc = 0;
    for (int64_t k = 0; k < p->K && rc == 0; k++) {
        if (p->g_idx[k] < 0 || p->g_idx[k] >= p->G)
            rc = errmsg(err, errlen, "g_idx[%lld] = %d is outside 0..%lld", (long long)k,
                        p->g_idx[k], (long long)p->G - 1);
        else
            count[p->g_idx[k]]++;
    }
    for (int64_t g = 0; g < p->G && rc == 0; g++)
        if (count[g] != p->gs)
            rc = errmsg(err, errlen,
                        "g_idx groups are uneven (group %lld has %lld rows, not %lld): the kernel "
                        "ABI cannot express them",
                        (long long)g, (long long)count[g], (long long)p->gs);
    free(count);
    return rc;
}

/* Checks the g_idx that came out of the checkpoint against d->gidx. */
static int check_gidx(const struct case_desc *d, const struct problem *p, int stored, char *err,
                      size_t errlen) {
    if (stored != (d->gidx != GIDX_NONE))
        return errmsg(err, errlen, "checkpoint %s a g_idx but the descriptor says gidx=%s",
                      stored ? "stores" : "lacks", gidx_name(d->gidx));
    if (stored && check_groups(p, err, errlen) != 0) return -1;
    if (d->gidx != GIDX_TRIVIAL) return 0;
    for (int64_t k = 0; k < p->K; k++)
        if (p->g_idx[k] != k / p->gs)
            return errmsg(err, errlen, "gidx=trivial but g_idx[%lld] = %d, not k / %lld",
                          (long long)k, p->g_idx[k], (long long)p->gs);
    return 0;
}

/* The scales are kept as bits of the case's dtype: a checkpoint whose
 * scales are stored in the other 16-bit float type would be read as
 * garbage, so it is refused (the dtype is the descriptor's dt=). */
static int check_scale_dtype(const struct case_desc *d, const struct tensor_set *ckpt, char *err,
                             size_t errlen) {
    const struct tensor *t = tensor_set_get(ckpt, format_scale_name(d->fmt));
    const tdtype_t want = d->dt == DT_BF16 ? TD_BF16 : TD_F16;
    if (!t || t->dtype == want) return 0; /* a missing tensor: format_unpack says so */
    return errmsg(err, errlen, "tensor '%s' is stored as %s but the case's dtype is %s (dt=%s)",
                  t->name,
                  t->dtype == TD_BF16  ? "BF16"
                  : t->dtype == TD_F16 ? "F16"
                                       : "another type",
                  d->dt == DT_BF16 ? "bf16" : "f16", d->dt == DT_BF16 ? "bf16" : "f16");
}

static int take_weights(const struct case_desc *d, const struct tensor_set *ckpt, struct problem *p,
                        char *err, size_t errlen) {
    struct logical_weights w;
    if (check_scale_dtype(d, ckpt, err, errlen) != 0) return -1;
    if (format_unpack_read(d->fmt, d->zp, d->v1z, ckpt, p->K, p->N, p->G, &w, err, errlen) != 0)
        return -1;
    p->q = w.q;
    p->z = w.z;
    p->s = w.s;
    int stored = w.g_idx != NULL;
    p->g_idx = w.g_idx ? w.g_idx : malloc((size_t)p->K * sizeof *p->g_idx);
    if (!p->g_idx) return errmsg(err, errlen, "out of memory for g_idx");
    if (!stored)
        for (int64_t k = 0; k < p->K; k++)
            p->g_idx[k] = (int32_t)(k / p->gs);
    return check_gidx(d, p, stored, err, errlen);
}

static int take_inputs(const struct case_desc *d, const uint16_t *x, const uint16_t *bias,
                       struct problem *p, char *err, size_t errlen) {
    size_t nx = (size_t)(p->M * p->K);
    p->x = malloc(nx * sizeof *p->x);
    if (!p->x)
        return errmsg(err, errlen, "out of memory for X [%lld][%lld]", (long long)p->M,
                      (long long)p->K);
    if (x)
        memcpy(p->x, x, nx * sizeof *p->x);
    else
        for (size_t i = 0; i < nx; i++)
            p->x[i] = dt_from_double(d->dt, prng_normal(d->seed, RT_XREAL, (uint64_t)i));
    if (!d->bias) return 0;
    if (!bias) return errmsg(err, errlen, "descriptor says bias=1 but no bias was given");
    p->bias = malloc((size_t)p->N * sizeof *p->bias);
    if (!p->bias) return errmsg(err, errlen, "out of memory for the bias");
    memcpy(p->bias, bias, (size_t)p->N * sizeof *p->bias);
    return 0;
}

int problem_from_ckpt(const struct case_desc *d, const struct tensor_set *ckpt, const uint16_t *x,
                      const uint16_t *bias, struct problem *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    if (desc_validate(d, err, errlen) != 0) return -1;
    problem_shape(d, p);
    if (take_weights(d, ckpt, p, err, errlen) != 0 ||
        take_inputs(d, x, bias, p, err, errlen) != 0) {
        problem_free(p);
        return -1;
    }
    return 0;
}

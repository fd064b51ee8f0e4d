/* adapter.c - the reference and vllm-xpu loader adapters (see adapter.h). */
#include "adapters/adapter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/perm.h"
#include "formats/formats.h"

void adapter_transpose(void *dst, const void *src, int64_t rows, int64_t cols, size_t elsize) {
    const unsigned char *s = src;
    unsigned char *d = dst;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            memcpy(d + ((size_t)(c * rows + r)) * elsize, s + ((size_t)(r * cols + c)) * elsize,
                   elsize);
}

/* Copies the activations and bias (shared by both adapters). */
static int copy_common(const struct adapter_input *in, struct abi_tensors *t) {
    const struct case_desc *d = in->d;
    t->dt = d->dt;
    t->M = d->m;
    t->N = d->n;
    t->K = d->k;
    t->zp_scalar = 8;
    t->a = malloc((size_t)(d->m * d->k) * sizeof *t->a);
    if (!t->a) return -1;
    memcpy(t->a, in->x, (size_t)(d->m * d->k) * sizeof *t->a);
    if (in->bias) {
        t->bias = malloc((size_t)d->n * sizeof *t->bias);
        if (!t->bias) return -1;
        memcpy(t->bias, in->bias, (size_t)d->n * sizeof *t->bias);
    }
    return 0;
}

static int is_identity(const int32_t *perm, int64_t K) {
    for (int64_t k = 0; k < K; k++)
        if (perm[k] != k) return 0;
    return 1;
}

/* Reference: unpack to logical tensors, then build the ABI exactly. */
static int reference_from_logical(const struct case_desc *d, const struct logical_weights *w,
                                  struct abi_tensors *t, char *err, size_t errlen) {
    int64_t K = w->K, N = w->N, G = w->G;
    t->group_size = K / G; /* -1 normalised to K */
    if (w->g_idx) {
        t->perm = malloc((size_t)K * sizeof *t->perm);
        if (!t->perm) goto oom;
        /* The order inside a group is the adapter's choice: act-order hands
         * over the descriptor's permutation family (cases/perm.h) when the
         * checkpoint's g_idx is the one it implies, else the stable argsort. */
        int family = d->gidx == GIDX_ACT && K == d->k && G == desc_groups(d) &&
                     perm_family(d, t->perm) == 0 && perm_matches_gidx(t->perm, w->g_idx, K, K / G);
        if (!family && perm_argsort_groups(w->g_idx, K, G, t->perm) != 0) {
            snprintf(err, errlen, "g_idx holds a group id outside 0..%lld", (long long)G - 1);
            return -1;
        }
        /* act-order keeps even an identity permutation (perm=identity); a
         * trivial g_idx needs none */
        if (d->gidx != GIDX_ACT && is_identity(t->perm, K)) {
            free(t->perm);
            t->perm = NULL;
        }
    }
    t->b_words = N * (K / 8);
    t->b = malloc((size_t)t->b_words * sizeof *t->b);
    if (!t->b) goto oom;
    for (int64_t n = 0; n < N; n++)
        for (int64_t j = 0; j < K / 8; j++) {
            uint32_t word = 0;
            for (int i = 0; i < 8; i++) {
                int64_t row = t->perm ? t->perm[8 * j + i] : 8 * j + i;
                word |= (uint32_t)(w->q[row * N + n] & 0xF) << (4 * i);
            }
            t->b[n * (K / 8) + j] = word;
        }
    t->scale_elems = G * N;
    t->scale = malloc((size_t)t->scale_elems * sizeof *t->scale);
    if (!t->scale) goto oom;
    memcpy(t->scale, w->s, (size_t)t->scale_elems * sizeof *t->scale);
    if (d->zp == ZP_ASYM) {
        t->zp_words = G * (N / 8);
        t->zp = malloc((size_t)t->zp_words * sizeof *t->zp);
        if (!t->zp) goto oom;
        for (int64_t g = 0; g < G; g++)
            for (int64_t c = 0; c < N / 8; c++) {
                uint32_t word = 0;
                for (int j = 0; j < 8; j++)
                    word |= (uint32_t)(w->z[g * N + 8 * c + j] & 0xF) << (4 * j);
                t->zp[g * (N / 8) + c] = word;
            }
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory in the reference adapter");
    return -1;
}

static int adapter_reference(const struct adapter_input *in, struct abi_tensors *t, char *err,
                             size_t errlen) {
    const struct case_desc *d = in->d;
    struct logical_weights w;
    memset(&w, 0, sizeof w);
    if (format_unpack(d->fmt, d->zp, in->ckpt, d->k, d->n, desc_groups(d), &w, err, errlen) != 0)
        return -1;
    int rc = reference_from_logical(d, &w, t, err, errlen);
    logical_weights_free(&w);
    return rc;
}

/* A checkpoint tensor as a row-major matrix of 4- or 2-byte elements. */
static const struct tensor *need(const struct tensor_set *s, const char *name, int ndim, char *err,
                                 size_t errlen) {
    const struct tensor *t = name ? tensor_set_get(s, name) : NULL;
    if (!t) {
        snprintf(err, errlen, "vllm-xpu: checkpoint has no tensor '%s'", name ? name : "?");
        return NULL;
    }
    if (t->ndim != ndim) {
        snprintf(err, errlen, "vllm-xpu: tensor '%s' has %d dimensions, expected %d", name, t->ndim,
                 ndim);
        return NULL;
    }
    return t;
}

static void *dup_t(const struct tensor *t, int transpose) {
    size_t es = tdtype_size(t->dtype), nb = tensor_nbytes(t);
    void *p = malloc(nb ? nb : 1);
    if (!p) return NULL;
    if (transpose)
        adapter_transpose(p, t->data, t->shape[0], t->shape[1], es);
    else
        memcpy(p, t->data, nb);
    return p;
}

static int layer_has_zero_points(const struct case_desc *d) {
    if (d->zproute == ZPROUTE_ZP) return 1;
    if (d->zproute == ZPROUTE_NOZP) return 0;
    return d->zp == ZP_ASYM;
}

static int adapter_vllm_xpu(const struct adapter_input *in, struct abi_tensors *t, char *err,
                            size_t errlen) {
    const struct case_desc *d = in->d;
    const struct tensor *qw = need(in->ckpt, format_weight_name(d->fmt), 2, err, errlen);
    const struct tensor *sc = qw ? need(in->ckpt, format_scale_name(d->fmt), 2, err, errlen) : NULL;
    if (!qw || !sc) return -1;
    int need_transpose = qw->shape[0] != sc->shape[0];
    t->b_words = tensor_numel(qw);
    t->b = dup_t(qw, need_transpose);
    t->scale_elems = tensor_numel(sc);
    t->scale = dup_t(sc, !need_transpose);
    if (!t->b || !t->scale) goto oom;
    t->group_size = d->g; /* passed through, -1 included */
    if (layer_has_zero_points(d)) {
        const struct tensor *zt = need(in->ckpt, format_zero_name(d->fmt), 2, err, errlen);
        if (!zt) return -1;
        t->zp_words = tensor_numel(zt);
        t->zp = dup_t(zt, 1);
        if (!t->zp) goto oom;
    }
    if (d->gidx == GIDX_ACT) { /* the layer has g_idx: handed over as is */
        const struct tensor *gi = need(in->ckpt, format_gidx_name(d->fmt), 1, err, errlen);
        if (!gi) return -1;
        if (tensor_numel(gi) != d->k) {
            snprintf(err, errlen, "vllm-xpu: g_idx has %lld entries, expected K=%lld",
                     (long long)tensor_numel(gi), (long long)d->k);
            return -1;
        }
        t->perm = dup_t(gi, 0);
        if (!t->perm) goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory in the vllm-xpu adapter");
    return -1;
}

int adapter_run(const struct adapter_input *in, struct abi_tensors *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    int rc;
    if (copy_common(in, out) != 0) {
        snprintf(err, errlen, "out of memory copying activations");
        rc = -1;
    } else if (in->d->adapter == ADAPTER_VLLM_XPU) {
        rc = adapter_vllm_xpu(in, out, err, errlen);
    } else {
        rc = adapter_reference(in, out, err, errlen);
    }
    if (rc != 0) abi_tensors_free(out);
    return rc;
}

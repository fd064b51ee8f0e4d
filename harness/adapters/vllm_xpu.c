/* vllm_xpu.c - vLLM's XPU loader routes (see adapter.h, docs/adapters.md).
 *
 * vllm-xpu follows XPUwNa16LinearKernel.process_weights_after_loading and
 * apply_weights as merged in vLLM PR #37844: repository vllm-project/vllm, path
 * vllm/model_executor/kernels/linear/mixed_precision/xpu.py (read at commit
 * 055e47c28003156421365af985d676fc921cb075, where the method is the PR's).
 *
 * vllm-xpu-awq is the AWQ route in front of that kernel: vllm-project/vllm,
 * vllm/model_executor/layers/quantization/auto_awq.py (read at commit
 * 0043d6b52fdafbbed46c819125a2d582a148e121): AutoAWQMarlinLinearMethod runs
 * _convert_awq_to_standard_format (qweight [K][N/8] in AWQ's nibble order to
 * standard order packed along K, [K/8][N]; qzeros [G][N/8] to standard order,
 * transposed and packed along N, [N/8][G], the compressed-tensors layout) and
 * then the chosen MPLinearKernel's process_weights_after_loading, on XPU the one
 * above: the route the issue attributes to vLLM PR #50840. (At that commit
 * get_quant_method sends XPU layers to AutoAWQXPULinearMethod instead, whose
 * vllm-xpu-kernels helpers xpu_kernels.c emulates.) The emulation repeats the
 * behaviour in C; no upstream code is copied. */
#include "adapters/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

const struct tensor *route_need(const struct tensor_set *s, const char *name, int ndim,
                                const char *who, char *err, size_t errlen) {
    const struct tensor *t = name ? tensor_set_get(s, name) : NULL;
    if (!t) {
        snprintf(err, errlen, "%s: checkpoint has no tensor '%s'", who, name ? name : "?");
        return NULL;
    }
    if (t->ndim != ndim) {
        snprintf(err, errlen, "%s: tensor '%s' has %d dimensions, expected %d", who, name, t->ndim,
                 ndim);
        return NULL;
    }
    return t;
}

void *route_dup(const struct tensor *t, int transpose) {
    size_t es = tdtype_size(t->dtype), nb = tensor_nbytes(t);
    void *p = malloc(nb ? nb : 1);
    if (!p) return NULL;
    if (transpose)
        adapter_transpose(p, t->data, t->shape[0], t->shape[1], es);
    else
        memcpy(p, t->data, nb);
    return p;
}

unsigned route_nib(uint32_t w, int i) {
    return (w >> (4 * i)) & 0xFu;
}

uint32_t route_with_nib(uint32_t w, int i, unsigned v) {
    return (w & ~(0xFu << (4 * i))) | ((uint32_t)(v & 0xFu) << (4 * i));
}

unsigned route_awq_value(const uint32_t *qw, int64_t N, int64_t k, int64_t n) {
    int p = 0;
    while (p < 7 && AWQ_ORDER[p] != (int)(n % 8))
        p++;
    return route_nib(qw[k * (N / 8) + n / 8], p);
}

static int layer_has_zero_points(const struct case_desc *d) {
    if (d->zproute == ZPROUTE_ZP) return 1;
    if (d->zproute == ZPROUTE_NOZP) return 0;
    return d->zp == ZP_ASYM;
}

/* XPUwNa16LinearKernel on the layer's tensors: qweight qw, scales sc, zero
 * points zt (NULL: the layer has none), g_idx gi (NULL: has_g_idx false). */
static int xpu_kernel_process(const struct case_desc *d, const struct tensor *qw,
                              const struct tensor *sc, const struct tensor *zt,
                              const struct tensor *gi, struct abi_tensors *t, char *err,
                              size_t errlen) {
    /* the shape guess: GPTQ's [K/8][N] against scales [G][N], ct's [N][K/8] against [N][G] */
    int need_transpose = qw->shape[0] != sc->shape[0];
    t->b_words = tensor_numel(qw);
    t->b = route_dup(qw, need_transpose); /* the op takes qweight.t(): memory as it lies */
    t->scale_elems = tensor_numel(sc);
    t->scale = route_dup(sc, !need_transpose);
    if (!t->b || !t->scale) goto oom;
    t->group_size = d->g; /* passed through, -1 included */
    if (zt) {             /* zeros.t().contiguous(), then used as stored */
        t->zp_words = tensor_numel(zt);
        t->zp = route_dup(zt, 1);
        if (!t->zp) goto oom;
    }
    if (gi) { /* g_idx handed over as the op's permutation, weights not reordered */
        if (tensor_numel(gi) != d->k) {
            snprintf(err, errlen, "vllm-xpu: g_idx has %lld entries, expected K=%lld",
                     (long long)tensor_numel(gi), (long long)d->k);
            return -1;
        }
        t->perm = route_dup(gi, 0);
        if (!t->perm) goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory in the vllm-xpu adapter");
    return -1;
}

int route_vllm_xpu(const struct adapter_input *in, struct abi_tensors *t, char *err,
                   size_t errlen) {
    const struct case_desc *d = in->d;
    const char *who = "vllm-xpu";
    const struct tensor *qw = route_need(in->ckpt, format_weight_name(d->fmt), 2, who, err, errlen);
    const struct tensor *sc =
        qw ? route_need(in->ckpt, format_scale_name(d->fmt), 2, who, err, errlen) : NULL;
    if (!qw || !sc) return -1;
    const struct tensor *zt = NULL, *gi = NULL;
    if (layer_has_zero_points(d) &&
        !(zt = route_need(in->ckpt, format_zero_name(d->fmt), 2, who, err, errlen)))
        return -1;
    if (d->gidx == GIDX_ACT && /* the layer has g_idx only with act-order */
        !(gi = route_need(in->ckpt, format_gidx_name(d->fmt), 1, who, err, errlen)))
        return -1;
    return xpu_kernel_process(d, qw, sc, zt, gi, t, err, errlen);
}

int route_awq_tensors(const struct adapter_input *in, const char *who, const struct tensor **qw,
                      const struct tensor **sc, const struct tensor **qz, char *err,
                      size_t errlen) {
    *qw = route_need(in->ckpt, format_weight_name(FMT_AWQ), 2, who, err, errlen);
    *sc = *qw ? route_need(in->ckpt, format_scale_name(FMT_AWQ), 2, who, err, errlen) : NULL;
    *qz = *sc ? route_need(in->ckpt, format_zero_name(FMT_AWQ), 2, who, err, errlen) : NULL;
    if (!*qz) return -1;
    const int64_t K = (*qw)->shape[0], N = (*qw)->shape[1] * 8;
    if ((*qw)->dtype != TD_I32 || (*qz)->dtype != TD_I32 || K != in->d->k || N != in->d->n ||
        (*qz)->shape[1] * 8 != N) {
        snprintf(err, errlen,
                 "%s: qweight [%lld][%lld] / qzeros [%lld][%lld] are not AWQ's int32 [K][N/8] and "
                 "[G][N/8]",
                 who, (long long)(*qw)->shape[0], (long long)(*qw)->shape[1],
                 (long long)(*qz)->shape[0], (long long)(*qz)->shape[1]);
        return -1;
    }
    return 0;
}

uint32_t *route_awq_qweight_standard(const struct tensor *qw) {
    const int64_t K = qw->shape[0], N = qw->shape[1] * 8;
    uint32_t *w = calloc((size_t)(K / 8 * N), sizeof *w);
    for (int64_t k = 0; w && k < K; k++)
        for (int64_t n = 0; n < N; n++) {
            uint32_t *o = &w[(k / 8) * N + n];
            *o = route_with_nib(*o, (int)(k % 8), route_awq_value(qw->data, N, k, n));
        }
    return w;
}

/* _convert_awq_to_standard_format: qweight [K][N/8] AWQ order -> [K/8][N]
 * packed along K; qzeros [G][N/8] AWQ order -> [N/8][G] packed along N. */
static int awq_to_standard(const struct tensor *qw, const struct tensor *qz, struct tensor *nqw,
                           struct tensor *nqz, char *err, size_t errlen) {
    const int64_t K = qw->shape[0], N = qw->shape[1] * 8, G = qz->shape[0];
    *nqw = (struct tensor){.dtype = TD_I32, .ndim = 2, .shape = {K / 8, N}};
    *nqz = (struct tensor){.dtype = TD_I32, .ndim = 2, .shape = {N / 8, G}};
    uint32_t *w = route_awq_qweight_standard(qw), *z = calloc((size_t)(N / 8 * G), sizeof *z);
    if (!w || !z) {
        free(w);
        free(z);
        snprintf(err, errlen, "out of memory in the vllm-xpu-awq adapter");
        return -1;
    }
    for (int64_t g = 0; g < G; g++)
        for (int64_t n = 0; n < N; n++) {
            uint32_t *o = &z[(n / 8) * G + g];
            *o = route_with_nib(*o, (int)(n % 8), route_awq_value(qz->data, N, g, n));
        }
    nqw->data = w;
    nqz->data = z;
    return 0;
}

int route_vllm_xpu_awq(const struct adapter_input *in, struct abi_tensors *t, char *err,
                       size_t errlen) {
    const struct case_desc *d = in->d;
    const struct tensor *qw, *sc, *qz;
    if (route_awq_tensors(in, "vllm-xpu-awq", &qw, &sc, &qz, err, errlen) != 0) return -1;
    struct tensor nqw, nqz;
    if (awq_to_standard(qw, qz, &nqw, &nqz, err, errlen) != 0) return -1;
    /* the AWQ config's zero_point decides config.zero_points */
    int rc = xpu_kernel_process(d, &nqw, sc, d->zp == ZP_ASYM ? &nqz : NULL, NULL, t, err, errlen);
    free(nqw.data);
    free(nqz.data);
    return rc;
}

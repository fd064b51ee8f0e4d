/* xpu_kernels.c - the xpu-kernels adapter: vllm-xpu-kernels' conversion helpers
 * as vLLM's XPU linear methods call them (see adapter.h, docs/adapters.md).
 *
 * Helpers: repository vllm-project/vllm-xpu-kernels, path
 * vllm_xpu_kernels/quantization/_quantize_convert.py (read at commit
 * 4543b580fecca68a7dd54ddaf6e444dc5f11a6a4; the file last changed in
 * 62efe267a95b956039b6e09d3b71a57ae8bb7324):
 *   GPTQUtils(blocksize=group_size).convert_idx(g_idx, K): row r of group i
 *     goes to position i * blocksize + (its rank among group i's rows); torch
 *     raises unless every group holds exactly blocksize rows (a remainder group
 *     K % blocksize excepted). The result is the stable argsort of g_idx.
 *   shuffle(qweight, g_idx): qweight rows gathered in that order, repacked.
 *   AWQUtils.repack(qweight, qzeros): AWQ's nibble order undone, qweight packed
 *     along K ([K/8][N]), qzeros along N in standard order ([G][N/8]).
 *   transpose_onednn_woq_format(layer, method, is_sym): qweight laid out
 *     K-contiguous (memory [N][K/8]), scales unchanged; for method "gptq" the
 *     zero point is the scalar 8 when symmetric, else qzeros + 0x11111111 (v1's
 *     "stored = Z - 1" undone on whole words); other methods keep qzeros.
 * Callers emulated:
 *   GPTQ (gptq-v1, gptq-v2): vLLM's XPU GPTQ method - shuffle when desc_act
 *     (gidx=act), then transpose_onednn_woq_format("gptq", sym); the op gets the
 *     group size as configured (-1 included) and, with act-order, g_idx4kernel
 *     as its permutation, as the helpers' own test (tests/test_int4_gemm_onednn.py
 *     at the commit above) calls int4_gemm_w4a16.
 *   AWQ: AutoAWQXPULinearMethod in vllm-project/vllm,
 *     vllm/model_executor/layers/quantization/auto_awq.py (commit
 *     0043d6b52fdafbbed46c819125a2d582a148e121): repack, then
 *     transpose_onednn_woq_format("awq", False); apply passes group_size, or
 *     for -1 qweight.shape[0] (after repack that is K/8, not K).
 * No upstream code is copied; the behaviour is repeated in C. */
#include "adapters/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

/* convert_idx: perm[pos] = original row, or -1 with torch's failure as text. */
static int convert_idx(const int32_t *g_idx, int64_t K, int64_t bs, int32_t *perm, char *err,
                       size_t errlen) {
    const int64_t groups = K / bs, rem = K % bs;
    int64_t *fill = calloc((size_t)groups + 1, sizeof *fill);
    if (!fill) {
        snprintf(err, errlen, "out of memory in the xpu-kernels adapter");
        return -1;
    }
    int rc = 0;
    for (int64_t k = 0; k < K && rc == 0; k++) {
        const int64_t id = g_idx[k];
        if (id < 0 || id > groups || (id == groups && rem == 0)) {
            snprintf(err, errlen,
                     "GPTQUtils.convert_idx: g_idx[%lld] = %lld has no place among the %lld "
                     "groups of %lld rows of this K=%lld (torch raises an index error)",
                     (long long)k, (long long)id, (long long)groups, (long long)bs, (long long)K);
            rc = -1;
        } else {
            const int64_t cap = id == groups ? rem : bs;
            if (fill[id] < cap) perm[id * bs + fill[id]] = (int32_t)k;
            fill[id]++;
        }
    }
    for (int64_t i = 0; i <= groups && rc == 0; i++) {
        const int64_t cap = i == groups ? rem : bs;
        if (fill[i] != cap) {
            snprintf(err, errlen,
                     "GPTQUtils.convert_idx: group %lld holds %lld rows, blocksize %lld (torch "
                     "raises a shape mismatch adding arange(blocksize))",
                     (long long)i, (long long)fill[i], (long long)cap);
            rc = -1;
        }
    }
    free(fill);
    return rc;
}

/* The op's weight: rows of the [K/8][N] matrix w (row r = original row
 * order[r], or r), laid out K-contiguous: memory [N][K/8]. */
static uint32_t *onednn_weight(const uint32_t *w, int64_t K, int64_t N, const int32_t *order) {
    uint32_t *b = calloc((size_t)(N * (K / 8)), sizeof *b);
    if (!b) return NULL;
    for (int64_t k = 0; k < K; k++) {
        const int64_t src = order ? order[k] : k;
        for (int64_t n = 0; n < N; n++) {
            uint32_t *o = &b[n * (K / 8) + k / 8];
            *o = route_with_nib(*o, (int)(k % 8), route_nib(w[(src / 8) * N + n], (int)(src % 8)));
        }
    }
    return b;
}

static int oom(char *err, size_t errlen) {
    snprintf(err, errlen, "out of memory in the xpu-kernels adapter");
    return -1;
}

static int gptq_route(const struct adapter_input *in, struct abi_tensors *t, char *err,
                      size_t errlen) {
    const struct case_desc *d = in->d;
    const char *who = "xpu-kernels";
    const struct tensor *qw = route_need(in->ckpt, format_weight_name(d->fmt), 2, who, err, errlen);
    const struct tensor *sc =
        qw ? route_need(in->ckpt, format_scale_name(d->fmt), 2, who, err, errlen) : NULL;
    if (!qw || !sc) return -1;
    const int64_t K = qw->shape[0] * 8, N = qw->shape[1];
    if (qw->dtype != TD_I32 || K != d->k || N != d->n) {
        snprintf(err, errlen, "xpu-kernels: qweight [%lld][%lld] is not GPTQ's int32 [K/8][N]",
                 (long long)qw->shape[0], (long long)qw->shape[1]);
        return -1;
    }
    if (d->gidx == GIDX_ACT) { /* desc_act: shuffle */
        const struct tensor *gi =
            route_need(in->ckpt, format_gidx_name(d->fmt), 1, who, err, errlen);
        if (!gi) return -1;
        if (tensor_numel(gi) != K) {
            snprintf(err, errlen, "xpu-kernels: g_idx has %lld entries, expected K=%lld",
                     (long long)tensor_numel(gi), (long long)K);
            return -1;
        }
        t->perm = malloc((size_t)K * sizeof *t->perm);
        if (!t->perm) return oom(err, errlen);
        if (convert_idx(gi->data, K, d->g, t->perm, err, errlen) != 0) return -1;
    }
    t->b_words = N * (K / 8);
    t->b = onednn_weight(qw->data, K, N, t->perm);
    t->scale_elems = tensor_numel(sc);
    t->scale = route_dup(sc, 0);
    if (!t->b || !t->scale) return oom(err, errlen);
    t->group_size = d->g;
    if (d->zp == ZP_ASYM) { /* qzeros + 0x11111111, layout kept */
        const struct tensor *zt =
            route_need(in->ckpt, format_zero_name(d->fmt), 2, who, err, errlen);
        if (!zt) return -1;
        t->zp_words = tensor_numel(zt);
        t->zp = route_dup(zt, 0);
        if (!t->zp) return oom(err, errlen);
        for (int64_t i = 0; i < t->zp_words; i++)
            t->zp[i] += 0x11111111u;
    }
    return 0;
}

static int awq_route(const struct adapter_input *in, struct abi_tensors *t, char *err,
                     size_t errlen) {
    const struct case_desc *d = in->d;
    const struct tensor *qw, *sc, *qz;
    if (route_awq_tensors(in, "xpu-kernels", &qw, &sc, &qz, err, errlen) != 0) return -1;
    const int64_t K = qw->shape[0], N = qw->shape[1] * 8, G = qz->shape[0];
    /* repack: qweight [K/8][N] standard order, qzeros [G][N/8] standard order */
    uint32_t *w = route_awq_qweight_standard(qw);
    t->zp_words = G * (N / 8);
    t->zp = calloc((size_t)t->zp_words, sizeof *t->zp);
    if (!w || !t->zp) {
        free(w);
        return oom(err, errlen);
    }
    for (int64_t g = 0; g < G; g++)
        for (int64_t n = 0; n < N; n++) {
            uint32_t *o = &t->zp[g * (N / 8) + n / 8];
            *o = route_with_nib(*o, (int)(n % 8), route_awq_value(qz->data, N, g, n));
        }
    t->b_words = N * (K / 8);
    t->b = onednn_weight(w, K, N, NULL);
    free(w);
    t->scale_elems = tensor_numel(sc);
    t->scale = route_dup(sc, 0);
    if (!t->b || !t->scale) return oom(err, errlen);
    t->group_size = d->g == -1 ? K / 8 : d->g; /* qweight.shape[0] after repack */
    return 0;
}

int route_xpu_kernels(const struct adapter_input *in, struct abi_tensors *t, char *err,
                      size_t errlen) {
    if (in->d->fmt == FMT_AWQ) return awq_route(in, t, err, errlen);
    if (in->d->fmt == FMT_GPTQ_V1 || in->d->fmt == FMT_GPTQ_V2)
        return gptq_route(in, t, err, errlen);
    snprintf(err, errlen, "xpu-kernels: fmt=%s has no route through these helpers",
             fmt_name(in->d->fmt));
    return -1;
}

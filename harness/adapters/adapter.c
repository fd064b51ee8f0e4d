/* adapter.c - the reference adapter and the dispatch to the engine routes (see
 * adapter.h; the routes are in routes.h). */
#include "adapters/adapter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/adapter_exec.h"
#include "adapters/routes.h"
#include "cases/perm.h"
#include "formats/formats.h"
#include "formats/v1zero.h"
#include "util/errmsg.h"

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

/* 1 when kernel row k (activation row perm[k], or k) has group k / (K/G) for
 * every k: the uniform groups the ABI's group_size describes. An act-order
 * row-parallel shard keeps the layer's groups with uneven row counts. */
static int groups_uniform(const int32_t *g_idx, const int32_t *perm, int64_t K, int64_t G) {
    if (!g_idx) return 1;
    if (K % G != 0) return 0;
    for (int64_t k = 0; k < K; k++)
        if (g_idx[perm ? perm[k] : k] != k / (K / G)) return 0;
    return 1;
}

/* Reference: unpack to logical tensors, then build the ABI exactly. Uneven
 * groups (see groups_uniform) go to the kernel as one group per row: scale and
 * zero rows repeated in kernel row order, group_size 1. */
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
    /* the group of each kernel row; row_group[k] = k / group_size when uniform */
    const int uneven = !groups_uniform(w->g_idx, t->perm, K, G);
    const int64_t GA = uneven ? K : G; /* scale rows the kernel gets */
    if (uneven) t->group_size = 1;
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
    t->scale_elems = GA * N;
    t->scale = malloc((size_t)t->scale_elems * sizeof *t->scale);
    if (!t->scale) goto oom;
    for (int64_t ga = 0; ga < GA; ga++) {
        const int64_t g = uneven ? w->g_idx[t->perm ? t->perm[ga] : ga] : ga;
        memcpy(t->scale + ga * N, w->s + g * N, (size_t)N * sizeof *t->scale);
    }
    if (d->zp == ZP_ASYM) {
        for (int64_t i = 0; i < G * N; i++)
            if (w->z[i] > 15) {
                snprintf(err, errlen,
                         "zero point %u at [%lld][%lld] (a v1 nibble F read without wrap, "
                         "v1zp=%s) does not fit the kernel ABI's 4-bit zero points",
                         (unsigned)w->z[i], (long long)(i / N), (long long)(i % N),
                         v1zero_name(d->v1z));
                return -1;
            }
        t->zp_words = GA * (N / 8);
        t->zp = malloc((size_t)t->zp_words * sizeof *t->zp);
        if (!t->zp) goto oom;
        for (int64_t ga = 0; ga < GA; ga++) {
            const int64_t g = uneven ? w->g_idx[t->perm ? t->perm[ga] : ga] : ga;
            for (int64_t c = 0; c < N / 8; c++) {
                uint32_t word = 0;
                for (int j = 0; j < 8; j++)
                    word |= (uint32_t)(w->z[g * N + 8 * c + j] & 0xF) << (4 * j);
                t->zp[ga * (N / 8) + c] = word;
            }
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
    if (format_unpack_read(d->fmt, d->zp, d->v1z, in->ckpt, d->k, d->n, desc_groups(d), &w, err,
                           errlen) != 0)
        return -1;
    int rc = reference_from_logical(d, &w, t, err, errlen);
    logical_weights_free(&w);
    return rc;
}

int adapter_run(const struct adapter_input *in, struct abi_tensors *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    int rc;
    if (copy_common(in, out) != 0) {
        snprintf(err, errlen, "out of memory copying activations");
        rc = -1;
    } else if (in->d->adapter == ADAPTER_EXEC) {
        rc = in->exec ? adapter_exec_run(in->exec, in, out, err, errlen)
                      : errmsg(err, errlen,
                               "adapter=exec needs an external runner: --adapter "
                               "exec:CMD (docs/runners.md)");
    } else if (in->d->adapter == ADAPTER_VLLM_XPU) {
        rc = route_vllm_xpu(in, out, err, errlen);
    } else if (in->d->adapter == ADAPTER_VLLM_XPU_AWQ) {
        rc = route_vllm_xpu_awq(in, out, err, errlen);
    } else if (in->d->adapter == ADAPTER_XPU_KERNELS) {
        rc = route_xpu_kernels(in, out, err, errlen);
    } else {
        rc = adapter_reference(in, out, err, errlen);
    }
    if (rc != 0) abi_tensors_free(out);
    return rc;
}

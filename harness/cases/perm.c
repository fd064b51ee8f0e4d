/* perm.c - act-order permutation families (see perm.h). */
#include "cases/perm.h"

#include <stdlib.h>

#include "cases/prng.h"

int perm_argsort_groups(const int32_t *g_idx, int64_t K, int64_t G, int32_t *perm) {
    int64_t *start = calloc((size_t)G + 1, sizeof *start);
    if (!start) return -1;
    for (int64_t k = 0; k < K; k++) {
        if (g_idx[k] < 0 || g_idx[k] >= G) {
            free(start);
            return -1;
        }
        start[g_idx[k] + 1]++;
    }
    for (int64_t g = 0; g < G; g++)
        start[g + 1] += start[g];
    for (int64_t k = 0; k < K; k++)
        perm[start[g_idx[k]]++] = (int32_t)k;
    free(start);
    return 0;
}

void perm_to_gidx(const int32_t *perm, int64_t K, int64_t gs, int32_t *g_idx) {
    for (int64_t k = 0; k < K; k++)
        g_idx[perm[k]] = (int32_t)(k / gs);
}

int perm_matches_gidx(const int32_t *perm, const int32_t *g_idx, int64_t K, int64_t gs) {
    unsigned char *seen = calloc((size_t)K, 1);
    if (!seen) return 0;
    int ok = 1;
    for (int64_t k = 0; ok && k < K; k++) {
        int64_t j = perm[k];
        ok = j >= 0 && j < K && !seen[j] && g_idx[j] == k / gs;
        if (ok) seen[j] = 1;
    }
    free(seen);
    return ok;
}

/* Fisher-Yates over v[lo..hi] (inclusive), driven by the counter-based PRNG
 * (sequential, but a pure function of seed and the indices). */
static void shuffle(int32_t *v, int64_t lo, int64_t hi, uint64_t seed, uint32_t tensor) {
    for (int64_t i = hi; i > lo; i--) {
        int64_t j = prng_range(seed, tensor, (uint64_t)i, lo, i);
        int32_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* random and ends: a shuffled g_idx (the whole of it, or all but the end
 * points), then its stable argsort. The random family keeps the bits of the
 * generator before families existed (same PRNG stream, same order). */
static int shuffled_gidx(const struct case_desc *d, int64_t K, int64_t gs, int fix_ends,
                         int32_t *perm) {
    int32_t *g_idx = malloc((size_t)K * sizeof *g_idx);
    if (!g_idx) return -1;
    for (int64_t k = 0; k < K; k++)
        g_idx[k] = (int32_t)(k / gs);
    if (fix_ends)
        shuffle(g_idx, 1, K - 2, d->seed, RT_PERM);
    else
        shuffle(g_idx, 0, K - 1, d->seed, RT_PERM);
    int rc = perm_argsort_groups(g_idx, K, K / gs, perm);
    free(g_idx);
    return rc;
}

int perm_family(const struct case_desc *d, int32_t *perm) {
    const int64_t K = d->k, gs = desc_group_size(d), G = K / gs;
    switch (d->perm) {
    case PERM_RANDOM:
        return shuffled_gidx(d, K, gs, 0, perm);
    case PERM_ENDS:
        return shuffled_gidx(d, K, gs, 1, perm);
    case PERM_COUNT:
    case PERM_IDENTITY:
    case PERM_INGROUP:
    case PERM_SWAP:
        for (int64_t k = 0; k < K; k++)
            perm[k] = (int32_t)k;
        break;
    case PERM_REVERSE:
        for (int64_t k = 0; k < K; k++)
            perm[k] = (int32_t)(K - 1 - k);
        break;
    }
    if (d->perm == PERM_INGROUP)
        for (int64_t g = 0; g < G; g++)
            shuffle(perm, g * gs, g * gs + gs - 1, d->seed, RT_PERM);
    if (d->perm == PERM_SWAP && K > 1) {
        /* one column of a random group and one of another (of the same group
         * when there is only one) */
        int64_t a = prng_range(d->seed, RT_PERM, 0, 0, K - 1);
        int64_t b;
        if (G > 1) {
            int64_t ga = a / gs;
            int64_t gb = (ga + prng_range(d->seed, RT_PERM, 1, 1, G - 1)) % G;
            b = gb * gs + prng_range(d->seed, RT_PERM, 2, 0, gs - 1);
        } else {
            b = (a + prng_range(d->seed, RT_PERM, 1, 1, K - 1)) % K;
        }
        perm[a] = (int32_t)b;
        perm[b] = (int32_t)a;
    }
    return 0;
}

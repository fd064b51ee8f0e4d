/* probe.c - one-hot probes of the kernel under test (see probe.h). */
#include "verdict/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/compare.h"

/* Marks the 8 positions of packed word w (clamped to K). */
static void take_word(unsigned char *on, int64_t K, int64_t w) {
    for (int64_t k = w * 8; k < w * 8 + 8 && k < K; k++)
        on[k] = 1;
}

int probe_plan_make(const struct abi_tensors *t, struct probe_plan *pl) {
    memset(pl, 0, sizeof *pl);
    const int64_t K = t->K, per_row = t->K * t->N, gs = t->group_size > 0 ? t->group_size : K;
    const int64_t G = K / gs, words = (K + 7) / 8;
    unsigned char *on = calloc((size_t)K, 1);
    pl->pos = malloc((size_t)K * sizeof *pl->pos);
    if (K <= 0 || !on || !pl->pos) {
        free(on);
        probe_plan_free(pl);
        return -1;
    }
    pl->K = K;
    int64_t budget = per_row > 0 ? PROBE_BUDGET / per_row : 0;
    if (budget >= K) {
        for (int64_t k = 0; k < K; k++)
            on[k] = 1;
    } else {
        take_word(on, K, 0);
        take_word(on, K, words - 1);
        for (int64_t g = 0; g < G && g < PROBE_GROUPS_MAX; g++) {
            const int64_t off = gs < 8 ? g % gs : (gs / 2) / 8 * 8 + g % 8;
            on[g * gs + off] = 1;
        }
        int64_t have = 0;
        for (int64_t k = 0; k < K; k++)
            have += on[k];
        /* whole words spread evenly over K, while the budget lasts */
        const int64_t more = (budget - have) / 8;
        for (int64_t i = 1; i <= more; i++)
            take_word(on, K, i * (words - 1) / (more + 1));
    }
    unsigned slots = 0;
    int64_t groups = 0, last_group = -1;
    for (int64_t k = 0; k < K; k++) {
        if (!on[k]) continue;
        pl->pos[pl->rows++] = k;
        slots |= 1u << (k % 8);
        if (k / gs != last_group) groups++, last_group = k / gs;
    }
    pl->all_slots = slots == 0xFFu || (K < 8 && slots == (1u << K) - 1);
    pl->all_groups = groups == G;
    pl->both_ends = on[0] && on[K - 1];
    free(on);
    return 0;
}

void probe_plan_free(struct probe_plan *pl) {
    free(pl->pos);
    memset(pl, 0, sizeof *pl);
}

/* The logical column (activation index) kernel position k reads. */
static int64_t logical_of(const struct abi_tensors *t, int64_t k) {
    return t->perm ? t->perm[k] : k;
}

/* The probe's arguments: t's weights, one-hot activations, no bias. */
static int probe_args(const struct abi_tensors *t, const struct probe_plan *pl,
                      struct abi_tensors *pt) {
    *pt = *t;
    pt->M = pl->rows;
    pt->bias = NULL;
    pt->a = calloc((size_t)(pl->rows * t->K), sizeof *pt->a);
    if (!pt->a) return -1;
    const uint16_t one = dt_from_double(t->dt, 1.0);
    for (int64_t i = 0; i < pl->rows; i++)
        pt->a[i * t->K + logical_of(t, pl->pos[i])] = one;
    return 0;
}

int probe_weights(struct kernel_backend *kb, const struct abi_tensors *t,
                  const struct probe_plan *pl, unsigned char *bad, char *err, size_t errlen) {
    struct abi_tensors pt;
    memset(&pt, 0, sizeof pt);
    const int64_t total = pl->rows * t->N, guard = compare_guard(pl->rows, t->N, t->K);
    double *w = malloc((size_t)(t->K * t->N) * sizeof *w);
    uint16_t *out = compare_out_alloc(t->dt, total, guard);
    int rc = -1;
    if (!w || !out || probe_args(t, pl, &pt) != 0 || abi_dequant_logical(t, w) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    struct bk_result br;
    memset(&br, 0, sizeof br);
    kb->run(kb->self, &pt, out, (size_t)guard, &br);
    free(br.log);
    if (br.status != BK_OK) {
        snprintf(err, errlen, "the probe did not run: %s", br.reason);
        goto out_free;
    }
    const uint16_t poison = compare_poison_bits(t->dt);
    for (int64_t i = 0; i < pl->rows; i++) {
        const double *wrow = w + logical_of(t, pl->pos[i]) * t->N;
        for (int64_t n = 0; n < t->N; n++) {
            const uint16_t o = out[i * t->N + n];
            const double want = dt_to_double(t->dt, dt_from_double(t->dt, wrow[n]));
            bad[i * t->N + n] =
                o == poison || dt_is_nan(t->dt, o) || dt_to_double(t->dt, o) != want;
        }
    }
    rc = 0;
out_free:
    free(pt.a);
    free(w);
    compare_out_free(out, guard);
    return rc;
}

/* probe.c - one-hot probes of the kernel under test (see probe.h). */
#include "verdict/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/compare.h"

int64_t probe_rows(const struct abi_tensors *t) {
    const int64_t per_row = t->K * t->N;
    int64_t rows = per_row > 0 ? PROBE_BUDGET / per_row : 0;
    rows -= rows % 8;
    const int64_t least = t->K < 8 ? t->K : 8;
    if (rows < least) rows = least;
    return rows < t->K ? rows : t->K;
}

/* The probe's arguments: t's weights, identity activations, no bias. */
static int probe_args(const struct abi_tensors *t, int64_t rows, struct abi_tensors *pt) {
    *pt = *t;
    pt->M = rows;
    pt->bias = NULL;
    pt->a = calloc((size_t)(rows * t->K), sizeof *pt->a);
    if (!pt->a) return -1;
    const uint16_t one = dt_from_double(t->dt, 1.0);
    for (int64_t m = 0; m < rows; m++)
        pt->a[m * t->K + m] = one;
    return 0;
}

int probe_weights(struct kernel_backend *kb, const struct abi_tensors *t, int64_t rows,
                  unsigned char *bad, char *err, size_t errlen) {
    struct abi_tensors pt;
    memset(&pt, 0, sizeof pt);
    const int64_t total = rows * t->N;
    double *w = malloc((size_t)(t->K * t->N) * sizeof *w);
    uint16_t *out = malloc((size_t)(total + COMPARE_GUARD) * sizeof *out);
    int rc = -1;
    if (!w || !out || probe_args(t, rows, &pt) != 0 || abi_dequant_logical(t, w) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    compare_poison(t->dt, out, total);
    struct bk_result br;
    memset(&br, 0, sizeof br);
    kb->run(kb->self, &pt, out, (size_t)(total + COMPARE_GUARD), &br);
    free(br.log);
    if (br.status != BK_OK) {
        snprintf(err, errlen, "the probe did not run: %s", br.reason);
        goto out_free;
    }
    const uint16_t poison = compare_poison_bits(t->dt);
    for (int64_t i = 0; i < total; i++) {
        const double want = dt_to_double(t->dt, dt_from_double(t->dt, w[i]));
        bad[i] =
            out[i] == poison || dt_is_nan(t->dt, out[i]) || dt_to_double(t->dt, out[i]) != want;
    }
    rc = 0;
out_free:
    free(pt.a);
    free(w);
    free(out);
    return rc;
}

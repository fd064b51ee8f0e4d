/* expect.c - see expect.h. */
#include "formats/expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference/dtype.h"

void expect_compare(const struct logical_weights *w, dtype_t dt, const float *want,
                    struct expect_result *r) {
    memset(r, 0, sizeof *r);
    const int64_t K = w->K, N = w->N, gs = w->K / w->G;
    r->count = K * N;
    for (int64_t k = 0; k < K; k++) {
        int64_t g = w->g_idx ? w->g_idx[k] : k / gs;
        for (int64_t n = 0; n < N; n++) {
            double s = dt_to_double(dt, w->s[g * N + n]);
            double v = ((double)w->q[k * N + n] - (double)w->z[g * N + n]) * s;
            double got = dt_to_double(dt, dt_from_double(dt, v));
            double exp = (double)want[k * N + n];
            if (got == exp) continue;
            if (r->differ++ == 0) {
                r->k = k;
                r->n = n;
                r->got = got;
                r->want = exp;
            }
        }
    }
}

int expect_load(const struct st_file *ex, const char *name, int64_t K, int64_t N, float **out,
                char *err, size_t errlen) {
    *out = NULL;
    long i = st_find(ex, name);
    if (i < 0) return 1;
    const struct st_entry *e = &ex->e[i];
    if (e->dtype != ST_F32 || e->ndim != 2 || e->shape[0] != K || e->shape[1] != N) {
        snprintf(err, errlen, "expected tensor '%s' is not F32 [K=%lld][N=%lld]", name,
                 (long long)K, (long long)N);
        return -1;
    }
    size_t bytes = (size_t)(K * N) * sizeof(float);
    float *buf = malloc(bytes);
    if (!buf) {
        snprintf(err, errlen, "out of memory for expected tensor '%s'", name);
        return -1;
    }
    if (st_read(ex, (size_t)i, buf, bytes, err, errlen) != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

/* errmap.c - normalized error and error grid of a case (see errmap.h). */
#include "verdict/errmap.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

double errmap_min_normal(dtype_t dt) {
    /* the subnormal spacing times 2^(mantissa bits) = 2^-14 (f16), 2^-126 (bf16) */
    return dt_ulp(dt, 0.0) / (2.0 * dt_unit_roundoff(dt));
}

static int element_bad(dtype_t dt, uint16_t bits) {
    return dt_is_nan(dt, bits) || dt_is_inf(dt, bits); /* the poison pattern is a NaN */
}

double errmap_norm(const struct compare_input *in) {
    int64_t total = in->M * in->N;
    double floor_ = errmap_min_normal(in->dt), worst = 0;
    int real = in->mode == DATA_REAL && in->absdot;
    for (int64_t i = 0; i < total; i++) {
        if (element_bad(in->dt, in->got[i])) return INFINITY;
        double err = fabs(dt_to_double(in->dt, in->got[i]) - in->yref[i]);
        double scale = real ? in->absdot[i] : fabs(in->yref[i]);
        double e = err / (scale > floor_ ? scale : floor_);
        if (e > worst) worst = e;
    }
    return worst;
}

struct errgrid *errgrid_new(int rows, int cols, int64_t M, int64_t N) {
    if (rows < 1 || rows > ERRGRID_MAX_ROWS || cols < 1 || cols > ERRGRID_MAX_COLS || M < rows ||
        N < cols)
        return NULL;
    struct errgrid *g = malloc(sizeof *g);
    if (!g) return NULL;
    g->cells = calloc((size_t)rows * (size_t)cols, sizeof *g->cells);
    if (!g->cells) {
        free(g);
        return NULL;
    }
    g->rows = rows;
    g->cols = cols;
    g->space = ERRGRID_OUTPUT;
    g->M = M;
    g->N = N;
    return g;
}

void errgrid_free(struct errgrid *g) {
    if (!g) return;
    free(g->cells);
    free(g);
}

static double expected(const struct compare_input *in, int64_t i) {
    double ref = in->yref[i];
    return data_is_exact(in->mode) ? dt_to_double(in->dt, dt_from_double(in->dt, ref)) : ref;
}

struct errgrid *errmap_grid(const struct compare_input *in) {
    int rows = in->M < ERRGRID_MAX_ROWS ? (int)in->M : ERRGRID_MAX_ROWS;
    int cols = in->N < ERRGRID_MAX_COLS ? (int)in->N : ERRGRID_MAX_COLS;
    struct errgrid *g = errgrid_new(rows, cols, in->M, in->N);
    if (!g) return NULL;
    double floor_ = errmap_min_normal(in->dt);
    for (int64_t m = 0; m < in->M; m++) {
        const int64_t base = m * in->N;
        double ss = 0;
        for (int64_t n = 0; n < in->N; n++)
            ss += expected(in, base + n) * expected(in, base + n);
        double rms = sqrt(ss / (double)in->N);
        if (!(rms > floor_)) rms = floor_;
        float *row = g->cells + (size_t)(m * rows / in->M) * (size_t)cols;
        for (int64_t n = 0; n < in->N; n++) {
            float *cell = row + n * cols / in->N;
            if (isnan(*cell)) continue;
            if (element_bad(in->dt, in->got[base + n])) {
                *cell = NAN;
                continue;
            }
            double e = fabs(dt_to_double(in->dt, in->got[base + n]) - expected(in, base + n)) / rms;
            float ef = e > FLT_MAX ? FLT_MAX : (float)e;
            if (ef > *cell) *cell = ef;
        }
    }
    return g;
}

struct errgrid *errmap_weight_grid(const double *w_eff, const double *w_true, const int32_t *g_idx,
                                   int64_t K, int64_t N, int64_t G) {
    double sum2 = 0;
    int differs = 0;
    for (int64_t i = 0; i < K * N; i++) {
        sum2 += w_true[i] * w_true[i];
        if (w_eff[i] != w_true[i]) differs = 1;
    }
    if (!differs || G <= 0) return NULL;
    const double rms = sum2 > 0 ? sqrt(sum2 / (double)(K * N)) : 1.0;
    const int rows = G < ERRGRID_MAX_ROWS ? (int)G : ERRGRID_MAX_ROWS;
    const int cols = N < ERRGRID_MAX_COLS ? (int)N : ERRGRID_MAX_COLS;
    struct errgrid *g = errgrid_new(rows, cols, G, N);
    if (!g) return NULL;
    g->space = ERRGRID_WEIGHTS;
    for (int64_t k = 0; k < K; k++) {
        const int64_t r = (int64_t)g_idx[k] * rows / G;
        for (int64_t n = 0; n < N; n++) {
            const double e = fabs(w_eff[k * N + n] - w_true[k * N + n]) / rms;
            float *cell = &g->cells[r * cols + n * cols / N];
            if (isnan(e) || e > *cell) *cell = (float)e;
        }
    }
    return g;
}

/* probemap.c - the probe's weight-space map (see probemap.h). */
#include "verdict/probemap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct probemap *probemap_new(int64_t K, int64_t N, int64_t probed) {
    if (K < 1 || N < 1 || probed < 1 || probed > K) return NULL;
    struct probemap *m = malloc(sizeof *m);
    if (!m) return NULL;
    m->folded = K > PROBEMAP_MAX_ROWS;
    m->rows = m->folded ? PROBEMAP_MAX_ROWS : (int)K;
    m->cols = N < PROBEMAP_MAX_COLS ? (int)N : PROBEMAP_MAX_COLS;
    m->K = K;
    m->N = N;
    m->probed = probed;
    const size_t n = (size_t)m->rows * (size_t)m->cols;
    m->cells = malloc(n * sizeof *m->cells);
    if (!m->cells) {
        free(m);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        m->cells[i] = NAN;
    return m;
}

void probemap_free(struct probemap *m) {
    if (!m) return;
    free(m->cells);
    free(m);
}

int probemap_row(const struct probemap *m, int64_t k) {
    if (!m->folded) return (int)k;
    const int64_t words = (m->K + 7) / 8;
    return (int)(k % 8) * PROBEMAP_BAND + (int)((k / 8) * PROBEMAP_BAND / words);
}

int probemap_col(const struct probemap *m, int64_t n) {
    return (int)(n * m->cols / m->N);
}

struct probemap *probemap_build(const int64_t *pos, int64_t nrows, const unsigned char *bad,
                                int64_t K, int64_t N) {
    struct probemap *m = probemap_new(K, N, nrows);
    if (!m) return NULL;
    const size_t n = (size_t)m->rows * (size_t)m->cols;
    /* per cell: probed weights and wrong ones */
    int64_t *seen = calloc(n, sizeof *seen), *wrong = calloc(n, sizeof *wrong), any = 0;
    if (!seen || !wrong) goto fail;
    for (int64_t i = 0; i < nrows; i++) {
        if (pos[i] < 0 || pos[i] >= K) goto fail;
        const size_t base = (size_t)probemap_row(m, pos[i]) * (size_t)m->cols;
        for (int64_t c = 0; c < N; c++) {
            const size_t cell = base + (size_t)probemap_col(m, c);
            seen[cell]++;
            wrong[cell] += bad[i * N + c] != 0;
            any += bad[i * N + c] != 0;
        }
    }
    if (!any) goto fail;
    for (size_t i = 0; i < n; i++)
        if (seen[i]) m->cells[i] = (float)((double)wrong[i] / (double)seen[i]);
    free(seen);
    free(wrong);
    return m;
fail:
    free(seen);
    free(wrong);
    probemap_free(m);
    return NULL;
}

struct probemap *probemap_copy(const struct probemap *m) {
    if (!m) return NULL;
    struct probemap *c = probemap_new(m->K, m->N, m->probed);
    if (!c) return NULL;
    memcpy(c->cells, m->cells, (size_t)m->rows * (size_t)m->cols * sizeof *c->cells);
    return c;
}

int probemap_shows_pattern(const struct probemap *m) {
    long probed = 0, right = 0, wrong = 0, n = (long)m->rows * m->cols;
    for (long i = 0; i < n; i++) {
        if (isnan(m->cells[i])) continue;
        probed++;
        right += m->cells[i] == 0;
        wrong += m->cells[i] > 0;
    }
    return wrong > 0 && right * 10 >= probed;
}

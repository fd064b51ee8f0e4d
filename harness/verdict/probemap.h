/* probemap.h - the probe's finding in weight space (probe.h), kept small
 * enough for results.jsonl and the report's heatmap: which weights the
 * kernel reads wrong, as a downsampled map over its K rows (kernel row
 * order) and N columns.
 *
 * A cell holds the fraction of the probed weights that fall into it and that
 * the kernel reads wrong (0: every one right, 1: every one wrong), or NaN
 * when no probed row falls into it (a partial probe: "not probed").
 *
 * Rows: K <= PROBEMAP_MAX_ROWS: one map row per weight row k. Larger K is
 * folded by nibble slot, so that a slot bug stays visible however large K
 * is: 8 bands of PROBEMAP_BAND rows, band s holding the rows with k % 8 == s
 * in k order (map row s * PROBEMAP_BAND + (k / 8) * PROBEMAP_BAND / words,
 * words = ceil(K / 8)).
 * Columns: min(N, PROBEMAP_MAX_COLS) cells, column n in cell n * cols / N. */
#ifndef GH_PROBEMAP_H
#define GH_PROBEMAP_H

#include <stdint.h>

#define PROBEMAP_MAX_ROWS 64
#define PROBEMAP_MAX_COLS 256
#define PROBEMAP_BAND (PROBEMAP_MAX_ROWS / 8)

struct probemap {
    int rows, cols;
    int folded;     /* rows folded by nibble slot (K > PROBEMAP_MAX_ROWS) */
    int64_t K, N;   /* the weights the map covers */
    int64_t probed; /* weight rows the probe covered (K: a full probe) */
    float *cells;   /* [rows][cols] */
};

/* The map of a probe that covered kernel rows pos[0..nrows) (ascending,
 * each < K) with bad[nrows][N] (1: read wrong, probe_weights). NULL when out
 * of memory, when a size is out of range, or when no weight is wrong. */
struct probemap *probemap_build(const int64_t *pos, int64_t nrows, const unsigned char *bad,
                                int64_t K, int64_t N);

/* An empty map for K x N weights (cells NaN: nothing probed yet); NULL when
 * the size is out of range or memory is short. */
struct probemap *probemap_new(int64_t K, int64_t N, int64_t probed);

/* The map row of weight row k, the map column of weight column n. */
int probemap_row(const struct probemap *m, int64_t k);
int probemap_col(const struct probemap *m, int64_t n);

/* A copy of m (NULL for NULL or out of memory). */
struct probemap *probemap_copy(const struct probemap *m);
void probemap_free(struct probemap *m);

/* Whether the map shows a pattern worth a picture: some probed cell wrong
 * and at least a tenth of the probed cells right (a map wrong everywhere is
 * one colour; the diagnosis says so in words). */
int probemap_shows_pattern(const struct probemap *m);

#endif

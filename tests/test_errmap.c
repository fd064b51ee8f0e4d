/* test_errmap.c - normalized error and error grid of a case
 * (harness/verdict/errmap.c), and the progress line (harness/cli/progress.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "verdict/errmap.h"
#include "cli/progress.h"
#include "util/units.h"

#define ROWS 100
#define COLS 300

static double yref[ROWS * COLS], absdot[ROWS * COLS];
static uint16_t got[ROWS * COLS];

/* Exact-mode data: the right answer everywhere; row m scaled by (m + 1). */
static struct compare_input setup(data_t mode) {
    for (int m = 0; m < ROWS; m++)
        for (int n = 0; n < COLS; n++) {
            int i = m * COLS + n;
            yref[i] = (m + 1) * (1.0 + (n % 7) * 0.37);
            absdot[i] = 4 * fabs(yref[i]);
            got[i] = dt_from_double(DT_F16, yref[i]);
        }
    struct compare_input in = {.dt = DT_F16,
                               .mode = mode,
                               .M = ROWS,
                               .N = COLS,
                               .K = 64,
                               .yref = yref,
                               .absdot = mode == DATA_REAL ? absdot : NULL,
                               .got = got};
    return in;
}

static void test_norm(void) {
    struct compare_input in = setup(DATA_EXACT);
    double e = errmap_norm(&in);
    CU_ASSERT(e > 0 && e <= dt_unit_roundoff(DT_F16)); /* only the final rounding */
    got[5 * COLS + 7] = dt_from_double(DT_F16, yref[5 * COLS + 7] * 1.5);
    CU_ASSERT(errmap_norm(&in) > 0.45 && errmap_norm(&in) < 0.55);
    in = setup(DATA_REAL);
    got[5 * COLS + 7] = dt_from_double(DT_F16, yref[5 * COLS + 7] * 1.5);
    CU_ASSERT(errmap_norm(&in) > 0.45 / 4 && errmap_norm(&in) < 0.55 / 4); /* / sum|x||w| */
    got[9] = 0x7E00;                                                       /* NaN */
    CU_ASSERT(isinf(errmap_norm(&in)));
    CU_ASSERT_DOUBLE_EQUAL(errmap_min_normal(DT_F16), ldexp(1, -14), 0);
    CU_ASSERT_DOUBLE_EQUAL(errmap_min_normal(DT_BF16), ldexp(1, -126), 0);
}

/* A wrong column shows as one column of the grid, in every row group,
 * equally strong although the rows' magnitudes differ 100-fold. */
static void test_grid_column(void) {
    struct compare_input in = setup(DATA_EXACT);
    for (int m = 0; m < ROWS; m++)
        got[m * COLS + 150] = dt_from_double(DT_F16, yref[m * COLS + 150] + 0.25 * (m + 1));
    struct errgrid *g = errmap_grid(&in);
    CU_ASSERT_FATAL(g != NULL);
    CU_ASSERT_EQUAL(g->rows, ERRGRID_MAX_ROWS);
    CU_ASSERT_EQUAL(g->cols, ERRGRID_MAX_COLS);
    int col = 150 * ERRGRID_MAX_COLS / COLS;
    float first = g->cells[col];
    CU_ASSERT(first > 0);
    for (int r = 0; r < g->rows; r++)
        for (int c = 0; c < g->cols; c++) {
            float v = g->cells[r * g->cols + c];
            if (c == col) {
                CU_ASSERT(fabsf(v - first) < 0.05f * first);
            } else {
                CU_ASSERT_EQUAL(v, 0); /* right elements: exactly 0 against the rounded ref */
            }
        }
    errgrid_free(g);
    /* a non-finite element marks its cell NaN */
    in = setup(DATA_EXACT);
    got[(ROWS - 1) * COLS + COLS - 1] = 0x7C00;
    g = errmap_grid(&in);
    CU_ASSERT_FATAL(g != NULL);
    CU_ASSERT(isnan(g->cells[g->rows * g->cols - 1]));
    CU_ASSERT_EQUAL(g->cells[0], 0);
    errgrid_free(g);
    /* small outputs keep one cell per element */
    in = setup(DATA_EXACT);
    in.M = 3;
    in.N = 8;
    g = errmap_grid(&in);
    CU_ASSERT_FATAL(g != NULL);
    CU_ASSERT(g->rows == 3 && g->cols == 8);
    errgrid_free(g);
    CU_ASSERT_PTR_NULL(errgrid_new(0, 8, 3, 8));
    CU_ASSERT_PTR_NULL(errgrid_new(65, 8, 100, 8));
    CU_ASSERT_PTR_NULL(errgrid_new(4, 8, 3, 8)); /* more rows than the output */
}

static void test_progress(void) {
    char buf[128];
    /* byte counts in messages (units.h) */
    fmt_bytes(buf, sizeof buf, 1);
    CU_ASSERT_STRING_EQUAL(buf, "1 B");
    fmt_bytes(buf, sizeof buf, 6144);
    CU_ASSERT_STRING_EQUAL(buf, "6.0 KiB");
    fmt_bytes(buf, sizeof buf, 8.0 * 1073741824.0);
    CU_ASSERT_STRING_EQUAL(buf, "8.0 GiB");
    fmt_bytes(buf, sizeof buf, 3.0 * 1099511627776.0 * 1024.0);
    CU_ASSERT_STRING_EQUAL(buf, "3072.0 TiB");
    progress_format(buf, sizeof buf, 120, 496, 42.4);
    CU_ASSERT_STRING_EQUAL(buf, "[120/496] 0:42 elapsed, ~2:13 left");
    progress_format(buf, sizeof buf, 7, 1000, 4000);
    CU_ASSERT_STRING_EQUAL(buf, "[   7/1000] 1:06:40 elapsed, ~157:37:09 left");
    progress_format(buf, sizeof buf, 0, 5, 0);
    CU_ASSERT_STRING_EQUAL(buf, "[0/5] 0:00 elapsed");
    progress_format(buf, sizeof buf, 5, 5, 61);
    CU_ASSERT_STRING_EQUAL(buf, "[5/5] 1:01 elapsed");
    /* not a terminal: nothing is written */
    FILE *f = tmpfile();
    CU_ASSERT_FATAL(f != NULL);
    struct progress p;
    progress_start(&p, f, 10, 0);
    progress_update(&p, 3, 1);
    progress_clear(&p);
    CU_ASSERT_EQUAL(ftell(f), 0);
    fclose(f);
}

/* The weight-space grid: rows are the K groups (through g_idx), a cell is 0
 * exactly where the kernel's weights are right, and nothing differing gives
 * no grid. */
static void test_weight_grid(void) {
    enum { K = 64, N = 16, G = 4 };
    static double tru[K * N], eff[K * N];
    int32_t g_idx[K];
    for (int k = 0; k < K; k++)
        g_idx[k] = (k * 7) % G; /* act-order-like ids */
    for (int i = 0; i < K * N; i++)
        tru[i] = eff[i] = ((i * 37) % 11) - 5.0;
    CU_ASSERT_PTR_NULL(errmap_weight_grid(eff, tru, g_idx, K, N, G));
    /* wrong: every row of group 2 in columns 8..15 (an 8-column block) */
    for (int k = 0; k < K; k++)
        for (int n = 8; n < 16; n++)
            if (g_idx[k] == 2) eff[k * N + n] += 1.0;
    struct errgrid *g = errmap_weight_grid(eff, tru, g_idx, K, N, G);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->space, ERRGRID_WEIGHTS);
    CU_ASSERT_EQUAL(g->rows, G);
    CU_ASSERT_EQUAL(g->cols, N);
    CU_ASSERT_EQUAL(g->M, G);
    for (int r = 0; r < G; r++)
        for (int c = 0; c < N; c++)
            CU_ASSERT_EQUAL(g->cells[r * N + c] > 0, r == 2 && c >= 8);
    errgrid_free(g);
}

int register_errmap_suite(void) {
    GH_ADD_SUITE(s, "errmap");
    GH_ADD_TEST(s, test_norm);
    GH_ADD_TEST(s, test_grid_column);
    GH_ADD_TEST(s, test_weight_grid);
    GH_ADD_TEST(s, test_progress);
    return 0;
}

/* test_compare.c - verdicts and metrics of the comparison. */
#include <math.h>
#include <string.h>

#include "verdict/compare.h"
#include "suites.h"

#define ROWS 3
#define COLS 8

#define TG COMPARE_GUARD_MIN
static uint16_t gotbuf[TG + ROWS * COLS + TG];
static uint16_t *const got = gotbuf + TG;
static double yref[ROWS * COLS], absdot[ROWS * COLS];

/* Reference values that need rounding; got = the right answer. */
static void setup(dtype_t dt) {
    compare_poison(dt, got, ROWS * COLS, TG);
    for (int i = 0; i < ROWS * COLS; i++) {
        yref[i] = 1000.0 + i * 3.3;
        absdot[i] = 2000.0;
        got[i] = dt_from_double(dt, yref[i]);
    }
}

static struct compare_input input(dtype_t dt, data_t mode) {
    struct compare_input in = {.dt = dt,
                               .mode = mode,
                               .M = ROWS,
                               .N = COLS,
                               .K = 128,
                               .yref = yref,
                               .guard = TG,
                               .absdot = absdot,
                               .got = got,
                               .safety = 0};
    return in;
}

static void test_exact(void) {
    struct metrics m;
    char why[256];
    for (int dt = 0; dt < 2; dt++) {
        setup((dtype_t)dt);
        struct compare_input in = input((dtype_t)dt, DATA_EXACT);
        CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_PASSED);
        CU_ASSERT_EQUAL(m.mismatches, 0);
        CU_ASSERT(isinf(m.sqnr_db) || m.sqnr_db > 40);
        got[2 * COLS + 5] += 1; /* one ulp off */
        CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_FAILED);
        CU_ASSERT_EQUAL(m.mismatches, 1);
        CU_ASSERT_EQUAL(m.max_ulp, 1);
        CU_ASSERT_EQUAL(m.worst_m, 2);
        CU_ASSERT_EQUAL(m.worst_n, 5);
        CU_ASSERT(strstr(why, "m=2, n=5") != NULL);
    }
}

static void test_unwritten_nan_guard(void) {
    struct metrics m;
    char why[256];
    setup(DT_F16);
    struct compare_input in = input(DT_F16, DATA_EXACT);
    got[7] = compare_poison_bits(DT_F16);
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_FAILED);
    CU_ASSERT_EQUAL(m.unwritten, 1);
    setup(DT_F16);
    got[3] = 0x7C00; /* +Inf */
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_FAILED);
    CU_ASSERT_EQUAL(m.nonfinite, 1);
    setup(DT_F16);
    got[ROWS * COLS + 10] = 0;
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_FAILED);
    CU_ASSERT_EQUAL(m.guard_bad, 1);
    CU_ASSERT(strstr(why, "guard") != NULL);
    /* NaN never passes in real mode either */
    setup(DT_BF16);
    in = input(DT_BF16, DATA_REAL);
    got[0] = 0x7FC0;
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_FAILED);
}

static void test_real_bound(void) {
    struct metrics m;
    char why[256];
    setup(DT_F16);
    struct compare_input in = input(DT_F16, DATA_REAL);
    /* exactly rounded output passes */
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_PASSED);
    /* element 4 off by slightly less / more than allowed */
    double allowed = compare_allowed(&in, yref[4], absdot[4]);
    double want = 2 * (yref[4] * 0x1p-11 + (0x1p-11 + 128 * 0x1p-24) * 2000.0) + 0x1p-25;
    CU_ASSERT_DOUBLE_EQUAL(allowed, want, 1e-12);
    yref[4] = dt_to_double(DT_F16, got[4]) - allowed * 0.99;
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_PASSED);
    yref[4] = dt_to_double(DT_F16, got[4]) - allowed * 1.2;
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_FAILED);
    CU_ASSERT(m.worst_ratio > 1.0);
}

static void test_mistrusted(void) {
    struct metrics m;
    char why[256];
    setup(DT_F16);
    for (int i = 0; i < ROWS * COLS; i++) {
        yref[i] = 1e-3; /* tiny results, large sums: zeros are inside the bound */
        absdot[i] = 100.0;
        got[i] = 0;
    }
    struct compare_input in = input(DT_F16, DATA_REAL);
    CU_ASSERT_EQUAL(compare_run(&in, &m, why, sizeof why), V_MISTRUSTED);
    CU_ASSERT_EQUAL(m.zeros, ROWS * COLS);
}

int register_compare_suite(void) {
    GH_ADD_SUITE(s, "compare");
    GH_ADD_TEST(s, test_exact);
    GH_ADD_TEST(s, test_unwritten_nan_guard);
    GH_ADD_TEST(s, test_real_bound);
    GH_ADD_TEST(s, test_mistrusted);
    return 0;
}

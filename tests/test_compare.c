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

/* Guard widths: the 256 KiB floor, 32 rows of a wide N, M * max(N, K) up
 * to the 8 MiB cap, always a multiple of 4 KiB. */
static void test_guard_width(void) {
    CU_ASSERT_EQUAL(compare_guard(1, 16, 64), 131072);
    CU_ASSERT_EQUAL(compare_guard(3, 40, 384), 131072);
    CU_ASSERT_EQUAL(compare_guard(1, 28672, 8192), 32 * 28672);
    CU_ASSERT_EQUAL(compare_guard(64, 4096, 4096), 64 * 4096);
    CU_ASSERT_EQUAL(compare_guard(67, 1000, 4104), 276480); /* 67 * 4104 rounded up */
    CU_ASSERT_EQUAL(compare_guard(2048, 4096, 14336), COMPARE_GUARD_CAP);
    CU_ASSERT_EQUAL(compare_guard(1048576, 1048576, 1048576), 32 * 1048576);
    CU_ASSERT_EQUAL(compare_guard(0, 0, 0), COMPARE_GUARD_FLOOR);
    for (int64_t m = 1; m < 5000; m += 97)
        CU_ASSERT_EQUAL(compare_guard(m, 8 * m, 24) % COMPARE_GUARD_MIN, 0);
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

/* compare_element_at on element 0, got = bits, the reference ref with slack. */
static int element_at(data_t mode, double ref, double slack, uint16_t bits) {
    double sl[1] = {slack};
    setup(DT_F16);
    yref[0] = ref;
    got[0] = bits;
    struct compare_input in = input(DT_F16, mode);
    in.slack = sl;
    return compare_element_at(&in, 0);
}

/* The hypothesis comparison of the diagnosis: exact where the slack is 0,
 * float rounding allowed where it is not, an overflow to Inf matched only
 * by that Inf. */
static void test_element_at(void) {
    const double r = 2049.0 + 0x1p-14; /* rounds to 2050; float summing in order gives 2048 */
    const uint16_t h2048 = dt_from_double(DT_F16, 2048), h2050 = dt_from_double(DT_F16, 2050);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, r, 0, h2050), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, r, 0, h2048), 0);
    CU_ASSERT_EQUAL(element_at(DATA_EDGE, r, 0.01, h2048), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EDGE, r, 0.01, h2050), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EDGE, r, 0.01, dt_from_double(DT_F16, 2046)), 0);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, r, 0.01, dt_from_double(DT_F16, 2052)), 0);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, r, 0.01, compare_poison_bits(DT_F16)), 0);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, r, 0.01, 0x7E00), 0); /* NaN */
    /* -0 and +0 equal */
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, -0x1p-30, 0, 0x8000), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, 0x1p-30, 0, 0x8000), 1);
    /* f16 overflows at 65520: Inf only where the reference (moved by the slack) rounds to it */
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, 70000, 0, 0x7C00), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, 70000, 0, 0xFC00), 0);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, 70000, 0, 0x7BFF), 0);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, 65519, 0, 0x7BFF), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, 65519, 0, 0x7C00), 0);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, 65519, 2, 0x7C00), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, -65519, 2, 0xFC00), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EXACT, -65519, 2, 0x7C00), 0);
    /* a float overflow possible: any written value, never the poison */
    CU_ASSERT_EQUAL(element_at(DATA_EDGE, r, INFINITY, 0x7E00), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EDGE, r, INFINITY, 0xFC00), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EDGE, r, INFINITY, h2048), 1);
    CU_ASSERT_EQUAL(element_at(DATA_EDGE, r, INFINITY, compare_poison_bits(DT_F16)), 0);
    /* real mode: the real-mode bound, and an Inf never passes */
    CU_ASSERT_EQUAL(element_at(DATA_REAL, r, 0, h2048), 1);
    CU_ASSERT_EQUAL(element_at(DATA_REAL, 70000, 0, 0x7C00), 0);
}

int register_compare_suite(void) {
    GH_ADD_SUITE(s, "compare");
    GH_ADD_TEST(s, test_exact);
    GH_ADD_TEST(s, test_unwritten_nan_guard);
    GH_ADD_TEST(s, test_guard_width);
    GH_ADD_TEST(s, test_real_bound);
    GH_ADD_TEST(s, test_mistrusted);
    GH_ADD_TEST(s, test_element_at);
    return 0;
}

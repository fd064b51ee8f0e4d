/* test_prng.c - counter-based random numbers (harness/cases/prng.c).
 *
 * Statistical checks use fixed seeds and tolerances of about six standard
 * deviations, so they are deterministic and fail only when the generator is
 * broken, not by bad luck. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include "cases/prng.h"
#include "suites.h"

#define NSAMP 100000

static const uint64_t SEED = 0x5EEDu;

/* ---- determinism and independence of order ---------------------------- */

static void test_same_triple_same_value(void) {
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t idx = i * 7919u;
        CU_ASSERT_EQUAL(prng_u64(SEED, RT_X, idx), prng_u64(SEED, RT_X, idx));
        CU_ASSERT_EQUAL(prng_unit(SEED, RT_S, idx), prng_unit(SEED, RT_S, idx));
        CU_ASSERT_EQUAL(prng_range(SEED, RT_Q, idx, 0, 15), prng_range(SEED, RT_Q, idx, 0, 15));
        CU_ASSERT_EQUAL(prng_normal(SEED, RT_WREAL, idx), prng_normal(SEED, RT_WREAL, idx));
    }
}

/* Values pinned when the generator was written: the same descriptor must give
 * the same data on every machine and in every later version. */
static void test_golden_values(void) {
    CU_ASSERT_EQUAL(prng_u64(0, 0, 0), 0xfbe988335f36c931ull);
    CU_ASSERT_EQUAL(prng_u64(7, RT_X, 12345), 0x72dbda63b8b4883cull);
    CU_ASSERT_EQUAL(prng_u64(UINT64_MAX, RT_AUX, UINT64_MAX), 0x39d14b530d7120d7ull);
    CU_ASSERT_EQUAL(prng_unit(7, RT_S, 3), 0.16812748630710395);
    /* libm's log/cos may differ in the last bit between platforms. */
    CU_ASSERT_DOUBLE_EQUAL(prng_normal(7, RT_WREAL, 42), 0.27363710945353714, 1e-13);
}

static void test_order_independent(void) {
    enum { N = 4096 };
    static uint64_t fwd_u[N], bwd_u[N];
    static double fwd_n[N], bwd_n[N];
    static int64_t fwd_r[N], bwd_r[N];
    for (size_t i = 0; i < N; i++) {
        fwd_u[i] = prng_u64(SEED, RT_X, i);
        fwd_n[i] = prng_normal(SEED, RT_XREAL, i);
        fwd_r[i] = prng_range(SEED, RT_PERM, i, -100, 100);
    }
    for (size_t i = N; i-- > 0;) {
        bwd_u[i] = prng_u64(SEED, RT_X, i);
        bwd_n[i] = prng_normal(SEED, RT_XREAL, i);
        bwd_r[i] = prng_range(SEED, RT_PERM, i, -100, 100);
    }
    size_t diff = 0;
    for (size_t i = 0; i < N; i++)
        diff += fwd_u[i] != bwd_u[i] || fwd_n[i] != bwd_n[i] || fwd_r[i] != bwd_r[i];
    CU_ASSERT_EQUAL(diff, 0);
}

/* ---- distinct streams ------------------------------------------------- */

static void test_streams_differ(void) {
    size_t same_seed = 0, same_tensor = 0, same_normal = 0;
    for (uint64_t i = 0; i < 10000; i++) {
        same_seed += prng_u64(1, RT_X, i) == prng_u64(2, RT_X, i);
        same_tensor += prng_u64(SEED, RT_X, i) == prng_u64(SEED, RT_Q, i);
        same_normal += prng_normal(1, RT_X, i) == prng_normal(2, RT_X, i);
    }
    CU_ASSERT_EQUAL(same_seed, 0);
    CU_ASSERT_EQUAL(same_tensor, 0);
    CU_ASSERT_EQUAL(same_normal, 0);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Small seeds, tensors and indices are where a weak combination (seed +
 * tensor + index, xor of the parts, ...) collides: all 2^16 triples of
 * 16 x 16 x 256 must give distinct values. */
static void test_no_trivial_collisions(void) {
    enum { NS = 16, NT = 16, NI = 256 };
    uint64_t *v = malloc(sizeof *v * NS * NT * NI);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    size_t n = 0;
    for (uint64_t s = 0; s < NS; s++)
        for (uint32_t t = 0; t < NT; t++)
            for (uint64_t i = 0; i < NI; i++)
                v[n++] = prng_u64(s, t, i);
    qsort(v, n, sizeof *v, cmp_u64);
    size_t dup = 0;
    for (size_t i = 1; i < n; i++)
        dup += v[i] == v[i - 1];
    free(v);
    CU_ASSERT_EQUAL(dup, 0);
}

/* Every output bit is set about half the time over consecutive indices. */
static void test_bit_balance(void) {
    unsigned ones[64] = {0};
    for (uint64_t i = 0; i < NSAMP; i++) {
        uint64_t r = prng_u64(SEED, RT_Z, i);
        for (int b = 0; b < 64; b++)
            ones[b] += (unsigned)((r >> b) & 1u);
    }
    int bad = 0;
    for (int b = 0; b < 64; b++) /* sd = 158; allow ~6.3 sd */
        if (fabs((double)ones[b] - NSAMP / 2.0) > 1000.0) {
            fprintf(stderr, "\n  prng: bit %d set %u times of %d ", b, ones[b], NSAMP);
            bad++;
        }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- prng_unit -------------------------------------------------------- */

static void test_unit_interval(void) {
    size_t outside = 0, odd = 0;
    double sum = 0;
    for (uint64_t i = 0; i < NSAMP; i++) {
        double u = prng_unit(SEED, RT_AUX, i);
        outside += !(u >= 0.0 && u < 1.0);
        sum += u;
        /* 53 random bits: u * 2^53 is an integer, odd about half the time. */
        double k = u * 0x1.0p53;
        odd += k == floor(k) && fmod(k, 2.0) == 1.0;
    }
    CU_ASSERT_EQUAL(outside, 0);
    CU_ASSERT_DOUBLE_EQUAL(sum / NSAMP, 0.5, 0.006); /* sd 0.0009 */
    CU_ASSERT(odd > NSAMP / 2 - 1000 && odd < NSAMP / 2 + 1000);
}

/* ---- prng_range ------------------------------------------------------- */

static void test_range_bounds_and_frequency(void) {
    enum { LO = -3, HI = 6, NB = HI - LO + 1 };
    unsigned count[NB] = {0};
    size_t outside = 0;
    for (uint64_t i = 0; i < NSAMP; i++) {
        int64_t v = prng_range(SEED, RT_Q, i, LO, HI);
        if (v < LO || v > HI)
            outside++;
        else
            count[v - LO]++;
    }
    CU_ASSERT_EQUAL(outside, 0);
    double expect = (double)NSAMP / NB, chi2 = 0;
    for (int b = 0; b < NB; b++) {
        CU_ASSERT(count[b] > 0);
        chi2 += ((double)count[b] - expect) * ((double)count[b] - expect) / expect;
    }
    /* 9 degrees of freedom: P(chi2 > 40) is about 1e-5. */
    CU_ASSERT(chi2 < 40.0);
    if (chi2 >= 40.0) fprintf(stderr, "\n  prng: chi2 %.1f over %d bins ", chi2, NB);
}

static void test_range_degenerate_and_extreme(void) {
    CU_ASSERT_EQUAL(prng_range(SEED, RT_Q, 5, 42, 42), 42);
    CU_ASSERT_EQUAL(prng_range(SEED, RT_Q, 5, 7, 3), 7); /* hi < lo: lo */
    int saw_lo = 0, saw_hi = 0, saw_neg = 0, saw_pos = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        int64_t two = prng_range(SEED, RT_Q, i, INT64_MAX - 1, INT64_MAX);
        saw_lo |= two == INT64_MAX - 1;
        saw_hi |= two == INT64_MAX;
        int64_t all = prng_range(SEED, RT_Q, i, INT64_MIN, INT64_MAX);
        saw_neg |= all < 0;
        saw_pos |= all > 0;
    }
    CU_ASSERT(saw_lo && saw_hi);
    CU_ASSERT(saw_neg && saw_pos);
}

/* Span 3 * 2^62: plain "r mod span" would put half of the draws in the first
 * third. With rejection each third gets a third. */
static void test_range_no_modulo_bias(void) {
    const int64_t lo = INT64_MIN, hi = (int64_t)((1ull << 62) - 1u); /* span 3 * 2^62 */
    const int64_t third = (int64_t)(1ull << 62);
    unsigned bins[3] = {0};
    size_t outside = 0;
    for (uint64_t i = 0; i < 30000; i++) {
        int64_t v = prng_range(SEED, RT_BIAS, i, lo, hi);
        if (v < lo || v > hi) {
            outside++;
            continue;
        }
        bins[v < lo + third ? 0 : v < (lo + third) + third ? 1 : 2]++;
    }
    CU_ASSERT_EQUAL(outside, 0);
    for (int b = 0; b < 3; b++) /* expect 10000, sd 82 */
        CU_ASSERT(bins[b] > 9500 && bins[b] < 10500);
}

/* ---- prng_normal ------------------------------------------------------ */

static void test_normal_moments(void) {
    double sum = 0, sum2 = 0;
    size_t within1 = 0, nonfinite = 0;
    for (uint64_t i = 0; i < NSAMP; i++) {
        double z = prng_normal(SEED, RT_WREAL, i);
        nonfinite += !isfinite(z);
        sum += z;
        sum2 += z * z;
        within1 += fabs(z) < 1.0;
    }
    double mean = sum / NSAMP, var = sum2 / NSAMP - mean * mean;
    CU_ASSERT_EQUAL(nonfinite, 0);
    CU_ASSERT_DOUBLE_EQUAL(mean, 0.0, 0.02);                         /* sd 0.0032 */
    CU_ASSERT_DOUBLE_EQUAL(var, 1.0, 0.03);                          /* sd 0.0045 */
    CU_ASSERT_DOUBLE_EQUAL((double)within1 / NSAMP, 0.682689, 0.01); /* sd 0.0015 */
}

/* Neighbouring indices of the normal stream are uncorrelated. */
static void test_normal_lag_correlation(void) {
    double prev = prng_normal(SEED, RT_XREAL, 0), cross = 0;
    for (uint64_t i = 1; i <= NSAMP; i++) {
        double z = prng_normal(SEED, RT_XREAL, i);
        cross += prev * z;
        prev = z;
    }
    CU_ASSERT_DOUBLE_EQUAL(cross / NSAMP, 0.0, 0.02); /* sd 0.0032 */
}

int register_prng_suite(void) {
    GH_ADD_SUITE(s, "prng");
    GH_ADD_TEST(s, test_same_triple_same_value);
    GH_ADD_TEST(s, test_golden_values);
    GH_ADD_TEST(s, test_order_independent);
    GH_ADD_TEST(s, test_streams_differ);
    GH_ADD_TEST(s, test_no_trivial_collisions);
    GH_ADD_TEST(s, test_bit_balance);
    GH_ADD_TEST(s, test_unit_interval);
    GH_ADD_TEST(s, test_range_bounds_and_frequency);
    GH_ADD_TEST(s, test_range_degenerate_and_extreme);
    GH_ADD_TEST(s, test_range_no_modulo_bias);
    GH_ADD_TEST(s, test_normal_moments);
    GH_ADD_TEST(s, test_normal_lag_correlation);
    return 0;
}

/* test_randcase.c - random descriptors (harness/cases/randcase.c): valid,
 * within the work cap, a pure function of (seed, i), and spread over the
 * whole space (every format, data mode, permutation family; long K, wide N,
 * prefill M, g = K and g = -1). */
#include <string.h>

#include "cases/randcase.h"
#include "suites.h"

static void test_space(void) {
    int fmt[FMT_COUNT] = {0}, data[3] = {0}, perm[PERM_COUNT] = {0}, dt[2] = {0};
    int long_k = 0, wide_n = 0, prefill = 0, g_k = 0, g_all = 0, small_g = 0, m1 = 0;
    for (uint64_t i = 0; i < 3000; i++) {
        struct case_desc d, e;
        randcase_draw(42, i, RANDCASE_DEFAULT_MACS, &d);
        char err[256];
        int rc = desc_validate(&d, err, sizeof err);
        if (rc != 0) fprintf(stderr, "case %llu: %s\n", (unsigned long long)i, err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT(d.m * d.n * d.k <= RANDCASE_DEFAULT_MACS || (d.m == 1 && d.n == 8));
        CU_ASSERT_EQUAL(d.adapter, ADAPTER_REFERENCE);
        CU_ASSERT_STRING_EQUAL(d.fault, "");
        randcase_draw(42, i, RANDCASE_DEFAULT_MACS, &e);
        CU_ASSERT(desc_equal(&d, &e));
        fmt[d.fmt]++;
        data[d.data]++;
        dt[d.dt]++;
        if (d.gidx == GIDX_ACT) perm[d.perm]++;
        long_k += d.k > 4096;
        wide_n += d.n > 1024;
        prefill += d.m >= 64;
        m1 += d.m == 1;
        g_k += d.g == d.k && d.k > 8;
        g_all += d.g == -1;
        small_g += d.g > 0 && d.g % 32 != 0;
    }
    for (int i = 0; i < FMT_COUNT; i++)
        CU_ASSERT(fmt[i] > 300);
    for (int i = 0; i < 3; i++)
        CU_ASSERT(data[i] > 500);
    for (int i = 0; i < PERM_COUNT; i++)
        CU_ASSERT(perm[i] > 50);
    CU_ASSERT(dt[0] > 1000 && dt[1] > 1000);
    CU_ASSERT(long_k > 300);
    CU_ASSERT(wide_n > 100);
    CU_ASSERT(prefill > 100);
    CU_ASSERT(m1 > 300);
    CU_ASSERT(g_k > 50);
    CU_ASSERT(g_all > 50);
    CU_ASSERT(small_g > 300);
    /* another seed, other cases */
    struct case_desc a, b;
    randcase_draw(1, 0, RANDCASE_DEFAULT_MACS, &a);
    randcase_draw(2, 0, RANDCASE_DEFAULT_MACS, &b);
    CU_ASSERT_FALSE(desc_equal(&a, &b));
}

int register_randcase_suite(void) {
    GH_ADD_SUITE(s, "randcase");
    GH_ADD_TEST(s, test_space);
    return 0;
}

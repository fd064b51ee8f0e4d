/* test_perm.c - act-order permutation families (harness/cases/perm.c): each
 * family is what it says, the generator's g_idx follows from it, and the
 * reference adapter hands the family's permutation to the kernel. */
#include <stdlib.h>
#include <string.h>

#include "adapters/abi.h"
#include "adapters/adapter.h"
#include "cases/perm.h"
#include "cases/problem.h"
#include "formats/formats.h"
#include "suites.h"

static struct case_desc parse(const char *line) {
    struct case_desc d;
    char err[256];
    int rc = desc_parse(line, &d, err, sizeof err);
    if (rc != 0) fprintf(stderr, "%s: %s\n", line, err);
    CU_ASSERT_FATAL(rc == 0);
    return d;
}

static int32_t *family(const char *line, struct case_desc *d) {
    *d = parse(line);
    int32_t *perm = malloc((size_t)d->k * sizeof *perm);
    CU_ASSERT_FATAL(perm != NULL);
    CU_ASSERT_FATAL(perm_family(d, perm) == 0);
    return perm;
}

static int is_permutation(const int32_t *perm, int64_t K) {
    char *seen = calloc((size_t)K, 1);
    int ok = seen != NULL;
    for (int64_t k = 0; ok && k < K; k++) {
        ok = perm[k] >= 0 && perm[k] < K && !seen[perm[k]];
        if (ok) seen[perm[k]] = 1;
    }
    free(seen);
    return ok;
}

static int64_t moved(const int32_t *perm, int64_t K) {
    int64_t n = 0;
    for (int64_t k = 0; k < K; k++)
        n += perm[k] != k;
    return n;
}

static void test_families(void) {
    static const int64_t gs[] = {8, 32, 128, 384};
    for (size_t i = 0; i < sizeof gs / sizeof gs[0]; i++)
        for (int f = 0; f < PERM_COUNT; f++)
            for (uint64_t seed = 1; seed <= 5; seed++) {
                char line[256];
                snprintf(line, sizeof line, "gidx=act k=768 g=%lld perm=%s seed=%llu",
                         (long long)gs[i], perm_name((perm_t)f), (unsigned long long)seed);
                struct case_desc d;
                int32_t *perm = family(line, &d);
                const int64_t K = d.k, g = gs[i];
                CU_ASSERT_FATAL(is_permutation(perm, K));
                int32_t *gi = malloc((size_t)K * sizeof *gi);
                perm_to_gidx(perm, K, g, gi);
                CU_ASSERT(perm_matches_gidx(perm, gi, K, g));
                /* every group keeps exactly g rows */
                int64_t *count = calloc((size_t)(K / g), sizeof *count);
                for (int64_t k = 0; k < K; k++)
                    count[gi[k]]++;
                for (int64_t b = 0; b < K / g; b++)
                    CU_ASSERT_EQUAL(count[b], g);
                int within = 1, ascending = 1;
                for (int64_t k = 0; k < K; k++) {
                    within &= perm[k] / g == k / g;
                    if (k % g) ascending &= perm[k] > perm[k - 1];
                }
                switch ((perm_t)f) {
                case PERM_RANDOM:
                    CU_ASSERT(ascending); /* the stable argsort of a shuffled g_idx */
                    CU_ASSERT(moved(perm, K) > K / 2);
                    break;
                case PERM_IDENTITY:
                    CU_ASSERT_EQUAL(moved(perm, K), 0);
                    break;
                case PERM_ENDS:
                    CU_ASSERT_EQUAL(perm[0], 0);
                    CU_ASSERT_EQUAL(perm[K - 1], K - 1);
                    CU_ASSERT(moved(perm, K) > K / 2);
                    break;
                case PERM_REVERSE:
                    for (int64_t k = 0; k < K; k++)
                        CU_ASSERT_EQUAL(perm[k], K - 1 - k);
                    break;
                case PERM_INGROUP:
                    CU_ASSERT(within);
                    CU_ASSERT(moved(perm, K) > 0);
                    for (int64_t k = 0; k < K; k++)
                        CU_ASSERT_EQUAL(gi[k], k / g); /* the g_idx is trivial */
                    break;
                case PERM_SWAP: {
                    CU_ASSERT_EQUAL(moved(perm, K), 2);
                    int64_t a = -1;
                    for (int64_t k = 0; k < K && a < 0; k++)
                        if (perm[k] != k) a = k;
                    CU_ASSERT_EQUAL(perm[perm[a]], a);
                    CU_ASSERT(perm[a] / g != a / g); /* two different groups */
                    break;
                }
                case PERM_COUNT:
                    break;
                }
                free(count);
                free(gi);
                free(perm);
            }
}

/* Same descriptor, same permutation; another seed, another one. */
static void test_deterministic(void) {
    struct case_desc d;
    int32_t *a = family("gidx=act k=512 g=32 perm=ends seed=3", &d);
    int32_t *b = family("gidx=act k=512 g=32 perm=ends seed=3", &d);
    int32_t *c = family("gidx=act k=512 g=32 perm=ends seed=4", &d);
    CU_ASSERT(memcmp(a, b, 512 * sizeof *a) == 0);
    CU_ASSERT(memcmp(a, c, 512 * sizeof *a) != 0);
    free(a);
    free(b);
    free(c);
}

/* The generator's g_idx follows from the family, and the reference adapter
 * hands the family's permutation over (the identity too). */
static void test_adapter_hands_over_family(void) {
    static const char *const lines[] = {
        "fmt=gptq-v1 gidx=act perm=identity g=32 m=2 n=16 k=128",
        "fmt=gptq-v2 gidx=act perm=reverse g=32 m=2 n=16 k=128 zp=asym",
        "fmt=ct gidx=act perm=ingroup g=32 m=2 n=16 k=128",
        "fmt=ct gidx=act perm=swap g=32 m=2 n=16 k=128 zp=asym",
        "fmt=gptq-v1 gidx=act perm=ends g=32 m=2 n=16 k=128",
        "fmt=gptq-v1 gidx=act g=32 m=2 n=16 k=128"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct case_desc d;
        int32_t *perm = family(lines[i], &d);
        struct problem p;
        struct tensor_set ts;
        memset(&ts, 0, sizeof ts);
        struct abi_tensors abi;
        char err[256];
        CU_ASSERT_FATAL(problem_generate(&d, &p, err, sizeof err) == 0);
        int32_t *gi = malloc((size_t)d.k * sizeof *gi);
        perm_to_gidx(perm, d.k, d.g, gi);
        CU_ASSERT(memcmp(gi, p.g_idx, (size_t)d.k * sizeof *gi) == 0);
        CU_ASSERT_FATAL(format_pack(&p, &ts, err, sizeof err) == 0);
        struct adapter_input ai = {.d = &d, .ckpt = &ts, .x = p.x, .bias = p.bias};
        CU_ASSERT_FATAL(adapter_run(&ai, &abi, err, sizeof err) == 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(abi.perm);
        CU_ASSERT(memcmp(abi.perm, perm, (size_t)d.k * sizeof *perm) == 0);
        abi_tensors_free(&abi);
        tensor_set_free(&ts);
        problem_free(&p);
        free(gi);
        free(perm);
    }
    /* a trivial g_idx still needs no permutation */
    struct case_desc d = parse("fmt=gptq-v1 gidx=trivial g=32 m=2 n=16 k=128");
    struct problem p;
    struct tensor_set ts;
    memset(&ts, 0, sizeof ts);
    struct abi_tensors abi;
    char err[256];
    CU_ASSERT_FATAL(problem_generate(&d, &p, err, sizeof err) == 0);
    CU_ASSERT_FATAL(format_pack(&p, &ts, err, sizeof err) == 0);
    struct adapter_input ai = {.d = &d, .ckpt = &ts, .x = p.x, .bias = p.bias};
    CU_ASSERT_FATAL(adapter_run(&ai, &abi, err, sizeof err) == 0);
    CU_ASSERT_PTR_NULL(abi.perm);
    abi_tensors_free(&abi);
    tensor_set_free(&ts);
    problem_free(&p);
}

int register_perm_suite(void) {
    GH_ADD_SUITE(s, "perm");
    GH_ADD_TEST(s, test_families);
    GH_ADD_TEST(s, test_deterministic);
    GH_ADD_TEST(s, test_adapter_hands_over_family);
    return 0;
}

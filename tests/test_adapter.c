/* test_adapter.c - loader adapters on the CPU: the reference adapter's ABI
 * tensors, read exactly as the contract says (abi_reference), reproduce the
 * logical reference bit for bit for every format and variant, shards
 * included; the vllm-xpu emulation's documented moves; the vllm-xpu-awq and
 * xpu-kernels routes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/abi.h"
#include "adapters/adapter.h"
#include "cases/perm.h"
#include "formats/formats.h"
#include "cases/problem.h"
#include "reference/refgemm.h"
#include "suites.h"

/* Runs the case's adapter; returns 0 when the ABI is valid and its
 * reference equals the logical one exactly (exact mode), 1 when it differs,
 * 2 when the contract is violated, -1 on adapter error. */
static int adapter_vs_logical(const char *line) {
    struct case_desc d;
    struct problem p;
    struct tensor_set ts;
    struct abi_tensors abi;
    char err[512];
    memset(&ts, 0, sizeof ts);
    if (desc_parse(line, &d, err, sizeof err) != 0) return -1;
    if (problem_generate(&d, &p, err, sizeof err) != 0) return -1;
    int rc = -1;
    double *y = malloc((size_t)(p.M * p.N) * sizeof *y);
    double *ya = malloc((size_t)(p.M * p.N) * sizeof *ya);
    struct ref_input ri = problem_ref_input(&p, 1);
    struct adapter_input ai = {.d = &d, .ckpt = &ts, .x = p.x, .bias = p.bias};
    if (!y || !ya || ref_gemm(&ri, y, NULL) != 0 || format_pack(&p, &ts, err, sizeof err) != 0)
        goto out;
    if (adapter_run(&ai, &abi, err, sizeof err) != 0) goto out;
    if (abi_check(&abi, err, sizeof err) != 0) {
        rc = 2;
    } else {
        rc = abi_reference(&abi, ya) != 0 ? -1 : 0;
        for (int64_t i = 0; rc == 0 && i < p.M * p.N; i++)
            if (ya[i] != y[i]) rc = 1;
    }
    abi_tensors_free(&abi);
out:
    free(y);
    free(ya);
    tensor_set_free(&ts);
    problem_free(&p);
    return rc;
}

static const char *FMTS[] = {"gptq-v1", "gptq-v2", "ct", "awq"};
static const char *ZPS[] = {"sym", "asym"};
static const char *GIDX[] = {"none", "trivial", "act"};
static const char *GS[] = {"32", "64", "128", "-1"};

static void test_reference_all_variants(void) {
    int n = 0;
    for (int f = 0; f < 4; f++)
        for (int z = 0; z < 2; z++)
            for (int gi = 0; gi < 3; gi++)
                for (int g = 0; g < 4; g++) {
                    if ((f == 3 && gi) || (g == 3 && gi == 2)) continue;
                    char line[256];
                    snprintf(line, sizeof line,
                             "fmt=%s zp=%s gidx=%s g=%s m=3 n=24 k=256 bias=%d dt=%s seed=%d",
                             FMTS[f], ZPS[z], GIDX[gi], GS[g], n & 1, (n & 2) ? "bf16" : "f16",
                             n + 1);
                    int rc = adapter_vs_logical(line);
                    if (rc != 0)
                        fprintf(stderr, "\n  reference adapter wrong (%d): %s\n", rc, line);
                    CU_ASSERT_EQUAL(rc, 0);
                    n++;
                }
    CU_ASSERT_EQUAL(n, 74); /* 3 formats x 2 zp x 11 (gidx, g) + awq 2 x 4 */
}

/* vllm-xpu at the ABI level: the moves docs/adapters.md describes. */
static void test_vllm_xpu_moves(void) {
    /* compressed-tensors, no act-order: right, asymmetric too */
    CU_ASSERT_EQUAL(adapter_vs_logical("fmt=ct adapter=vllm-xpu zp=asym g=32 m=2 n=24 k=128"), 0);
    CU_ASSERT_EQUAL(adapter_vs_logical("fmt=ct adapter=vllm-xpu zp=sym g=64 m=2 n=24 k=128"), 0);
    /* symmetric GPTQ without act-order: right */
    CU_ASSERT_EQUAL(adapter_vs_logical("fmt=gptq-v1 adapter=vllm-xpu g=32 m=2 n=24 k=128"), 0);
    CU_ASSERT_EQUAL(
        adapter_vs_logical("fmt=gptq-v2 adapter=vllm-xpu gidx=trivial g=64 m=2 n=24 k=128"), 0);
    /* group_size -1 passed through: contract violated */
    CU_ASSERT_EQUAL(adapter_vs_logical("fmt=ct adapter=vllm-xpu g=-1 m=2 n=24 k=128"), 2);
    /* act-order: group ids handed over as a permutation -> wrong (or invalid) */
    CU_ASSERT_NOT_EQUAL(adapter_vs_logical("fmt=ct adapter=vllm-xpu gidx=act g=32 m=2 n=24 k=128"),
                        0);
    /* asymmetric GPTQ (hypothetical route): transposed zeros and the v1 offset */
    CU_ASSERT_EQUAL(adapter_vs_logical("fmt=gptq-v1 adapter=vllm-xpu zp=asym g=32 m=2 n=24 k=128"),
                    1);
    CU_ASSERT_EQUAL(adapter_vs_logical("fmt=gptq-v2 adapter=vllm-xpu zp=asym g=32 m=2 n=24 k=128"),
                    1);
    /* forcing zero points onto a symmetric v1 layer reads the stored 7s as is */
    CU_ASSERT_EQUAL(
        adapter_vs_logical("fmt=gptq-v1 adapter=vllm-xpu zproute=zp g=32 m=2 n=24 k=128"), 1);
    /* a layer said to have zero points whose checkpoint has none: adapter error */
    CU_ASSERT_EQUAL(adapter_vs_logical("fmt=ct adapter=vllm-xpu zproute=zp g=32 m=2 n=24 k=128"),
                    -1);
}

static void test_helpers(void) {
    int32_t g[8] = {1, 0, 1, 0, 2, 2, 0, 1}, perm[8];
    CU_ASSERT_FATAL(perm_argsort_groups(g, 8, 3, perm) == 0);
    int32_t want[8] = {1, 3, 6, 0, 2, 7, 4, 5}; /* stable */
    CU_ASSERT(memcmp(perm, want, sizeof want) == 0);
    int32_t bad[2] = {0, 5};
    CU_ASSERT(perm_argsort_groups(bad, 2, 3, perm) != 0);
    uint32_t m[6] = {1, 2, 3, 4, 5, 6}, t[6];
    adapter_transpose(t, m, 2, 3, 4); /* [[1,2,3],[4,5,6]] -> [[1,4],[2,5],[3,6]] */
    uint32_t wt[6] = {1, 4, 2, 5, 3, 6};
    CU_ASSERT(memcmp(t, wt, sizeof wt) == 0);
}

/* The reference adapter on tensor-parallel shards: right for every format,
 * row and column, act-order included (an act-order row shard's uneven groups
 * go to the kernel as one group per row). */
static void test_reference_shards(void) {
    static const char *const lines[] = {
        "fmt=gptq-v1 zp=asym gidx=act g=32 m=3 n=24 k=128 tp=row:1/4",
        "fmt=gptq-v2 zp=sym gidx=act g=32 m=3 n=24 k=256 tp=row:0/2 bias=1",
        "fmt=ct zp=asym gidx=act g=64 m=2 n=16 k=256 tp=row:1/2",
        "fmt=ct zp=asym gidx=act g=32 m=2 n=16 k=128 tp=col:1/2",
        "fmt=awq zp=asym g=32 m=2 n=16 k=128 tp=row:2/4",
        "fmt=awq zp=asym g=-1 m=2 n=16 k=128 tp=col:3/4",
        "fmt=gptq-v1 zp=asym g=-1 m=2 n=16 k=128 tp=row:1/2 v1zp=word",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        int rc = adapter_vs_logical(lines[i]);
        if (rc != 0) fprintf(stderr, "\n  reference adapter wrong (%d): %s\n", rc, lines[i]);
        CU_ASSERT_EQUAL(rc, 0);
    }
}

/* The engine routes added for issue 16, against the logical reference. */
static void test_engine_routes(void) {
    static const struct {
        const char *line;
        int want; /* adapter_vs_logical: 0 right, 1 wrong values, 2 contract, -1 error */
    } cases[] = {
        /* vllm-xpu-awq: AWQ converted to the standard layout passes unless g=-1 */
        {"fmt=awq adapter=vllm-xpu-awq zp=asym g=32 m=2 n=24 k=128", 0},
        {"fmt=awq adapter=vllm-xpu-awq zp=sym g=64 m=2 n=24 k=128 tp=col:1/2", 0},
        {"fmt=awq adapter=vllm-xpu-awq zp=asym g=-1 m=2 n=24 k=128", 2},
        /* xpu-kernels: + 0x11111111 is right for a whole-word v1 file only */
        {"fmt=gptq-v1 adapter=xpu-kernels zp=asym v1zp=word g=32 m=2 n=48 k=128", 0},
        {"fmt=gptq-v1 adapter=xpu-kernels zp=asym v1zp=word gidx=act g=32 m=2 n=48 k=128", 0},
        {"fmt=gptq-v1 adapter=xpu-kernels zp=asym g=32 m=2 n=48 k=128", 1},
        {"fmt=gptq-v2 adapter=xpu-kernels zp=asym g=32 m=2 n=48 k=128", 1},
        {"fmt=gptq-v2 adapter=xpu-kernels zp=sym gidx=act g=32 m=2 n=24 k=128", 0},
        {"fmt=gptq-v1 adapter=xpu-kernels zp=sym g=-1 m=2 n=24 k=128", 2},
        /* act-order: column shards keep whole groups; a row shard's groups are
         * uneven and convert_idx raises */
        {"fmt=gptq-v2 adapter=xpu-kernels zp=sym gidx=act g=32 m=2 n=24 k=128 tp=col:0/2", 0},
        {"fmt=gptq-v2 adapter=xpu-kernels zp=sym gidx=act g=32 m=2 n=24 k=128 tp=row:1/2", -1},
        {"fmt=awq adapter=xpu-kernels zp=asym g=32 m=2 n=24 k=128 tp=row:1/2", 0},
        {"fmt=awq adapter=xpu-kernels zp=asym g=-1 m=2 n=24 k=128", 2}, /* group_size K/8 */
        /* vllm-xpu on shards: right where the whole layer is */
        {"fmt=ct adapter=vllm-xpu zp=asym g=32 m=2 n=24 k=128 tp=row:1/2", 0},
        {"fmt=gptq-v2 adapter=vllm-xpu zp=sym g=32 m=2 n=24 k=128 tp=col:1/2", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = adapter_vs_logical(cases[i].line);
        if (rc != cases[i].want)
            fprintf(stderr, "\n  %s: got %d, expected %d\n", cases[i].line, rc, cases[i].want);
        CU_ASSERT_EQUAL(rc, cases[i].want);
    }
}

/* Runs line's adapter and returns its arguments (0), or -1. */
static int adapter_args(const char *line, struct abi_tensors *abi, struct tensor_set *ts,
                        struct problem *p) {
    struct case_desc d;
    char err[512];
    memset(ts, 0, sizeof *ts);
    if (desc_parse(line, &d, err, sizeof err) != 0 || problem_generate(&d, p, err, sizeof err) != 0)
        return -1;
    struct adapter_input ai = {.d = &p->d, .ckpt = ts, .x = p->x, .bias = p->bias};
    if (format_pack(p, ts, err, sizeof err) != 0 || adapter_run(&ai, abi, err, sizeof err) != 0) {
        tensor_set_free(ts);
        problem_free(p);
        return -1;
    }
    return 0;
}

/* The shape guess qweight.shape[0] != scales.shape[0] on an act-order row
 * shard with g = 8 W: K/8 rows of qweight against the layer's K W / g = K/8
 * scale rows; vllm-xpu takes the compressed-tensors branch: qweight handed
 * over as stored ([K/8][N]), scales transposed. With W = 2 it transposes. */
static void test_shape_guess_branch(void) {
    struct abi_tensors abi;
    struct tensor_set ts;
    struct problem p;
    for (int w = 2; w <= 4; w += 2) {
        char line[160];
        snprintf(line, sizeof line,
                 "fmt=gptq-v2 adapter=vllm-xpu zp=sym gidx=act g=32 m=1 n=24 k=128 tp=row:1/%d", w);
        CU_ASSERT_FATAL(adapter_args(line, &abi, &ts, &p) == 0);
        const struct tensor *qw = tensor_set_get(&ts, "qweight");
        CU_ASSERT_FATAL(qw != NULL && qw->shape[0] == 16 && qw->shape[1] == 24);
        int as_stored = !memcmp(abi.b, qw->data, tensor_nbytes(qw));
        CU_ASSERT_EQUAL(as_stored, w == 4);
        abi_tensors_free(&abi);
        tensor_set_free(&ts);
        problem_free(&p);
    }
}

/* xpu-kernels' act-order perm is convert_idx's: the stable argsort of g_idx,
 * with the weight rows gathered (the same arguments as the reference's). */
static void test_xpu_kernels_shuffle(void) {
    struct abi_tensors a, r;
    struct tensor_set ta, tr;
    struct problem pa, pr;
    CU_ASSERT_FATAL(adapter_args("fmt=gptq-v2 adapter=xpu-kernels zp=sym gidx=act g=32 m=1 n=16 "
                                 "k=128 seed=3",
                                 &a, &ta, &pa) == 0);
    CU_ASSERT_FATAL(
        adapter_args("fmt=gptq-v2 zp=sym gidx=act g=32 m=1 n=16 k=128 seed=3", &r, &tr, &pr) == 0);
    CU_ASSERT_FATAL(a.perm != NULL && r.perm != NULL);
    CU_ASSERT(!memcmp(a.perm, r.perm, 128 * sizeof *a.perm));
    CU_ASSERT(!memcmp(a.b, r.b, (size_t)r.b_words * sizeof *r.b));
    CU_ASSERT(a.zp == NULL && a.zp_scalar == 8);
    abi_tensors_free(&a);
    abi_tensors_free(&r);
    tensor_set_free(&ta);
    tensor_set_free(&tr);
    problem_free(&pa);
    problem_free(&pr);
}

int register_adapter_suite(void) {
    GH_ADD_SUITE(s, "adapter");
    GH_ADD_TEST(s, test_helpers);
    GH_ADD_TEST(s, test_reference_all_variants);
    GH_ADD_TEST(s, test_vllm_xpu_moves);
    GH_ADD_TEST(s, test_reference_shards);
    GH_ADD_TEST(s, test_engine_routes);
    GH_ADD_TEST(s, test_shape_guess_branch);
    GH_ADD_TEST(s, test_xpu_kernels_shuffle);
    return 0;
}

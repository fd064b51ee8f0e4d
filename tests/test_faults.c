/* test_faults.c - the planted-fault catalogue: names, applicability, what
 * each fault does to the weights the kernel sees (checked against the
 * logical problem, independently of faults.c), robustness on any input, and
 * that the diagnosis names every fault planted end to end (on the host
 * kernel of cpu_kernel.h, exact and real data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/adapter.h"
#include "adapters/faults.h"
#include "formats/formats.h"
#include "cases/problem.h"
#include "cpu_kernel.h"
#include "suites.h"

/* One applicable case per catalogued fault. */
static const struct {
    const char *fault, *line;
} CASES[] = {
    {"zeros-transposed", "fmt=gptq-v2 zp=asym g=32 m=3 n=24 k=128"},
    {"zero-plus-one", "fmt=ct zp=asym g=32 m=3 n=24 k=128"},
    {"zero-minus-one", "fmt=gptq-v1 zp=asym g=64 m=3 n=24 k=128"},
    {"zero-word-carry", "fmt=gptq-v1 zp=asym g=32 m=3 n=24 k=128"},
    {"zero-nibble-on-word", "fmt=gptq-v1 zp=asym v1zp=word g=32 m=3 n=48 k=128"},
    {"zeros-dropped", "fmt=awq zp=asym g=32 m=3 n=24 k=128"},
    {"sym-zero-7", "fmt=gptq-v1 zp=sym g=32 m=3 n=24 k=128"},
    {"scales-transposed", "fmt=gptq-v2 g=32 m=3 n=24 k=128"},
    {"nibble-reversed", "fmt=ct g=64 m=3 n=24 k=128"},
    {"awq-interleave-ignored", "fmt=awq zp=asym g=32 m=3 n=24 k=128"},
    {"awq-as-gptq", "fmt=awq zp=sym g=32 m=3 n=24 k=128"},
    {"gidx-ignored", "fmt=gptq-v1 gidx=act g=32 m=3 n=24 k=128"},
    {"weight-wrong-axis", "fmt=gptq-v1 g=32 m=3 n=24 k=128"},
    {"weight-not-transposed", "fmt=gptq-v2 zp=asym g=-1 m=3 n=24 k=128"},
    {"group-boundary-next-row", "fmt=ct zp=asym g=32 m=3 n=24 k=128"},
    {"perm-inverse", "fmt=ct gidx=act g=32 m=3 n=24 k=128"},
    {"bias-dropped", "fmt=gptq-v2 bias=1 g=32 m=3 n=24 k=128"},
    {"gidx-as-perm", "fmt=gptq-v1 gidx=act g=32 m=3 n=24 k=128"},
    {"group-size-unnormalised", "fmt=ct g=-1 m=3 n=24 k=128"},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

/* A case with its checkpoint and the reference adapter's arguments. */
struct setup {
    struct case_desc d;
    struct problem p;
    struct tensor_set ckpt;
    struct abi_tensors abi;
};

static int setup_case(const char *line, struct setup *s) {
    char err[512];
    memset(s, 0, sizeof *s);
    if (desc_parse(line, &s->d, err, sizeof err) != 0 ||
        problem_generate(&s->d, &s->p, err, sizeof err) != 0 ||
        format_pack(&s->p, &s->ckpt, err, sizeof err) != 0) {
        fprintf(stderr, "\n  setup %s: %s\n", line, err);
        return -1;
    }
    struct adapter_input ai = {.d = &s->d, .ckpt = &s->ckpt, .x = s->p.x, .bias = s->p.bias};
    return adapter_run(&ai, &s->abi, err, sizeof err);
}

static void setup_free(struct setup *s) {
    abi_tensors_free(&s->abi);
    tensor_set_free(&s->ckpt);
    problem_free(&s->p);
}

static int plant(struct setup *s, const char *name) {
    char why[256];
    struct fault_ctx c = {.d = &s->d, .ckpt = &s->ckpt};
    const struct fault *f = fault_find(name);
    return f ? fault_apply(f, &c, &s->abi, why, sizeof why) : -2;
}

/* ---- the catalogue -------------------------------------------------------- */

static void test_catalogue(void) {
    CU_ASSERT(fault_count() >= 18);
    for (size_t i = 0; i < fault_count(); i++) {
        const struct fault *f = fault_at(i);
        CU_ASSERT_PTR_EQUAL(fault_find(fault_name(f)), f);
        CU_ASSERT(strlen(fault_description(f)) > 10);
        /* the name is a valid fault= value */
        char line[128], err[256];
        struct case_desc d;
        snprintf(line, sizeof line, "m=2 fault=%s", fault_name(f));
        CU_ASSERT_EQUAL(desc_parse(line, &d, err, sizeof err), 0);
        /* every fault has a case below */
        int covered = 0;
        for (size_t j = 0; j < NCASES; j++)
            covered |= !strcmp(CASES[j].fault, fault_name(f));
        if (!covered) fprintf(stderr, "\n  fault %s has no test case\n", fault_name(f));
        CU_ASSERT(covered);
    }
    CU_ASSERT_PTR_NULL(fault_at(fault_count()));
    CU_ASSERT_PTR_NULL(fault_find("no-such-fault"));
    CU_ASSERT_PTR_NULL(fault_find(NULL));
    char err[1024];
    CU_ASSERT_EQUAL(fault_check_name("", err, sizeof err), 0);
    CU_ASSERT_EQUAL(fault_check_name("bias-dropped", err, sizeof err), 0);
    CU_ASSERT_EQUAL(fault_check_name("bias-droped", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "'bias-droped'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "known: zeros-transposed "));
    char small[8];
    int need = fault_list_names(small, sizeof small);
    CU_ASSERT(need > (int)sizeof small);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
}

/* ---- what each fault does to the weights --------------------------------- */

/* Logical weight of (k, n) with zero z and the scale of group g, column n. */
static double wq(const struct problem *p, int q, int z, int64_t g, int64_t n) {
    return (double)(q - z) * dt_to_double(p->d.dt, p->s[g * p->N + n]);
}

static double expect_zero_shift(const struct problem *p, int64_t k, int64_t n, int shift) {
    const int64_t g = p->g_idx[k];
    return wq(p, p->q[k * p->N + n], (p->z[g * p->N + n] + shift) & 15, g, n);
}

/* The zero of (g, n) read from the [N/8][G] memory of the right [G][N/8] words. */
static double expect_zeros_transposed(const struct problem *p, int64_t k, int64_t n) {
    const int64_t g = p->g_idx[k], N8 = p->N / 8;
    const int64_t f = g * N8 + n / 8, c = f / p->G, gg = f % p->G;
    return wq(p, p->q[k * p->N + n], p->z[gg * p->N + 8 * c + n % 8], g, n);
}

static double expect_scales_transposed(const struct problem *p, int64_t k, int64_t n) {
    const int64_t g = p->g_idx[k], f = g * p->N + n;
    const int z = p->z[g * p->N + n];
    return (double)(p->q[k * p->N + n] - z) *
           dt_to_double(p->d.dt, p->s[(f % p->G) * p->N + f / p->G]);
}

static double expect_nibble_reversed(const struct problem *p, int64_t k, int64_t n) {
    const int64_t g = p->g_idx[k], src = k - k % 8 + 7 - k % 8;
    return wq(p, p->q[src * p->N + n], p->z[g * p->N + n], g, n);
}

static double expect_awq_interleave(const struct problem *p, int64_t k, int64_t n) {
    static const int order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    const int64_t g = p->g_idx[k], src = n - n % 8 + order[n % 8];
    return wq(p, p->q[k * p->N + src], p->z[g * p->N + src], g, n);
}

static double expect_next_row_group(const struct problem *p, int64_t k, int64_t n) {
    const int64_t g = ((k + 1) % p->K) / p->gs;
    return wq(p, p->q[k * p->N + n], p->z[g * p->N + n], g, n);
}

static double expect_sequential(const struct problem *p, int64_t k, int64_t n) {
    const int64_t g = k / p->gs;
    return wq(p, p->q[k * p->N + n], p->z[g * p->N + n], g, n);
}

/* Kernel word (n, j) taken from flat index f = n*K/8 + j of another layout. */
static double expect_not_transposed(const struct problem *p, int64_t k, int64_t n) {
    const int64_t f = n * (p->K / 8) + k / 8, row = 8 * (f / p->N) + k % 8, col = f % p->N;
    const int64_t g = p->g_idx[k];
    return wq(p, p->q[row * p->N + col], p->z[g * p->N + n], g, n);
}

static double expect_wrong_axis(const struct problem *p, int64_t k, int64_t n) {
    const int64_t N8 = p->N / 8, f = n * (p->K / 8) + k / 8;
    const int64_t row = f / N8, col = 8 * (f % N8) + k % 8, g = p->g_idx[k];
    return wq(p, p->q[row * p->N + col], p->z[g * p->N + n], g, n);
}

static double expect_sym7(const struct problem *p, int64_t k, int64_t n) {
    const int64_t g = p->g_idx[k];
    return wq(p, p->q[k * p->N + n], 7, g, n);
}

static double expect_zero8(const struct problem *p, int64_t k, int64_t n) {
    const int64_t g = p->g_idx[k];
    return wq(p, p->q[k * p->N + n], 8, g, n);
}

static double plus_one(const struct problem *p, int64_t k, int64_t n) {
    return expect_zero_shift(p, k, n, 1);
}

static double minus_one(const struct problem *p, int64_t k, int64_t n) {
    return expect_zero_shift(p, k, n, 15);
}

/* Plants fault in the case of line and compares every weight the kernel
 * would see with expect(). Returns the number of differing weights. */
static int64_t weights_differ(const char *line, const char *fault,
                              double (*expect)(const struct problem *, int64_t, int64_t)) {
    struct setup s;
    int64_t bad = -1;
    if (setup_case(line, &s) != 0 || plant(&s, fault) != 0) goto out;
    double *w = malloc((size_t)(s.p.K * s.p.N) * sizeof *w);
    if (w && abi_dequant_logical(&s.abi, w) == 0) {
        bad = 0;
        for (int64_t k = 0; k < s.p.K; k++)
            for (int64_t n = 0; n < s.p.N; n++)
                bad += w[k * s.p.N + n] != expect(&s.p, k, n);
    }
    free(w);
out:
    setup_free(&s);
    if (bad != 0)
        fprintf(stderr, "\n  %s on '%s': %lld weights differ\n", fault, line, (long long)bad);
    return bad;
}

static void test_effect_on_weights(void) {
    CU_ASSERT_EQUAL(weights_differ("fmt=gptq-v2 zp=asym g=32 m=1 n=24 k=128", "zeros-transposed",
                                   expect_zeros_transposed),
                    0);
    CU_ASSERT_EQUAL(
        weights_differ("fmt=ct zp=asym g=32 m=1 n=24 k=128 gidx=act", "zero-plus-one", plus_one),
        0);
    CU_ASSERT_EQUAL(
        weights_differ("fmt=gptq-v1 zp=asym g=64 m=1 n=16 k=128", "zero-minus-one", minus_one), 0);
    CU_ASSERT_EQUAL(
        weights_differ("fmt=gptq-v1 zp=sym g=32 m=1 n=16 k=128", "sym-zero-7", expect_sym7), 0);
    CU_ASSERT_EQUAL(
        weights_differ("fmt=awq zp=asym g=32 m=1 n=16 k=128", "zeros-dropped", expect_zero8), 0);
    CU_ASSERT_EQUAL(weights_differ("fmt=ct zp=asym g=32 m=1 n=24 k=128", "scales-transposed",
                                   expect_scales_transposed),
                    0);
    CU_ASSERT_EQUAL(weights_differ("fmt=gptq-v1 zp=asym g=32 m=1 n=24 k=128", "nibble-reversed",
                                   expect_nibble_reversed),
                    0);
    CU_ASSERT_EQUAL(weights_differ("fmt=awq zp=asym g=32 m=1 n=24 k=128", "awq-interleave-ignored",
                                   expect_awq_interleave),
                    0);
    CU_ASSERT_EQUAL(weights_differ("fmt=gptq-v2 zp=asym g=32 m=1 n=24 k=128",
                                   "group-boundary-next-row", expect_next_row_group),
                    0);
    CU_ASSERT_EQUAL(weights_differ("fmt=gptq-v1 zp=asym g=32 m=1 n=24 k=128 gidx=act",
                                   "gidx-ignored", expect_sequential),
                    0);
    CU_ASSERT_EQUAL(weights_differ("fmt=gptq-v2 zp=asym g=32 m=1 n=24 k=128",
                                   "weight-not-transposed", expect_not_transposed),
                    0);
    CU_ASSERT_EQUAL(weights_differ("fmt=ct zp=asym g=32 m=1 n=24 k=128", "weight-wrong-axis",
                                   expect_wrong_axis),
                    0);
}

/* The faults whose effect is not a weight formula: checked on the arguments. */
static void test_effect_on_arguments(void) {
    struct setup s;
    /* gidx-as-perm: perm = the stored group ids, weights in checkpoint order */
    CU_ASSERT_FATAL(setup_case("fmt=gptq-v1 gidx=act g=32 m=1 n=16 k=128", &s) == 0);
    CU_ASSERT_EQUAL(plant(&s, "gidx-as-perm"), 0);
    CU_ASSERT(s.abi.perm && !memcmp(s.abi.perm, s.p.g_idx, (size_t)s.p.K * sizeof(int32_t)));
    setup_free(&s);
    /* perm-inverse: perm'[perm[k]] = k */
    CU_ASSERT_FATAL(setup_case("fmt=ct gidx=act g=32 m=1 n=16 k=128", &s) == 0);
    int32_t *right = malloc((size_t)s.p.K * sizeof *right);
    CU_ASSERT_FATAL(right != NULL);
    memcpy(right, s.abi.perm, (size_t)s.p.K * sizeof *right);
    CU_ASSERT_EQUAL(plant(&s, "perm-inverse"), 0);
    int ok = 1;
    for (int64_t k = 0; k < s.p.K; k++)
        ok &= s.abi.perm[right[k]] == k;
    CU_ASSERT(ok);
    free(right);
    setup_free(&s);
    /* group-size-unnormalised, bias-dropped */
    CU_ASSERT_FATAL(setup_case("fmt=ct g=-1 bias=1 m=1 n=16 k=128", &s) == 0);
    CU_ASSERT_EQUAL(s.abi.group_size, 128);
    CU_ASSERT_EQUAL(plant(&s, "bias-dropped"), 0);
    CU_ASSERT_PTR_NULL(s.abi.bias);
    CU_ASSERT_EQUAL(plant(&s, "group-size-unnormalised"), 0);
    CU_ASSERT_EQUAL(s.abi.group_size, -1);
    setup_free(&s);
    /* zero-word-carry: the stored word plus 0x11111111, carries included */
    CU_ASSERT_FATAL(setup_case("fmt=gptq-v1 zp=asym g=32 m=1 n=24 k=128", &s) == 0);
    const struct tensor *qz = tensor_set_get(&s.ckpt, "qzeros");
    CU_ASSERT_FATAL(qz != NULL);
    CU_ASSERT_EQUAL(plant(&s, "zero-word-carry"), 0);
    ok = 1;
    for (int64_t i = 0; i < s.abi.zp_words; i++) {
        uint32_t stored;
        memcpy(&stored, (const char *)qz->data + 4 * i, 4);
        ok &= s.abi.zp[i] == stored + 0x11111111u;
    }
    CU_ASSERT(ok);
    setup_free(&s);
    /* zero-nibble-on-word: a whole-word file's stored words read per nibble,
     * (nibble + 1) & 0xF; some zero point differs from the right one (a Z of 0
     * borrowed); on a per-nibble file the fault changes nothing */
    CU_ASSERT_FATAL(setup_case("fmt=gptq-v1 zp=asym v1zp=word g=32 m=1 n=48 k=128", &s) == 0);
    qz = tensor_set_get(&s.ckpt, "qzeros");
    CU_ASSERT_FATAL(qz != NULL);
    uint32_t *right_zp = malloc((size_t)s.abi.zp_words * 4);
    CU_ASSERT_FATAL(right_zp != NULL);
    memcpy(right_zp, s.abi.zp, (size_t)s.abi.zp_words * 4);
    CU_ASSERT_EQUAL(plant(&s, "zero-nibble-on-word"), 0);
    ok = 1;
    int differs = 0;
    for (int64_t i = 0; i < s.abi.zp_words; i++) {
        uint32_t stored, want = 0;
        memcpy(&stored, (const char *)qz->data + 4 * i, 4);
        for (int j = 0; j < 8; j++)
            want |= (((stored >> (4 * j)) + 1u) & 0xFu) << (4 * j);
        ok &= s.abi.zp[i] == want;
        differs |= s.abi.zp[i] != right_zp[i];
    }
    CU_ASSERT(ok);
    CU_ASSERT(differs);
    free(right_zp);
    setup_free(&s);
    CU_ASSERT_FATAL(setup_case("fmt=gptq-v1 zp=asym g=32 m=1 n=48 k=128", &s) == 0);
    CU_ASSERT_EQUAL(plant(&s, "zero-nibble-on-word"), 1);
    setup_free(&s);
    /* awq-as-gptq: b is the transpose of AWQ's qweight [K][N/8] */
    CU_ASSERT_FATAL(setup_case("fmt=awq g=32 m=1 n=16 k=128", &s) == 0);
    CU_ASSERT_EQUAL(plant(&s, "awq-as-gptq"), 0);
    const struct tensor *qw = tensor_set_get(&s.ckpt, "qweight");
    ok = qw != NULL;
    for (int64_t k = 0; ok && k < s.p.K; k++)
        for (int64_t c = 0; c < s.p.N / 8; c++) {
            uint32_t word;
            memcpy(&word, (const char *)qw->data + 4 * (k * (s.p.N / 8) + c), 4);
            ok &= s.abi.b[c * s.p.K + k] == word;
        }
    CU_ASSERT(ok);
    setup_free(&s);
}

/* ---- applicability --------------------------------------------------------- */

static void expect_not_applicable(const char *line, const char *want) {
    struct case_result r;
    CU_ASSERT_FATAL(cpu_run_line(line, CPU_RIGHT, 1, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_SKIPPED);
    CU_ASSERT_EQUAL(r.fault_not_applicable, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, want));
    if (!strstr(r.reason, want))
        fprintf(stderr, "\n  %s: reason '%s' lacks '%s'\n", line, r.reason, want);
    case_result_free(&r);
}

static void test_not_applicable(void) {
    expect_not_applicable("fmt=gptq-v1 m=2 n=16 k=128 fault=awq-interleave-ignored",
                          "needs fmt=awq");
    expect_not_applicable("fmt=ct zp=asym g=-1 m=2 n=16 k=128 fault=zeros-transposed",
                          "needs more than one group");
    expect_not_applicable("fmt=ct zp=asym g=32 m=2 n=8 k=128 fault=zeros-transposed",
                          "changes nothing");
    expect_not_applicable("fmt=ct gidx=trivial g=32 m=2 n=16 k=128 fault=gidx-ignored",
                          "needs gidx=act");
    expect_not_applicable("fmt=ct m=2 n=16 k=128 fault=bias-dropped", "needs bias=1");
    expect_not_applicable("fmt=gptq-v1 zp=asym m=2 n=16 k=128 fault=sym-zero-7", "needs zp=sym");
    expect_not_applicable("fmt=gptq-v1 zp=asym m=2 n=16 k=128 fault=zero-plus-one", "not gptq-v1");
    expect_not_applicable("fmt=gptq-v1 adapter=vllm-xpu m=2 n=16 k=128 fault=nibble-reversed",
                          "adapter=reference only");
    /* an unknown name reaching the runner is an ERROR, not a crash */
    struct case_result r;
    CU_ASSERT_FATAL(cpu_run_line("m=2 n=16 k=128 fault=not-a-fault", CPU_RIGHT, 1, &r) == 0);
    CU_ASSERT_EQUAL(r.verdict, V_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "unknown fault"));
    case_result_free(&r);
}

/* Any fault on any arguments, alone or after another: no crash, and invalid
 * starting arguments are refused. */
static void test_robust(void) {
    static const char *lines[] = {
        "fmt=gptq-v1 zp=asym gidx=act g=32 bias=1 m=2 n=24 k=128",
        "fmt=awq zp=asym g=-1 m=2 n=8 k=64",
        "fmt=ct zp=sym gidx=trivial g=64 m=1 n=16 k=128",
        "fmt=gptq-v2 zp=asym g=128 m=1 n=8 k=128",
    };
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++)
        for (size_t i = 0; i < fault_count(); i++)
            for (size_t j = 0; j <= fault_count(); j++) {
                struct setup s;
                CU_ASSERT_FATAL(setup_case(lines[l], &s) == 0);
                int rc1 = plant(&s, fault_name(fault_at(i)));
                CU_ASSERT(rc1 == 0 || rc1 == 1);
                if (j < fault_count()) {
                    int rc2 = plant(&s, fault_name(fault_at(j)));
                    CU_ASSERT(rc2 == 0 || rc2 == 1);
                }
                setup_free(&s);
            }
    struct setup s;
    CU_ASSERT_FATAL(setup_case("fmt=ct zp=asym g=32 m=1 n=16 k=128", &s) == 0);
    s.abi.group_size = -1; /* arguments that break the contract already */
    for (size_t i = 0; i < fault_count(); i++)
        CU_ASSERT_EQUAL(plant(&s, fault_name(fault_at(i))), 1);
    setup_free(&s);
}

/* ---- planted end to end: caught, and named by the diagnosis ---------------- */

static void test_caught_and_named(void) {
    for (size_t i = 0; i < NCASES; i++)
        for (int real = 0; real < 2; real++) {
            /* real-mode zero points are round(-min/s) > 0: no stored 0xF to carry */
            if (real && !strncmp(CASES[i].fault, "zero-", 5) && strstr(CASES[i].fault, "word"))
                continue;
            char line[256];
            snprintf(line, sizeof line, "%s data=%s fault=%s", CASES[i].line,
                     real ? "real" : "exact", CASES[i].fault);
            struct case_result r;
            CU_ASSERT_FATAL(cpu_run_line(line, CPU_RIGHT, 1, &r) == 0);
            char want[96];
            snprintf(want, sizeof want, "explained by fault %s (", CASES[i].fault);
            int named = strstr(r.diagnosis, want) != NULL;
            CU_ASSERT_EQUAL(r.verdict, V_FAILED);
            CU_ASSERT_PTR_NOT_NULL(strstr(r.where, "adapter wrong"));
            CU_ASSERT(named);
            if (r.verdict != V_FAILED || !named)
                fprintf(stderr, "\n  %s: %s / %s\n  diagnosis: %s\n", line, verdict_name(r.verdict),
                        r.reason, r.diagnosis);
            /* explained_by holds the name as a whole token */
            char tok[96];
            snprintf(tok, sizeof tok, " %s ", CASES[i].fault);
            char padded[RESULT_EXPLAINED_MAX + 2];
            snprintf(padded, sizeof padded, " %s ", r.explained_by);
            CU_ASSERT_PTR_NOT_NULL(strstr(padded, tok));
            case_result_free(&r);
        }
}

/* The clean path on the host kernel passes: the faults are what fails. */
static void test_clean_passes(void) {
    for (size_t i = 0; i < NCASES; i++) {
        struct case_result r;
        CU_ASSERT_FATAL(cpu_run_line(CASES[i].line, CPU_RIGHT, 1, &r) == 0);
        CU_ASSERT_EQUAL(r.verdict, V_PASSED);
        CU_ASSERT_STRING_EQUAL(r.diagnosis, "");
        case_result_free(&r);
    }
}

int register_faults_suite(void) {
    GH_ADD_SUITE(s, "faults");
    GH_ADD_TEST(s, test_catalogue);
    GH_ADD_TEST(s, test_effect_on_weights);
    GH_ADD_TEST(s, test_effect_on_arguments);
    GH_ADD_TEST(s, test_not_applicable);
    GH_ADD_TEST(s, test_robust);
    GH_ADD_TEST(s, test_clean_passes);
    GH_ADD_TEST(s, test_caught_and_named);
    return 0;
}

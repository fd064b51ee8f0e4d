/* test_fixture.c - fixtures: write/read round trips, what fixture_read
 * refuses, file names, problems rebuilt from packed tensors, run_input (the
 * runner on a given problem: stored tensors used, stored y_ref enforced), and
 * the --save-failures / --save-all hook. No device: a CPU kernel stands in. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <CUnit/CUnit.h>

#include "results/fixture.h"
#include "formats/formats.h"
#include "formats/problem_load.h"
#include "formats/safetensors.h"
#include "results/saver.h"
#include "util/version.h"
#include "reference/refgemm.h"
#include "suites.h"
#include "testutil.h"

static const char *CASES[] = {
    "fmt=gptq-v1 m=3 n=24 k=64 g=32 zp=asym gidx=act dt=f16 data=exact bias=1 seed=3",
    "fmt=gptq-v2 m=2 n=16 k=128 g=-1 zp=sym gidx=none dt=bf16 data=real seed=4",
    "fmt=ct m=1 n=40 k=64 g=32 zp=sym gidx=trivial dt=f16 data=real seed=5",
    "fmt=ct m=5 n=8 k=64 g=16 zp=asym gidx=act dt=bf16 data=exact seed=6",
    "fmt=awq adapter=vllm-xpu m=2 n=32 k=64 g=32 zp=asym dt=f16 data=exact bias=1 seed=7",
};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))

/* A generated case: problem, packed checkpoint, reference. */
struct gcase {
    struct case_desc d;
    struct problem p;
    struct tensor_set ckpt;
    double *y;
    uint16_t *ydev;
};

static void gcase_make(struct gcase *g, const char *line) {
    char err[512];
    memset(g, 0, sizeof *g);
    CU_ASSERT_EQUAL_FATAL(desc_parse(line, &g->d, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(problem_generate(&g->d, &g->p, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(format_pack(&g->p, &g->ckpt, err, sizeof err), 0);
    int64_t mn = g->p.M * g->p.N;
    g->y = malloc((size_t)mn * sizeof *g->y);
    g->ydev = malloc((size_t)mn * sizeof *g->ydev);
    CU_ASSERT_FATAL(g->y && g->ydev);
    struct ref_input ri = problem_ref_input(&g->p, 1);
    CU_ASSERT_EQUAL_FATAL(ref_gemm(&ri, g->y, NULL), 0);
    ref_round(g->d.dt, g->y, g->ydev, mn);
    g->ydev[0] ^= 1; /* a recorded device output that is not the reference */
}

static void gcase_free(struct gcase *g) {
    problem_free(&g->p);
    tensor_set_free(&g->ckpt);
    free(g->y);
    free(g->ydev);
}

static int write_gcase(const struct gcase *g, const char *path, const uint16_t *x,
                       const double *y) {
    char err[512];
    struct fixture_case c = {&g->d,         &g->ckpt, x ? x : g->p.x,    g->p.bias,
                             y ? y : g->y,  g->ydev,  "FAILED",          "because",
                             "test device", "k.cl",   "0123456789abcdef"};
    int rc = fixture_write(path, &c, err, sizeof err);
    if (rc != 0) fprintf(stderr, "\n  fixture_write: %s\n", err);
    return rc;
}

static void test_roundtrip(void) {
    char path[256], err[512];
    tu_tmp(path, sizeof path, "fx.safetensors.gz");
    for (int i = 0; i < NCASES; i++) {
        struct gcase g;
        gcase_make(&g, CASES[i]);
        CU_ASSERT_EQUAL_FATAL(write_gcase(&g, path, NULL, NULL), 0);
        struct fixture fx;
        CU_ASSERT_EQUAL_FATAL(fixture_read(path, 0, &fx, err, sizeof err), 0);
        CU_ASSERT(desc_equal(&fx.d, &g.d));
        CU_ASSERT_EQUAL(fx.ckpt.n, g.ckpt.n);
        for (int t = 0; t < g.ckpt.n; t++) {
            const struct tensor *a = &g.ckpt.t[t], *b = tensor_set_get(&fx.ckpt, a->name);
            CU_ASSERT_FATAL(b != NULL);
            CU_ASSERT_EQUAL(a->dtype, b->dtype);
            CU_ASSERT_EQUAL(a->shape[0], b->shape[0]);
            CU_ASSERT_EQUAL(memcmp(a->data, b->data, tensor_nbytes(a)), 0);
        }
        int64_t mk = g.p.M * g.p.K, mn = g.p.M * g.p.N;
        CU_ASSERT_EQUAL(memcmp(fx.x, g.p.x, (size_t)mk * 2), 0);
        CU_ASSERT_EQUAL(memcmp(fx.yref, g.y, (size_t)mn * 8), 0);
        CU_ASSERT_EQUAL(memcmp(fx.ydev, g.ydev, (size_t)mn * 2), 0);
        CU_ASSERT_EQUAL(!fx.bias, !g.d.bias);
        if (g.d.bias) CU_ASSERT_EQUAL(memcmp(fx.bias, g.p.bias, (size_t)g.p.N * 2), 0);
        CU_ASSERT_STRING_EQUAL(fx.verdict, "FAILED");
        CU_ASSERT_STRING_EQUAL(fx.device, "test device");
        CU_ASSERT_STRING_EQUAL(fx.kernel_hash, "0123456789abcdef");
        CU_ASSERT_STRING_EQUAL(fx.version, GH_VERSION);
        fixture_free(&fx);
        gcase_free(&g);
    }
    unlink(path);
}

/* Writes a safetensors file of the tensors of g with changes, and checks
 * that fixture_read refuses it with a message containing want. */
static void expect_refused(const struct st_wtensor *w, size_t n, const struct st_meta *m, size_t nm,
                           const char *want) {
    char path[256], err[512] = "";
    tu_tmp(path, sizeof path, "bad.safetensors");
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, w, n, m, nm, err, sizeof err), 0);
    struct fixture fx;
    CU_ASSERT_EQUAL(fixture_read(path, 0, &fx, err, sizeof err), -1);
    if (!strstr(err, want)) fprintf(stderr, "\n  fixture_read: '%s' (want '%s')\n", err, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    CU_ASSERT_EQUAL(fx.ckpt.n + fx.io.n, 0);
    unlink(path);
}

static void test_refused(void) {
    struct gcase g;
    gcase_make(&g, CASES[0]); /* gptq-v1 m=3 n=24 k=64 bias=1 */
    struct st_wtensor w[10];
    size_t n = 0;
    for (int t = 0; t < g.ckpt.n; t++)
        w[n++] = st_wtensor_of(&g.ckpt.t[t]);
    w[n++] = (struct st_wtensor){"x", ST_F16, 2, {3, 64}, g.p.x};
    w[n++] = (struct st_wtensor){"bias", ST_F16, 1, {24}, g.p.bias};
    w[n++] = (struct st_wtensor){"y_ref", ST_F64, 2, {3, 24}, g.y};
    char line[256];
    desc_print(&g.d, line, sizeof line);
    struct st_meta m[2] = {{"format", FIXTURE_FORMAT}, {"descriptor", line}};
    expect_refused(w, n, m, 0, "not a gptq-harness fixture");
    expect_refused(w, n, m, 1, "no descriptor");
    struct st_meta bad[2] = {{"format", FIXTURE_FORMAT}, {"descriptor", "fmt=gptq-v1 n=20"}};
    expect_refused(w, n, bad, 2, "descriptor is invalid");
    w[n] = (struct st_wtensor){"extra", ST_F16, 1, {24}, g.p.bias};
    expect_refused(w, n + 1, m, 2, "'extra'");
    w[n - 3].shape[1] = 32; /* x [3][32] with k=64 */
    expect_refused(w, n, m, 2, "'x'");
    w[n - 3].shape[1] = 64;
    w[n - 1].dtype = ST_F32; /* y_ref F32 [3][24]: 288 bytes of the 576 given */
    w[n - 1].shape[1] = 48;
    expect_refused(w, n, m, 2, "'y_ref'");
    expect_refused(w, n - 1, m, 2, "no tensor 'y_ref'");
    w[n - 1] = (struct st_wtensor){"y_ref", ST_F64, 2, {3, 24}, g.y};
    w[n - 2] = w[n - 1]; /* no bias although bias=1 */
    expect_refused(w, n - 1, m, 2, "no tensor 'bias'");
    gcase_free(&g);
}

static void test_names(void) {
    struct case_desc d;
    char err[256], a[512], b[512], dir[256];
    CU_ASSERT_EQUAL_FATAL(desc_parse("fmt=gptq-v1 g=-1 m=1 n=8 k=64", &d, err, sizeof err), 0);
    tu_tmp(dir, sizeof dir, "names");
    struct saver sv;
    CU_ASSERT_EQUAL_FATAL(saver_init(&sv, dir, 0, err, sizeof err), 0); /* creates dir */
    CU_ASSERT_EQUAL_FATAL(fixture_name(dir, &d, a, sizeof a), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(a, "/fmt-gptq-v1_adapter-reference_m-1_n-8_k-64_g--1_"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a, FIXTURE_SUFFIX));
    CU_ASSERT_PTR_NULL(strchr(strrchr(a, '/'), ' '));
    CU_ASSERT_PTR_NULL(strchr(strrchr(a, '/'), '='));
    FILE *f = fopen(a, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(fixture_name(dir, &d, b, sizeof b), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "-2" FIXTURE_SUFFIX));
    CU_ASSERT_EQUAL(fixture_name(dir, &d, b, 20), -1);
    unlink(a);
    rmdir(dir);
    CU_ASSERT_EQUAL(saver_init(&sv, "/proc/version/x", 0, err, sizeof err), -1);
}

/* Unpacking every format gives back the generated problem bit for bit. */
static void test_problem_from_ckpt(void) {
    char err[512];
    for (int i = 0; i < NCASES; i++) {
        struct gcase g;
        gcase_make(&g, CASES[i]);
        struct problem p;
        CU_ASSERT_EQUAL_FATAL(
            problem_from_ckpt(&g.d, &g.ckpt, g.p.x, g.p.bias, &p, err, sizeof err), 0);
        CU_ASSERT(tu_same_problem(&p, &g.p));
        problem_free(&p);
        /* a descriptor that disagrees on g_idx is refused */
        struct case_desc d = g.d;
        d.gidx = d.gidx == GIDX_NONE ? GIDX_TRIVIAL : GIDX_NONE;
        if (d.fmt != FMT_AWQ) {
            CU_ASSERT_EQUAL(problem_from_ckpt(&d, &g.ckpt, g.p.x, g.p.bias, &p, err, sizeof err),
                            -1);
            CU_ASSERT_PTR_NOT_NULL(strstr(err, "g_idx"));
        }
        gcase_free(&g);
    }
    /* random activations: N(0,1) from the seed, deterministic */
    struct gcase g;
    gcase_make(&g, CASES[1]);
    struct problem a, b;
    CU_ASSERT_EQUAL_FATAL(problem_from_ckpt(&g.d, &g.ckpt, NULL, NULL, &a, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(problem_from_ckpt(&g.d, &g.ckpt, NULL, NULL, &b, err, sizeof err), 0);
    CU_ASSERT(tu_same_problem(&a, &b));
    CU_ASSERT(tu_same_problem(&a, &g.p)); /* data=real: the same draw as the generator */
    problem_free(&a);
    problem_free(&b);
    struct case_desc d = g.d;
    d.bias = 1;
    CU_ASSERT_EQUAL(problem_from_ckpt(&d, &g.ckpt, NULL, NULL, &a, err, sizeof err), -1);
    /* scales stored in the other 16-bit float type than the case's dt: refused, named */
    d = g.d;
    struct tensor *sc = NULL;
    for (int i = 0; i < g.ckpt.n; i++)
        if (!strcmp(g.ckpt.t[i].name, format_scale_name(d.fmt))) sc = &g.ckpt.t[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    sc->dtype = d.dt == DT_BF16 ? TD_F16 : TD_BF16;
    CU_ASSERT_EQUAL(problem_from_ckpt(&d, &g.ckpt, NULL, NULL, &a, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "but the case's dtype is"));
    gcase_free(&g);
}

static struct kernel_backend cpu_backend(int *broken) {
    struct kernel_backend kb = {.self = broken, .run = tu_cpu_kernel};
    return kb;
}

/* Runs a fixture file through run_input; returns the verdict. */
static verdict_t run_fixture(const char *path, const char *adapter, int broken, char *reason) {
    struct fixture fx;
    char err[512];
    CU_ASSERT_EQUAL_FATAL(fixture_read(path, 0, &fx, err, sizeof err), 0);
    struct case_input in;
    memset(&in, 0, sizeof in);
    struct case_desc d = fx.d;
    if (adapter && strcmp(adapter, "reference") == 0) {
        d.adapter = ADAPTER_REFERENCE;
        d.zproute = ZPROUTE_AUTO;
    }
    CU_ASSERT_EQUAL_FATAL(problem_from_ckpt(&d, &fx.ckpt, fx.x, fx.bias, &in.p, err, sizeof err),
                          0);
    in.ckpt = fx.ckpt;
    memset(&fx.ckpt, 0, sizeof fx.ckpt);
    in.yref_expect = fx.yref;
    struct run_settings s = {.threads = 1};
    struct kernel_backend kb = cpu_backend(&broken);
    struct case_result r;
    run_input(&in, &s, &kb, &r, NULL, NULL);
    CU_ASSERT_EQUAL(in.ckpt.n, 0); /* taken over */
    CU_ASSERT_PTR_NULL(in.p.x);
    if (reason) snprintf(reason, RESULT_REASON_MAX, "%s", r.reason);
    case_result_free(&r);
    fixture_free(&fx);
    return r.verdict;
}

static void test_run_input(void) {
    char path[256], reason[RESULT_REASON_MAX];
    tu_tmp(path, sizeof path, "run.safetensors.gz");
    struct gcase g;
    gcase_make(&g, CASES[0]);
    CU_ASSERT_EQUAL_FATAL(write_gcase(&g, path, NULL, NULL), 0);
    CU_ASSERT_EQUAL(run_fixture(path, NULL, 0, NULL), V_PASSED);
    CU_ASSERT_EQUAL(run_fixture(path, NULL, 3, reason), V_FAILED);
    /* The stored tensors are what runs: with other activations (and the
     * y_ref that belongs to them) the case passes; regenerating from the
     * descriptor would give the old activations and fail the y_ref check. */
    int64_t mk = g.p.M * g.p.K, mn = g.p.M * g.p.N;
    uint16_t *x2 = malloc((size_t)mk * 2);
    double *y2 = malloc((size_t)mn * 8);
    CU_ASSERT_FATAL(x2 && y2);
    for (int64_t i = 0; i < mk; i++)
        x2[i] = dt_from_double(g.d.dt, (double)((i % 7) - 3));
    struct ref_input ri = problem_ref_input(&g.p, 1);
    ri.x = x2;
    CU_ASSERT_EQUAL_FATAL(ref_gemm(&ri, y2, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(write_gcase(&g, path, x2, y2), 0);
    CU_ASSERT_EQUAL(run_fixture(path, NULL, 0, NULL), V_PASSED);
    /* A stored y_ref the reference does not reproduce: ERROR, says so. */
    y2[5] = nextafter(y2[5], 1e9);
    CU_ASSERT_EQUAL_FATAL(write_gcase(&g, path, x2, y2), 0);
    CU_ASSERT_EQUAL(run_fixture(path, NULL, 0, reason), V_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, "no longer reproduces the stored y_ref: 1 of"));
    free(x2);
    free(y2);
    gcase_free(&g);
    /* a vllm-xpu failure replays as a failure, and passes with the reference adapter */
    gcase_make(&g, "fmt=gptq-v1 adapter=vllm-xpu m=2 n=16 k=64 g=32 zp=asym seed=9");
    CU_ASSERT_EQUAL_FATAL(write_gcase(&g, path, NULL, NULL), 0);
    CU_ASSERT_EQUAL(run_fixture(path, NULL, 0, NULL), V_FAILED);
    CU_ASSERT_EQUAL(run_fixture(path, "reference", 0, NULL), V_PASSED);
    gcase_free(&g);
    unlink(path);
}

/* A loaded problem holding NaN or infinity (a damaged checkpoint) is an
 * ERROR naming the tensor and the place, not a kernel failure (no metrics:
 * nothing was compared). */
static void test_nonfinite_inputs(void) {
    const char *what[3] = {"scales[1][3]", "activations x[0][5]", "bias[0][7]"};
    const uint16_t bad[3] = {0x7E00, 0x7C00, 0xFC00}; /* nan, inf, -inf (f16) */
    const char *shown[3] = {"= nan", "= inf", "= -inf"};
    for (int i = 0; i < 3; i++) {
        char err[512];
        struct case_desc d;
        CU_ASSERT_EQUAL_FATAL(
            desc_parse("fmt=gptq-v1 m=2 n=16 k=64 g=32 zp=asym bias=1 seed=3", &d, err, sizeof err),
            0);
        struct case_input in;
        memset(&in, 0, sizeof in);
        CU_ASSERT_EQUAL_FATAL(problem_generate(&d, &in.p, err, sizeof err), 0);
        if (i == 0) in.p.s[1 * 16 + 3] = bad[i];
        if (i == 1) in.p.x[5] = bad[i];
        if (i == 2) in.p.bias[7] = bad[i];
        struct kernel_backend kb = cpu_backend(NULL);
        struct run_settings s = {.threads = 1};
        struct case_result r;
        run_input(&in, &s, &kb, &r, NULL, NULL);
        CU_ASSERT_EQUAL(r.verdict, V_ERROR);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, what[i]));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, shown[i]));
        CU_ASSERT_EQUAL(r.have_metrics, 0);
        case_result_free(&r);
    }
}

/* The saver records the kernel source's FNV-1a 64, the same value
 * results.jsonl records (FNV-1a 64 of "a" is af63dc4c8601ec8c). */
static void test_saver_kernel_hash(void) {
    char dir[256], path[300], err[512];
    tu_tmp(dir, sizeof dir, "khash");
    snprintf(path, sizeof path, "%s.cl", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("a", f);
    fclose(f);
    struct saver sv;
    CU_ASSERT_EQUAL_FATAL(saver_init(&sv, dir, 0, err, sizeof err), 0);
    saver_set_target(&sv, "cpu", path);
    CU_ASSERT_STRING_EQUAL(sv.kernel_hash, "af63dc4c8601ec8c");
    unlink(path);
    rmdir(dir);
}

/* The saver hook: failures only, or everything; the fixture replays. */
static void test_saver(void) {
    char dir[256], err[512];
    tu_tmp(dir, sizeof dir, "saved");
    const char *lines[2] = {"fmt=ct m=2 n=16 k=64 g=32 zp=asym seed=2",
                            "fmt=awq m=2 n=16 k=64 g=32 zp=asym seed=2 bias=1"};
    for (int all = 0; all < 2; all++) {
        for (int broken = 0; broken < 2; broken++) {
            struct saver sv;
            CU_ASSERT_EQUAL_FATAL(saver_init(&sv, dir, all, err, sizeof err), 0);
            saver_set_target(&sv, "cpu", "/nonexistent.cl");
            CU_ASSERT_STRING_EQUAL(sv.kernel_hash, "");
            struct case_desc d;
            CU_ASSERT_EQUAL_FATAL(desc_parse(lines[all], &d, err, sizeof err), 0);
            struct run_settings s = {.threads = 1};
            int b = broken;
            struct kernel_backend kb = cpu_backend(&b);
            struct case_result r;
            run_case(&d, &s, &kb, &r, saver_hook, &sv);
            CU_ASSERT_EQUAL(r.verdict, broken ? V_FAILED : V_PASSED);
            CU_ASSERT_EQUAL(sv.saved, all || broken);
            CU_ASSERT_EQUAL(sv.errors, 0);
            case_result_free(&r);
            if (!sv.last[0]) continue;
            CU_ASSERT_EQUAL(run_fixture(sv.last, NULL, broken, NULL), r.verdict);
            struct fixture fx;
            CU_ASSERT_EQUAL_FATAL(fixture_read(sv.last, 0, &fx, err, sizeof err), 0);
            CU_ASSERT_STRING_EQUAL(fx.verdict, broken ? "FAILED" : "PASSED");
            CU_ASSERT_PTR_NOT_NULL(fx.ydev);
            CU_ASSERT_STRING_EQUAL(fx.kernel, "/nonexistent.cl");
            fixture_free(&fx);
            unlink(sv.last);
        }
    }
    rmdir(dir);
}

/* Random byte changes in a fixture (its plain safetensors image): whatever
 * fixture_read accepts replays (CPU kernel) without crashing. */
static void test_mutated_fixture(void) {
    char path[256], plain[256], err[512];
    tu_tmp(path, sizeof path, "mut.safetensors.gz");
    tu_tmp(plain, sizeof plain, "mut.safetensors");
    struct gcase g;
    gcase_make(&g, CASES[0]);
    CU_ASSERT_EQUAL_FATAL(write_gcase(&g, path, NULL, NULL), 0);
    gcase_free(&g);
    static unsigned char img[1 << 16], mut[1 << 16];
    gzFile gz = gzopen(path, "rb");
    CU_ASSERT_FATAL(gz != NULL);
    int len = gzread(gz, img, sizeof img);
    gzclose(gz);
    unlink(path);
    CU_ASSERT_FATAL(len > 1000 && len < (int)sizeof img);
    uint64_t r = 7;
    int read_ok = 0;
    for (int it = 0; it < 300; it++) {
        memcpy(mut, img, (size_t)len);
        for (int k = 0; k < 1 + it % 3; k++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            mut[(size_t)(r >> 33) % (size_t)(it % 2 ? len : 900)] = (unsigned char)(r >> 13);
        }
        FILE *f = fopen(plain, "wb");
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT_FATAL(fwrite(mut, 1, (size_t)len, f) == (size_t)len);
        fclose(f);
        struct fixture fx;
        if (fixture_read(plain, 0, &fx, err, sizeof err) != 0) continue;
        read_ok++;
        struct case_input in;
        memset(&in, 0, sizeof in);
        if (problem_from_ckpt(&fx.d, &fx.ckpt, fx.x, fx.bias, &in.p, err, sizeof err) == 0) {
            in.ckpt = fx.ckpt;
            memset(&fx.ckpt, 0, sizeof fx.ckpt);
            in.yref_expect = fx.yref;
            struct run_settings s = {.threads = 1, .max_bytes = (int64_t)1 << 30};
            struct kernel_backend kb = cpu_backend(NULL);
            struct case_result res;
            run_input(&in, &s, &kb, &res, NULL, NULL);
            case_result_free(&res);
        }
        fixture_free(&fx);
    }
    unlink(plain);
    CU_ASSERT(read_ok > 20);
}

int register_fixture_suite(void) {
    GH_ADD_SUITE(s, "fixture");
    GH_ADD_TEST(s, test_roundtrip);
    GH_ADD_TEST(s, test_refused);
    GH_ADD_TEST(s, test_names);
    GH_ADD_TEST(s, test_problem_from_ckpt);
    GH_ADD_TEST(s, test_run_input);
    GH_ADD_TEST(s, test_nonfinite_inputs);
    GH_ADD_TEST(s, test_saver_kernel_hash);
    GH_ADD_TEST(s, test_saver);
    GH_ADD_TEST(s, test_mutated_fixture);
    return 0;
}

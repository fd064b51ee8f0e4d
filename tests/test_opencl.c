/* test_opencl.c - the OpenCL backend and the plain kernel on the default
 * device (PoCL in CI). No OpenCL platform is a FAILURE here, not a skip:
 * CI installs PoCL, so its absence is a broken set-up.
 *
 * Data is "exact" (docs/comparison.md): small integer activations, power-of-two
 * scales, so the float accumulation is exact and the only right answer is
 * the double reference rounded to nearest even; compared bit for bit.
 * Run from the repository root (the kernel is kernels/w4a16_gemm.cl). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapters/abi.h"
#include "backends/backend_cl.h"
#include "suites.h"

#define KERNEL_PATH "kernels/w4a16_gemm.cl"
#define GUARD 2048 /* a multiple of any base-address alignment */
#define POISON 0x7E00u
#define GUARD_BITS 0x5A5Au

/* ---- shared backend on the default device ------------------------------ */

static struct cl_backend *g_cl;
static int g_open_tried;

static struct cl_backend *default_backend(void) {
    if (!g_open_tried) {
        char err[1024];
        g_open_tried = 1;
        g_cl = clb_open(NULL, KERNEL_PATH, err, sizeof err);
        if (!g_cl) fprintf(stderr, "\n  clb_open(default device): %s\n", err);
    }
    return g_cl;
}

static int suite_cleanup(void) {
    clb_close(g_cl);
    g_cl = NULL;
    g_open_tried = 0;
    return 0;
}

/* ---- random exact problems -------------------------------------------- */

struct lcg {
    uint64_t s;
};

static uint32_t lcg_next(struct lcg *r) {
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(r->s >> 32);
}

static int lcg_range(struct lcg *r, int lo, int hi) {
    return lo + (int)(lcg_next(r) % (uint32_t)(hi - lo + 1));
}

struct spec {
    int M, N, K, gs;
    dtype_t dt;
    int zp_tensor, perm, bias;
    int big; /* non-negative data: partial sums far past 2^11 */
};

static void spec_line(const struct spec *c, char *buf, size_t len) {
    snprintf(buf, len, "m=%d n=%d k=%d g=%d dt=%s zp=%s perm=%d bias=%d big=%d", c->M, c->N, c->K,
             c->gs, dt_name(c->dt), c->zp_tensor ? "tensor" : "scalar", c->perm, c->bias, c->big);
}

static int alloc_tensors(const struct spec *c, struct abi_tensors *t) {
    const int64_t G = c->K / c->gs;
    memset(t, 0, sizeof *t);
    t->dt = c->dt;
    t->M = c->M;
    t->N = c->N;
    t->K = c->K;
    t->group_size = c->gs;
    t->b_words = t->N * t->K / 8;
    t->scale_elems = G * t->N;
    t->zp_words = c->zp_tensor ? G * t->N / 8 : 0;
    t->a = malloc(sizeof *t->a * (size_t)(t->M * t->K));
    t->b = malloc(sizeof *t->b * (size_t)t->b_words);
    t->scale = malloc(sizeof *t->scale * (size_t)t->scale_elems);
    if (c->zp_tensor) t->zp = malloc(sizeof *t->zp * (size_t)t->zp_words);
    if (c->perm) t->perm = malloc(sizeof *t->perm * (size_t)t->K);
    if (c->bias) t->bias = malloc(sizeof *t->bias * (size_t)t->N);
    return (!t->a || !t->b || !t->scale || (c->zp_tensor && !t->zp) || (c->perm && !t->perm) ||
            (c->bias && !t->bias))
               ? -1
               : 0;
}

static void fill_tensors(const struct spec *c, struct abi_tensors *t, uint64_t seed) {
    struct lcg r = {seed * 0x9E3779B97F4A7C15ull + 1};
    for (int64_t i = 0; i < t->M * t->K; i++)
        t->a[i] = dt_from_double(c->dt, c->big ? lcg_range(&r, 0, 7) : lcg_range(&r, -4, 4));
    for (int64_t i = 0; i < t->b_words; i++)
        t->b[i] = lcg_next(&r);
    for (int64_t i = 0; i < t->scale_elems; i++) {
        const double s =
            c->big ? (double)(1 << lcg_range(&r, 0, 2)) : 1.0 / (1 << lcg_range(&r, 0, 5));
        t->scale[i] = dt_from_double(c->dt, (!c->big && (lcg_next(&r) & 1)) ? -s : s);
    }
    if (t->zp)
        for (int64_t i = 0; i < t->zp_words; i++)
            t->zp[i] = c->big ? 0 : lcg_next(&r);
    t->zp_scalar = c->big ? 0 : lcg_range(&r, 0, 15);
    if (t->perm) {
        for (int k = 0; k < c->K; k++)
            t->perm[k] = k;
        for (int k = c->K - 1; k > 0; k--) { /* Fisher-Yates */
            const int j = lcg_range(&r, 0, k);
            const int32_t tmp = t->perm[k];
            t->perm[k] = t->perm[j];
            t->perm[j] = tmp;
        }
    }
    if (t->bias)
        for (int n = 0; n < c->N; n++)
            t->bias[n] = dt_from_double(c->dt, lcg_range(&r, -64, 64) / 4.0);
}

/* Runs one case on b; returns the number of problems found (0 = pass). */
static int run_case(struct cl_backend *b, const struct spec *c, uint64_t seed) {
    char line[256];
    spec_line(c, line, sizeof line);
    struct abi_tensors t;
    const size_t mn = (size_t)c->M * (size_t)c->N;
    uint16_t *outbuf = malloc(sizeof *outbuf * (GUARD + mn + GUARD));
    uint16_t *out = outbuf ? outbuf + GUARD : NULL;
    double *y = malloc(sizeof *y * mn);
    int bad = 0;
    if (alloc_tensors(c, &t) != 0 || !out || !y) {
        fprintf(stderr, "\n  %s: out of memory\n", line);
        bad = 1;
        goto done;
    }
    fill_tensors(c, &t, seed);
    for (size_t i = 0; i < mn; i++)
        out[i] = POISON;
    for (size_t i = 0; i < GUARD; i++)
        outbuf[i] = out[mn + i] = GUARD_BITS;
    if (abi_reference(&t, y) != 0) {
        fprintf(stderr, "\n  %s: abi_reference failed\n", line);
        bad = 1;
        goto done;
    }
    struct bk_result res = {0};
    clb_run(b, &t, out, GUARD, &res);
    if (res.status != BK_OK) {
        fprintf(stderr, "\n  %s: clb_run: %s\n", line, res.reason);
        free(res.log);
        bad = 1;
        goto done;
    }
    free(res.log);
    for (size_t i = 0; i < mn; i++) {
        const uint16_t want = dt_from_double(c->dt, y[i]);
        if (out[i] != want && bad++ == 0)
            fprintf(stderr, "\n  %s: out[m=%zu][n=%zu] = 0x%04x, want 0x%04x (%g)\n", line,
                    i / (size_t)c->N, i % (size_t)c->N, out[i], want, y[i]);
    }
    int guard_bad = 0;
    for (size_t i = mn; i < mn + GUARD; i++)
        if (out[i] != GUARD_BITS && guard_bad++ == 0)
            fprintf(stderr, "\n  %s: guard element %zu overwritten (0x%04x)\n", line, i - mn,
                    out[i]);
    for (size_t i = 0; i < GUARD; i++)
        if (outbuf[i] != GUARD_BITS && guard_bad++ == 0)
            fprintf(stderr, "\n  %s: guard element %zu before the output overwritten\n", line,
                    GUARD - i);
    for (int i = 0; i < BK_NIN; i++)
        if (res.mc.changed[i] && guard_bad++ == 0)
            fprintf(stderr, "\n  %s: input %s changed\n", line, bk_input_name(i));
    if (!res.mc.inputs_checked && guard_bad++ == 0)
        fprintf(stderr, "\n  %s: inputs not checked\n", line);
    bad += guard_bad;
done:
    abi_tensors_free(&t);
    free(outbuf);
    free(y);
    return bad;
}

/* Tails (N = 8*odd, M prime), both dtypes, zp tensor/scalar, perm and bias
 * on/off, group sizes 32, a non-power-of-two and K. Eight of the sixteen
 * option sets, chosen so each flag is on and off in both dtypes. */
static const struct spec cases[] = {
    {1, 24, 96, 32, DT_F16, 1, 0, 0, 0},
    {3, 40, 160, 32, DT_BF16, 0, 1, 1, 0},
    {7, 24, 160, 160, DT_F16, 1, 1, 1, 0},
    {7, 40, 96, 96, DT_BF16, 1, 0, 0, 0},
    {3, 8, 96, 48, DT_F16, 0, 0, 1, 0},
    {1, 40, 160, 32, DT_BF16, 1, 1, 0, 0},
    {5, 56, 64, 8, DT_F16, 0, 1, 0, 0},
    {13, 24, 96, 32, DT_BF16, 0, 0, 1, 0},
    /* Partial sums past 2^11 and outputs that need rounding. */
    {3, 24, 512, 128, DT_F16, 1, 0, 0, 1},
    {2, 40, 512, 512, DT_BF16, 0, 1, 1, 1},
};

static void test_exact_cases(void) {
    struct cl_backend *b = default_backend();
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CU_ASSERT_EQUAL(run_case(b, &cases[i], 100 + i), 0);
}

/* The same cases again: cached programs, new data. */
static void test_cached_programs(void) {
    struct cl_backend *b = default_backend();
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(run_case(b, &cases[i], 900 + i), 0);
}

static void test_abi_violation_not_launched(void) {
    struct cl_backend *b = default_backend();
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    struct spec c = {1, 8, 64, 32, DT_F16, 0, 0, 0, 0};
    struct abi_tensors t;
    CU_ASSERT_EQUAL_FATAL(alloc_tensors(&c, &t), 0);
    fill_tensors(&c, &t, 1);
    t.group_size = -1;
    uint16_t out[8 + GUARD];
    for (size_t i = 0; i < 8 + GUARD; i++)
        out[i] = POISON;
    struct bk_result res = {0};
    clb_run(b, &t, out, 0, &res);
    CU_ASSERT_EQUAL(res.status, BK_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "group_size=-1"));
    for (size_t i = 0; i < 8 + GUARD; i++)
        CU_ASSERT_EQUAL(out[i], POISON);
    t.group_size = 32;
    clb_run(b, &t, out + 1, 1, &res); /* a guard zone no sub-buffer can start after */
    CU_ASSERT_EQUAL(res.status, BK_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "base-address alignment"));
    free(res.log);
    clb_run(b, NULL, out, 8, &res);
    CU_ASSERT_EQUAL(res.status, BK_ERROR);
    abi_tensors_free(&t);
}

/* Sizes beyond any device: skipped before any buffer is created. The
 * contract check reads the scales (they must be finite), so those are real:
 * one group of N = 8; the declared sizes of a and b are never read, so tiny
 * arrays stand in. */
static void test_too_large_is_skipped(void) {
    struct cl_backend *b = default_backend();
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    static uint16_t a[8], scale[8], out[8];
    static uint32_t w[8];
    struct abi_tensors t = {0};
    t.dt = DT_F16;
    t.M = 1 << 30;
    t.N = 8;
    t.K = 1 << 30;
    t.group_size = t.K;
    t.zp_scalar = 8;
    t.a = a; /* 2^60 elements */
    t.b = w;
    t.b_words = t.N * t.K / 8;
    t.scale = scale;
    t.scale_elems = t.N;
    struct bk_result res = {0};
    clb_run(b, &t, out, (size_t)t.N, &res);
    CU_ASSERT_EQUAL(res.status, BK_SKIP);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "needs"));
    CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "> device max allocation"));
    free(res.log);
}

/* ---- kernels from temporary files ------------------------------------- */

static int write_temp(char *path, size_t len, const char *text) {
    snprintf(path, len, "/tmp/gh-test-kernel-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok ? 0 : -1;
}

/* A kernel file that cannot run gives BK_ERROR (twice: the failure is
 * cached, no rebuild) with want in the reason, and never a crash. */
static void expect_kernel_error(const char *src, const char *want, int want_log) {
    char path[64], err[1024];
    CU_ASSERT_EQUAL_FATAL(write_temp(path, sizeof path, src), 0);
    struct cl_backend *b = clb_open(NULL, path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(b);
    const struct spec c = {1, 8, 64, 32, DT_F16, 0, 0, 0, 0};
    for (int round = 0; b && round < 2; round++) {
        struct abi_tensors t;
        uint16_t out[8 + GUARD] = {0};
        CU_ASSERT_EQUAL_FATAL(alloc_tensors(&c, &t), 0);
        fill_tensors(&c, &t, 5);
        struct bk_result res = {0};
        clb_run(b, &t, out, 8 + GUARD, &res);
        CU_ASSERT_EQUAL(res.status, BK_ERROR);
        CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, want));
        if (!strstr(res.reason, want))
            fprintf(stderr, "\n  expected '%s' in: %s\n", want, res.reason);
        if (want_log) CU_ASSERT(res.log != NULL && res.log[0] != '\0');
        if (round == 1) CU_ASSERT_EQUAL(res.build_ms, 0.0);
        free(res.log);
        abi_tensors_free(&t);
    }
    clb_close(b);
    unlink(path);
}

static void test_broken_kernel(void) {
    expect_kernel_error("__kernel void w4a16_gemm(__global int *x) {\n"
                        "    this is not OpenCL C;\n}\n",
                        "kernel build failed (options -DW4_BF16=0 -DW4_HAS_ZP=0 -DW4_HAS_PERM=0 "
                        "-DW4_HAS_BIAS=0 -cl-kernel-arg-info -I/tmp): ", /* -I: the kernel's dir */
                        1);
    /* refusals carry the (empty) build log, so that the console groups them */
    expect_kernel_error("__kernel void other(__global int *x) { x[0] = 1; }\n",
                        "the program defines no kernel named w4a16_gemm; it defines: other", 1);
    expect_kernel_error("__kernel void w4a16_gemm(__global int *x) { x[0] = 1; }\n",
                        "declares 1 argument(s); the ABI passes 12", 1);
    expect_kernel_error(
        "__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,\n"
        "    __global const ushort *scale, __global const uint *zp,\n"
        "    __global const int *perm, __global const ushort *bias,\n"
        "    __global ushort *out, int M, int N, int K, float group_size,\n"
        "    int zp_scalar) { out[0] = 0; }\n",
        "argument 10 (the ABI's group_size) is declared 'float group_size'", 1);
}

/* The plain kernel with a reqd_work_group_size: global is rounded up past
 * N x M, so out-of-range work-items exist and must not write. */
static void test_declared_work_group(void) {
    FILE *f = fopen(KERNEL_PATH, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char src[65536], patched[65536 + 128];
    size_t n = fread(src, 1, sizeof src - 1, f);
    fclose(f);
    src[n] = '\0';
    const char *key = "__kernel void w4a16_gemm(";
    char *at = strstr(src, key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    snprintf(patched, sizeof patched,
             "%.*s__kernel __attribute__((reqd_work_group_size(16, 4, 1))) void w4a16_gemm(%s",
             (int)(at - src), src, at + strlen(key));
    char path[64], err[1024];
    CU_ASSERT_EQUAL_FATAL(write_temp(path, sizeof path, patched), 0);
    struct cl_backend *b = clb_open(NULL, path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(b);
    if (b) {
        const struct spec c1 = {7, 24, 96, 32, DT_F16, 1, 1, 1, 0};
        const struct spec c2 = {7, 40, 160, 32, DT_F16, 1, 1, 1, 0};
        CU_ASSERT_EQUAL(run_case(b, &c1, 7), 0);
        CU_ASSERT_EQUAL(run_case(b, &c2, 8), 0);
        clb_close(b);
    } else {
        fprintf(stderr, "\n  %s\n", err);
    }
    unlink(path);
}

/* ---- device selection ------------------------------------------------- */

static void test_selectors(void) {
    char err[2048] = "";
    struct cl_backend *b = clb_open("no-such-device-xyz", KERNEL_PATH, err, sizeof err);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-device-xyz"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "0:0"));
    clb_close(b);

    b = clb_open("99:0", KERNEL_PATH, err, sizeof err);
    CU_ASSERT_PTR_NULL(b);
    clb_close(b);

    b = clb_open("0:0", KERNEL_PATH, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT(clb_device_name(b)[0] != '\0');
    CU_ASSERT(clb_platform_name(b)[0] != '\0');
    CU_ASSERT(clb_driver_version(b)[0] != '\0');
    /* Case-insensitive substring of the device name. */
    char sub[8] = "";
    const char *name = clb_device_name(b);
    for (int i = 0; i < 4 && name[i]; i++)
        sub[i] = (char)((i % 2)                              ? name[i]
                        : (name[i] >= 'a' && name[i] <= 'z') ? name[i] - 32
                                                             : name[i]);
    clb_close(b);
    b = clb_open(sub, KERNEL_PATH, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(b);
    clb_close(b);
}

static void test_env_selector_and_missing_source(void) {
    char err[2048] = "";
    const char *old = getenv("GPTQ_HARNESS_DEVICE");
    char *saved = old ? strdup(old) : NULL;
    setenv("GPTQ_HARNESS_DEVICE", "no-such-device-from-env", 1);
    struct cl_backend *b = clb_open(NULL, KERNEL_PATH, err, sizeof err);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-device-from-env"));
    clb_close(b);
    if (saved) {
        setenv("GPTQ_HARNESS_DEVICE", saved, 1);
        free(saved);
    } else {
        unsetenv("GPTQ_HARNESS_DEVICE");
    }
    b = clb_open(NULL, "/nonexistent/dir/k.cl", err, sizeof err);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/dir/k.cl"));
}

static void test_list_devices(void) {
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(clb_list_devices(f), 0);
    char buf[4096];
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "0:0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "max allocation"));
}

int register_opencl_suite(void) {
    CU_pSuite s = CU_add_suite("opencl", NULL, suite_cleanup);
    if (!s) return -1;
    GH_ADD_TEST(s, test_exact_cases);
    GH_ADD_TEST(s, test_cached_programs);
    GH_ADD_TEST(s, test_abi_violation_not_launched);
    GH_ADD_TEST(s, test_too_large_is_skipped);
    GH_ADD_TEST(s, test_broken_kernel);
    GH_ADD_TEST(s, test_declared_work_group);
    GH_ADD_TEST(s, test_selectors);
    GH_ADD_TEST(s, test_env_selector_and_missing_source);
    GH_ADD_TEST(s, test_list_devices);
    return 0;
}

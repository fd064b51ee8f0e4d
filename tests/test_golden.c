/* test_golden.c - the golden fixtures (fixtures/golden/, one *.safetensors.gz each,
 * written by `run --save-all` from fixtures/sweeps/golden.batch) guard the
 * reference, the generator and the packers against silent change:
 *   - the reference recomputed from each fixture's packed tensors (unpacked)
 *     and x gives the stored y_ref bit for bit;
 *   - regenerating the problem from the stored descriptor gives the same
 *     logical tensors, and packing it the same checkpoint tensors, bit for bit;
 *   - the set covers every format x zero point x g_idx kind, each file under
 *     100 KB.
 * Run from the checkout root (as `make test` does). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>

#include "results/fixture.h"
#include "formats/formats.h"
#include "formats/problem_load.h"
#include "reference/refgemm.h"
#include "suites.h"
#include "testutil.h"

#define GOLDEN_DIR "fixtures/golden"
#define GOLDEN_MAX_BYTES (100 * 1024)

static int has_suffix(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* The reference from the fixture's own tensors equals the stored y_ref. */
static void check_reference(const char *path, const struct fixture *fx) {
    char err[512];
    struct problem p;
    int rc = problem_from_ckpt(&fx->d, &fx->ckpt, fx->x, fx->bias, &p, err, sizeof err);
    if (rc != 0) fprintf(stderr, "\n  %s: %s\n", path, err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    int64_t mn = p.M * p.N;
    double *y = malloc((size_t)mn * sizeof *y);
    CU_ASSERT_FATAL(y != NULL);
    for (int threads = 1; threads <= 3; threads += 2) {
        struct ref_input ri = problem_ref_input(&p, threads);
        CU_ASSERT_EQUAL_FATAL(ref_gemm(&ri, y, NULL), 0);
        int same = memcmp(y, fx->yref, (size_t)mn * sizeof *y) == 0;
        if (!same) fprintf(stderr, "\n  %s: y_ref not reproduced bit for bit\n", path);
        CU_ASSERT(same);
    }
    free(y);
    problem_free(&p);
}

/* Regenerating from the descriptor gives the same problem and checkpoint. */
static void check_regenerate(const char *path, const struct fixture *fx) {
    char err[512];
    struct problem gen, loaded;
    struct tensor_set ckpt;
    memset(&ckpt, 0, sizeof ckpt);
    CU_ASSERT_EQUAL_FATAL(problem_generate(&fx->d, &gen, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(
        problem_from_ckpt(&fx->d, &fx->ckpt, fx->x, fx->bias, &loaded, err, sizeof err), 0);
    int same = tu_same_problem(&gen, &loaded);
    if (!same) fprintf(stderr, "\n  %s: generator output changed\n", path);
    CU_ASSERT(same);
    CU_ASSERT_EQUAL_FATAL(format_pack(&gen, &ckpt, err, sizeof err), 0);
    CU_ASSERT_EQUAL(ckpt.n, fx->ckpt.n);
    for (int i = 0; i < ckpt.n; i++) {
        const struct tensor *a = &ckpt.t[i], *b = tensor_set_get(&fx->ckpt, a->name);
        CU_ASSERT_FATAL(b != NULL);
        CU_ASSERT(a->dtype == b->dtype && a->ndim == b->ndim && a->shape[0] == b->shape[0] &&
                  a->shape[1] == b->shape[1]);
        CU_ASSERT_EQUAL(memcmp(a->data, b->data, tensor_nbytes(a)), 0);
    }
    tensor_set_free(&ckpt);
    problem_free(&gen);
    problem_free(&loaded);
}

static void test_golden(void) {
    DIR *dir = opendir(GOLDEN_DIR);
    if (!dir) fprintf(stderr, "\n  %s: cannot open (run from the checkout root)\n", GOLDEN_DIR);
    CU_ASSERT_FATAL(dir != NULL);
    int seen[FMT_COUNT][2][3];
    memset(seen, 0, sizeof seen);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (!has_suffix(de->d_name, FIXTURE_SUFFIX)) continue;
        char path[1024], err[512];
        snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, de->d_name);
        struct stat sb;
        CU_ASSERT(stat(path, &sb) == 0 && sb.st_size < GOLDEN_MAX_BYTES);
        struct fixture fx;
        int rc = fixture_read(path, 0, &fx, err, sizeof err);
        if (rc != 0) fprintf(stderr, "\n  %s: %s\n", path, err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT_STRING_EQUAL(fx.verdict, "PASSED");
        CU_ASSERT_EQUAL(fx.d.adapter, ADAPTER_REFERENCE);
        check_reference(path, &fx);
        check_regenerate(path, &fx);
        seen[fx.d.fmt][fx.d.zp][fx.d.gidx]++;
        files++;
        fixture_free(&fx);
    }
    closedir(dir);
    CU_ASSERT(files >= 20);
    for (int f = 0; f < FMT_COUNT; f++)
        for (int z = 0; z < 2; z++)
            for (int g = 0; g < 3; g++) {
                if (f == FMT_AWQ && g != GIDX_NONE) continue;
                if (!seen[f][z][g])
                    fprintf(stderr, "\n  golden set lacks fmt=%s zp=%s gidx=%s\n",
                            fmt_name((fmt_t)f), zp_name((zp_t)z), gidx_name((gidx_t)g));
                CU_ASSERT(seen[f][z][g] > 0);
            }
}

int register_golden_suite(void) {
    GH_ADD_SUITE(s, "golden");
    GH_ADD_TEST(s, test_golden);
    return 0;
}

/* test_edgedata.c - the edge-value data mode (harness/cases/edgedata.c): the
 * data holds what it claims (subnormal activations, scales, bias and
 * outputs, exact zeros, rounding ties, carries into the exponent, values
 * near overflow) and still has one right answer: a float accumulator in
 * several orders, rounded once, gives the reference's rounding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cases/edgedata.h"
#include "cases/problem.h"
#include "reference/refgemm.h"
#include "suites.h"

struct counts {
    long x_sub, x_huge, s_sub, s_full, b_sub, b_huge;
    long y_sub, y_zero, y_tie, y_carry, y_huge, nonfinite;
};

static double min_normal(dtype_t dt) {
    return dt == DT_BF16 ? ldexp(1.0, -126) : ldexp(1.0, -14);
}

static int is_sub(dtype_t dt, uint16_t b) {
    double v = fabs(dt_to_double(dt, b));
    return v > 0 && v < min_normal(dt);
}

static void gen(const char *line, struct problem *p) {
    struct case_desc d;
    char err[256];
    CU_ASSERT_FATAL(desc_parse(line, &d, err, sizeof err) == 0);
    CU_ASSERT_FATAL(problem_generate(&d, p, err, sizeof err) == 0);
}

/* y[m][n] in float, in one of four orders: 0 ascending k, dequantize then
 * multiply; 1 descending k; 2 per group s * sum x (q - z), bias last; 3 bias
 * first, ascending. */
static float float_gemm(const struct problem *p, int64_t m, int64_t n, int order) {
    const dtype_t dt = p->d.dt;
    float acc = 0.0f;
    if (order == 3 && p->bias) acc = (float)dt_to_double(dt, p->bias[n]);
    if (order == 2) {
        for (int64_t g = 0; g < p->G; g++) {
            float part = 0.0f;
            for (int64_t k = 0; k < p->K; k++) {
                if (p->g_idx[k] != g) continue;
                float x = (float)dt_to_double(dt, p->x[m * p->K + k]);
                part += x * (float)(p->q[k * p->N + n] - p->z[g * p->N + n]);
            }
            acc += (float)dt_to_double(dt, p->s[g * p->N + n]) * part;
        }
    } else {
        for (int64_t i = 0; i < p->K; i++) {
            int64_t k = order == 1 ? p->K - 1 - i : i;
            int64_t g = p->g_idx[k];
            float w = (float)(p->q[k * p->N + n] - p->z[g * p->N + n]) *
                      (float)dt_to_double(dt, p->s[g * p->N + n]);
            acc += (float)dt_to_double(dt, p->x[m * p->K + k]) * w;
        }
    }
    if (order != 3 && p->bias) acc += (float)dt_to_double(dt, p->bias[n]);
    return acc;
}

/* Checks one case: counts what it holds, and that every order agrees with
 * the reference rounded once. */
static void check_case(const char *line, struct counts *c) {
    struct problem p;
    gen(line, &p);
    const dtype_t dt = p.d.dt;
    const double max = dt_max(dt);
    for (int64_t i = 0; i < p.M * p.K; i++) {
        c->x_sub += is_sub(dt, p.x[i]);
        c->x_huge += fabs(dt_to_double(dt, p.x[i])) >= max / 64;
    }
    for (int64_t i = 0; i < p.G * p.N; i++) {
        c->s_sub += is_sub(dt, p.s[i]);
        /* all p significant bits: a normal scale with the lowest mantissa bit
         * set (for f16, one that bf16 cannot hold) */
        c->s_full += !is_sub(dt, p.s[i]) && (p.s[i] & 1) && (p.s[i] & 0x7FFF) != 0;
    }
    for (int64_t n = 0; p.bias && n < p.N; n++) {
        c->b_sub += is_sub(dt, p.bias[n]);
        c->b_huge += fabs(dt_to_double(dt, p.bias[n])) >= max / 4;
    }
    struct ref_input ri = problem_ref_input(&p, 1);
    double *y = malloc((size_t)(p.M * p.N) * sizeof *y);
    CU_ASSERT_FATAL(y && ref_gemm(&ri, y, NULL) == 0);
    long disagree = 0;
    for (int64_t m = 0; m < p.M; m++)
        for (int64_t n = 0; n < p.N; n++) {
            double v = y[m * p.N + n];
            uint16_t r = dt_from_double(dt, v);
            double rv = dt_to_double(dt, r);
            if (!isfinite(rv)) c->nonfinite++;
            c->y_sub += is_sub(dt, r);
            c->y_zero += v == 0;
            /* a tie: halfway between the two neighbours of v */
            double ulp = dt_ulp(dt, v);
            double lo = floor(v / ulp) * ulp;
            if (v != lo && v - lo == ulp / 2) c->y_tie++;
            /* a carry: rounding lands on a power of two above |v| */
            int e;
            if (rv != 0 && fabs(rv) > fabs(v) && frexp(fabs(rv), &e) == 0.5) c->y_carry++;
            c->y_huge += fabs(rv) >= max / 2 && isfinite(rv);
            for (int order = 0; order < 4; order++)
                disagree +=
                    dt_from_double(dt, (double)float_gemm(&p, m, n, order)) != r &&
                    !(rv == 0 &&
                      dt_to_double(dt, dt_from_double(dt, (double)float_gemm(&p, m, n, order))) ==
                          0);
        }
    if (disagree) fprintf(stderr, "\n%s: %ld float results disagree\n", line, disagree);
    CU_ASSERT_EQUAL(disagree, 0);
    free(y);
    problem_free(&p);
}

static void test_properties(void) {
    static const char *const shapes[] = {"m=8 n=64 k=256 g=32", "m=12 n=40 k=1152 g=128",
                                         "m=4 n=16 k=8 g=8", "m=5 n=24 k=8192 g=128"};
    for (int dt = 0; dt < 2; dt++) {
        struct counts c;
        memset(&c, 0, sizeof c);
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int v = 0; v < 4; v++) {
                char line[256];
                snprintf(line, sizeof line, "%s dt=%s data=edge zp=%s gidx=%s bias=%d seed=%d",
                         shapes[s], dt ? "bf16" : "f16", v & 1 ? "asym" : "sym",
                         v & 2 ? "act" : "none", v < 2, (int)(s * 4 + (size_t)v + 1));
                check_case(line, &c);
            }
        const char *name = dt ? "bf16" : "f16";
        fprintf(stderr,
                "\n  %s edge data: x subnormal %ld huge %ld, scales subnormal %ld full %ld, bias "
                "subnormal %ld huge %ld; outputs subnormal %ld zero %ld tie %ld carry %ld "
                "near max %ld",
                name, c.x_sub, c.x_huge, c.s_sub, c.s_full, c.b_sub, c.b_huge, c.y_sub, c.y_zero,
                c.y_tie, c.y_carry, c.y_huge);
        CU_ASSERT(c.x_sub > 100);
        CU_ASSERT(c.x_huge > 10);
        CU_ASSERT(c.s_sub > 10);
        CU_ASSERT(c.s_full > 10);
        CU_ASSERT(c.b_sub > 5);
        CU_ASSERT(c.b_huge > 2);
        CU_ASSERT(c.y_sub > 20);
        CU_ASSERT(c.y_zero > 20);
        CU_ASSERT(c.y_tie > 20);
        CU_ASSERT(c.y_carry > 10);
        CU_ASSERT(c.y_huge > 5);
        CU_ASSERT_EQUAL(c.nonfinite, 0);
    }
}

/* Classes rotate with the seed: every row class and column class occurs in
 * a case of 4 rows and 8 columns. */
static void test_classes(void) {
    struct case_desc d;
    char err[256];
    CU_ASSERT_FATAL(desc_parse("m=4 n=8 k=128 data=edge seed=7", &d, err, sizeof err) == 0);
    int rows[4] = {0}, cols[8] = {0};
    for (int64_t m = 0; m < 4; m++)
        rows[edge_row_class(&d, m)]++;
    for (int64_t n = 0; n < 8; n++)
        cols[edge_col_class(&d, n)]++;
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(rows[i], 1);
    CU_ASSERT_EQUAL(cols[EDGE_COL_ORDINARY], 3);
    for (int i = EDGE_COL_FINE; i <= EDGE_COL_BIG; i++)
        CU_ASSERT_EQUAL(cols[i], 1);
    CU_ASSERT_EQUAL(edge_rows(&d), 13); /* f16: p + 2 */
    d.k = 8;
    CU_ASSERT_EQUAL(edge_rows(&d), 7);
}

int register_edgedata_suite(void) {
    GH_ADD_SUITE(s, "edgedata");
    GH_ADD_TEST(s, test_properties);
    GH_ADD_TEST(s, test_classes);
    return 0;
}

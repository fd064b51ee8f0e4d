/* refbench.c - timing the reference on one case (see refbench.h). */
#include "util/clock.h"
#include "verdict/refbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/runner.h"

int refbench_open(const char *line, int threads, struct refbench *b, char *err, size_t errlen) {
    memset(b, 0, sizeof *b);
    struct case_desc d;
    if (desc_parse(line, &d, err, errlen) != 0) return -1;
    if (problem_generate(&d, &b->p, err, errlen) != 0) return -1;
    const struct problem *p = &b->p;
    b->ri = problem_ref_input(p, threads);
    b->y = malloc((size_t)(p->M * p->N) * sizeof *b->y);
    b->absdot = malloc((size_t)(p->M * p->N) * sizeof *b->absdot);
    b->w = malloc((size_t)(p->K * p->N) * sizeof *b->w);
    if (!b->y || !b->absdot || !b->w) {
        snprintf(err, errlen, "out of memory (W as double needs %.2f GiB)",
                 (double)(p->K * p->N) * 8 / 1073741824.0);
        refbench_close(b);
        return -1;
    }
    return 0;
}

void refbench_close(struct refbench *b) {
    problem_free(&b->p);
    free(b->y);
    free(b->absdot);
    free(b->w);
    memset(b, 0, sizeof *b);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v; its median. */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One repeat: the four steps, timed into t[0..3]. */
static int one_repeat(struct refbench *b, refbench_step extra, void *ctx, double t[4]) {
    double t0 = now_seconds();
    int rc = ref_dequant(&b->ri, b->w);
    double t1 = now_seconds();
    rc |= ref_gemm(&b->ri, b->y, NULL);
    double t2 = now_seconds();
    rc |= ref_gemm(&b->ri, b->y, b->absdot);
    double t3 = now_seconds();
    t[0] = t1 - t0;
    t[1] = t2 - t1;
    t[2] = t3 - t2;
    t[3] = extra ? extra(ctx, b) : 0;
    return rc || t[3] < 0 ? -1 : 0;
}

int refbench_run(struct refbench *b, int repeat, refbench_step extra, void *ctx,
                 struct refbench_times *med, struct refbench_times *best) {
    if (repeat < 1 || repeat > REFBENCH_MAX_REPEAT) return -1;
    double *v = malloc((size_t)repeat * 4 * sizeof *v), warm[4];
    if (!v || one_repeat(b, extra, ctx, warm) != 0) {
        free(v);
        return -1;
    }
    int rc = 0;
    for (int r = 0; r < repeat && rc == 0; r++) {
        double one[4];
        rc = one_repeat(b, extra, ctx, one);
        for (int s = 0; s < 4; s++)
            v[s * repeat + r] = one[s];
    }
    double m[4], lo[4];
    for (int s = 0; s < 4; s++) {
        m[s] = median(v + s * repeat, repeat);
        lo[s] = v[s * repeat];
    }
    if (rc == 0) {
        *med = (struct refbench_times){m[0], m[1], m[2], m[3]};
        if (best) *best = (struct refbench_times){lo[0], lo[1], lo[2], lo[3]};
    }
    free(v);
    return rc;
}

double refbench_gflops(const struct refbench *b, double seconds) {
    return 2.0 * (double)b->p.M * (double)b->p.N * (double)b->p.K / seconds / 1e9;
}

/* bench_ref.c - `make bench`: the double reference side by side with
 * OpenBLAS's dgemm on the same dequantized problem (double X times double W,
 * W from ref_dequant), both on the same number of threads, in one run,
 * interleaved repeat by repeat; medians and the ratio.
 *
 * OpenBLAS is a benchmark dependency only: this program is the one thing
 * linked with it. The dequantization is timed on its own and is not part of
 * the dgemm time; the reference's time includes its own (fused) dequantization.
 *
 *   build/bench-ref [--threads N] [--repeat N] [DESCRIPTOR...]
 *
 * Without descriptors: m = 1, 16, 64 and a prefill m = 2048 at n = k = 4096,
 * g=128, asym, real data. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "cli/commands.h"
#include "verdict/refbench.h"
#include "verdict/runner.h"

struct blas_step {
    double *x, *y; /* X as double [M][K], dgemm's output [M][N] */
};

/* OpenBLAS's idle worker threads spin (sched_yield) for about 2^28 cycles
 * after a call before they sleep; the reference's next run would share the
 * cores with them. So the step waits, untimed, after the dgemm. */
#define SETTLE_MS 200

/* The timed dgemm on the dequantized W; returns its seconds. */
static double blas_dgemm(void *ctx, const struct refbench *b) {
    const struct blas_step *s = ctx;
    const struct problem *p = &b->p;
    double t0 = now_seconds();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p->M, (int)p->N, (int)p->K, 1.0,
                s->x, (int)p->K, b->w, (int)p->N, 0.0, s->y, (int)p->N);
    double t = now_seconds() - t0;
    struct timespec settle = {0, SETTLE_MS * 1000000L};
    nanosleep(&settle, NULL);
    return t;
}

/* Cross-check: max over elements of |dgemm (+ bias) - ref| / absdot. */
static double blas_vs_ref(const struct refbench *b, const double *yb) {
    const struct problem *p = &b->p;
    double worst = 0;
    for (int64_t i = 0; i < p->M * p->N; i++) {
        double bias = p->bias ? dt_to_double(p->d.dt, p->bias[i % p->N]) : 0;
        double e = fabs(yb[i] + bias - b->y[i]) / (b->absdot[i] > 0 ? b->absdot[i] : 1);
        if (!(e <= worst)) worst = e; /* NaN sticks */
    }
    return worst;
}

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static void print_header(int threads, int repeat) {
    printf("reference: %s build, %d thread(s); OpenBLAS: %s, core %s, %d thread(s)\n",
           ref_isa_name(REF_ISA_AUTO), threads, openblas_get_config(), openblas_get_corename(),
           openblas_get_num_threads());
    printf("environment: OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s\n",
           env_or("OPENBLAS_CORETYPE", "(unset)"), env_or("OPENBLAS_L2_SIZE", "(unset)"));
    printf("medians of %d interleaved repeats. ref: ref_gemm, its dequantization fused in; "
           "+absdot: ref_gemm with absdot;\ndequant: all of W to double, alone; dgemm: "
           "cblas_dgemm on that W; ratio: ref / dgemm GFLOP/s (best: of the fastest runs)\n",
           repeat);
    printf("%5s %6s %6s %9s %9s %10s %10s %9s %9s %6s %6s %8s\n", "m", "n", "k", "ref_ms",
           "GFLOP/s", "+absdot_ms", "dequant_ms", "dgemm_ms", "GFLOP/s", "ratio", "best",
           "max_err");
}

/* Benchmarks one case; returns 0, or 1 after printing why. */
static int bench_case(const char *line, int threads, int repeat) {
    struct refbench b;
    char err[512];
    if (refbench_open(line, threads, &b, err, sizeof err) != 0) {
        fprintf(stderr, "bench-ref: %s: %s\n", line, err);
        return 1;
    }
    const struct problem *p = &b.p;
    struct blas_step s = {.x = malloc((size_t)(p->M * p->K) * sizeof *s.x),
                          .y = malloc((size_t)(p->M * p->N) * sizeof *s.y)};
    struct refbench_times t, best;
    int rc = 1;
    if (!s.x || !s.y) {
        fprintf(stderr, "bench-ref: out of memory\n");
        goto out;
    }
    for (int64_t i = 0; i < p->M * p->K; i++)
        s.x[i] = dt_to_double(p->d.dt, p->x[i]);
    if (refbench_run(&b, repeat, blas_dgemm, &s, &t, &best) != 0) {
        fprintf(stderr, "bench-ref: %s: the reference failed (out of memory)\n", line);
        goto out;
    }
    double ref = refbench_gflops(&b, t.gemm), blas = refbench_gflops(&b, t.extra);
    double e = blas_vs_ref(&b, s.y);
    printf("%5lld %6lld %6lld %9.2f %9.2f %10.2f %10.2f %9.2f %9.2f %6.2f %6.2f %8.1e\n",
           (long long)p->M, (long long)p->N, (long long)p->K, t.gemm * 1e3, ref,
           t.gemm_absdot * 1e3, t.dequant * 1e3, t.extra * 1e3, blas, ref / blas,
           best.extra / best.gemm, e);
    rc = 0;
    if (!(e <= 1e-12)) {
        fprintf(stderr, "bench-ref: %s: dgemm and the reference disagree (%.3g)\n", line, e);
        rc = 1;
    }
out:
    free(s.x);
    free(s.y);
    refbench_close(&b);
    return rc;
}

int main(int argc, char **argv) {
    static const struct option longs[] = {{"threads", required_argument, 0, 't'},
                                          {"repeat", required_argument, 0, 'r'},
                                          {0, 0, 0, 0}};
    static const char *dflt[] = {"m=1 n=4096 k=4096 g=128 zp=asym data=real",
                                 "m=16 n=4096 k=4096 g=128 zp=asym data=real",
                                 "m=64 n=4096 k=4096 g=128 zp=asym data=real",
                                 "m=2048 n=4096 k=4096 g=128 zp=asym data=real"};
    int threads = ref_default_threads(), repeat = 7, c;
    long v;
    while ((c = getopt_long(argc, argv, "t:r:", longs, NULL)) != -1) {
        if (c == 't' && parse_int(optarg, 1, 1024, &v) == 0)
            threads = (int)v;
        else if (c == 'r' && parse_int(optarg, 1, REFBENCH_MAX_REPEAT, &v) == 0)
            repeat = (int)v;
        else {
            fprintf(stderr, "usage: bench-ref [--threads N] [--repeat N] [DESCRIPTOR...]\n");
            return 2;
        }
    }
    openblas_set_num_threads(threads);
    print_header(threads, repeat);
    int rc = 0;
    if (optind == argc)
        for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++)
            rc |= bench_case(dflt[i], threads, repeat);
    for (int i = optind; i < argc; i++)
        rc |= bench_case(argv[i], threads, repeat);
    return rc;
}

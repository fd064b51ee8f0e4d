/* cmd_ref.c - `gptq-harness ref` (generate + reference, print a checksum) and
 * `gptq-harness bench` (reference throughput). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference/refgemm.h"
#include "cli/commands.h"
#include "cases/problem.h"
#include "verdict/refbench.h"

static int parse_threads(int argc, char **argv, int *threads, int *repeat) {
    static const struct option longs[] = {{"threads", required_argument, 0, 't'},
                                          {"repeat", required_argument, 0, 'r'},
                                          {0, 0, 0, 0}};
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:r:", longs, NULL)) != -1) {
        if (c == 't' && parse_int(optarg, 1, 1024, &v) == 0)
            *threads = (int)v;
        else if (c == 'r' && repeat && parse_int(optarg, 1, 1000, &v) == 0)
            *repeat = (int)v;
        else {
            fprintf(stderr, "%s: bad option (--threads N%s)\n", argv[0],
                    repeat ? ", --repeat N" : "");
            return -1;
        }
    }
    return 0;
}

/* FNV-1a over the rounded output bits. */
static uint64_t checksum(const uint16_t *v, int64_t n) {
    uint64_t h = 1469598103934665603ull;
    for (int64_t i = 0; i < n; i++) {
        h = (h ^ (v[i] & 0xFF)) * 1099511628211ull;
        h = (h ^ (v[i] >> 8)) * 1099511628211ull;
    }
    return h;
}

int cmd_ref(int argc, char **argv) {
    int threads = 0;
    if (parse_threads(argc, argv, &threads, NULL) != 0) return 2;
    if (optind != argc - 1) {
        fprintf(stderr, "gptq-harness ref: give exactly one descriptor\n");
        return 2;
    }
    struct case_desc d;
    char err[512];
    if (desc_parse(argv[optind], &d, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness ref: bad descriptor: %s\n", err);
        return 2;
    }
    struct problem p;
    if (problem_generate(&d, &p, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness ref: %s\n", err);
        return 1;
    }
    int64_t total = p.M * p.N;
    double *y = malloc((size_t)total * sizeof *y);
    uint16_t *out = malloc((size_t)total * sizeof *out);
    struct ref_input ri = problem_ref_input(&p, threads);
    if (!y || !out || ref_gemm(&ri, y, NULL) != 0) {
        fprintf(stderr, "gptq-harness ref: out of memory\n");
        free(y);
        free(out);
        problem_free(&p);
        return 1;
    }
    ref_round(d.dt, y, out, total);
    char line[512];
    desc_print(&d, line, sizeof line);
    printf("case: %s\n", line);
    printf("shape: M=%lld N=%lld K=%lld group_size=%lld groups=%lld\n", (long long)p.M,
           (long long)p.N, (long long)p.K, (long long)p.gs, (long long)p.G);
    printf("checksum: %016llx (FNV-1a of the %lld rounded %s outputs)\n",
           (unsigned long long)checksum(out, total), (long long)total, dt_name(d.dt));
    double sum = 0;
    for (int64_t i = 0; i < total; i++)
        sum += y[i];
    printf("sum: %.17g\n", sum);
    for (int64_t i = 0; i < total && i < 4; i++)
        printf("y[%lld][%lld] = %.17g -> 0x%04x (%.9g)\n", (long long)(i / p.N),
               (long long)(i % p.N), y[i], out[i], dt_to_double(d.dt, out[i]));
    free(y);
    free(out);
    problem_free(&p);
    return 0;
}

/* Reference throughput at decode and prefill-like m, n = k = 4096 (the
 * side-by-side comparison with OpenBLAS is `make bench`, bench/bench_ref.c). */
int cmd_bench(int argc, char **argv) {
    int threads = 0, repeat = 3;
    if (parse_threads(argc, argv, &threads, &repeat) != 0) return 2;
    static const int ms[] = {1, 16, 64};
    printf("reference dequant-GEMM (double accumulation, %s build), n = k = 4096, g=128, "
           "%d thread(s), median of %d\n",
           ref_isa_name(REF_ISA_AUTO), threads > 0 ? threads : ref_default_threads(), repeat);
    printf("%6s %12s %12s %12s %16s\n", "m", "dequant_ms", "gemm_ms", "GFLOP/s", "gemm+absdot_ms");
    for (size_t c = 0; c < sizeof ms / sizeof ms[0]; c++) {
        char line[128], err[256];
        snprintf(line, sizeof line, "m=%d n=4096 k=4096 g=128 zp=asym data=real", ms[c]);
        struct refbench b;
        struct refbench_times t;
        if (refbench_open(line, threads, &b, err, sizeof err) != 0) {
            fprintf(stderr, "bench: %s\n", err);
            return 1;
        }
        int rc = refbench_run(&b, repeat, NULL, NULL, &t, NULL);
        if (rc == 0)
            printf("%6d %12.1f %12.1f %12.2f %16.1f\n", ms[c], t.dequant * 1e3, t.gemm * 1e3,
                   refbench_gflops(&b, t.gemm), t.gemm_absdot * 1e3);
        refbench_close(&b);
        if (rc != 0) {
            fprintf(stderr, "bench: out of memory\n");
            return 1;
        }
    }
    return 0;
}

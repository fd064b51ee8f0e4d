/* refgemm.c - the double-precision reference (see refgemm.h).
 *
 * A blocked GEMM in the GotoBLAS style, with the dequantization fused into
 * the packing of W, so that W never exists as a whole:
 *
 *   - X is converted to double once and packed in mr-row micro-panels,
 *     xp[M/mr][K][mr] (zero-padded rows); |X| likewise when absdot is wanted.
 *   - Threads own disjoint ranges of output columns (whole nr-column panels).
 *     For each block of NC columns and KC rows a thread dequantizes
 *     W[KC][NC] into a packed double buffer of nr-column micro-panels
 *     (pack_block in refgemm_kern.h), then updates every mr x nr tile of its
 *     accumulators for those NC columns with the micro-kernel (tile_kernel):
 *         c[i][j] = c[i][j] + x[i][k] * w[k][j]    for k = k0, k0 + 1, ...
 *     The accumulators are the block's tiles stored one after another (not
 *     rows of Y, whose power-of-two distance N maps a tile to a few cache
 *     sets); after the last KC rows they are copied to Y.
 *
 * Summation order: the tile is loaded from the accumulators (zero at
 * first), updated in k order and stored, so each y[m][n] is ((0 + x0*w0) + x1*w1) + ... +
 * x_{K-1}*w_{K-1}, then
 * + bias: exactly the order of ref_gemm_naive, whatever the blocking, the
 * thread split or the instruction set. Every product x*w is exact in double
 * (x has at most 11 significant bits, w = (q - z) * s at most 15), so only
 * the sums round, and a fused multiply-add gives the same bits (the AVX2 and
 * AVX-512 builds use one).
 *
 * The per-thread work (micro-kernel, packing, block loops) is written once
 * with GCC/clang vector extensions in refgemm_kern.h and built per
 * instruction set (refgemm_generic.c; on x86-64 also refgemm_avx2.c and
 * refgemm_avx512.c), each with vectors of its register width and a tile that
 * fits its registers; the best one the CPU runs is picked at run time with
 * __builtin_cpu_supports. All builds give the same bits (the tests compare).
 * This file: the interface, the dispatch, the threads, the packing of X, and
 * the naive loop that the tests hold the blocked one to. */
#include "refgemm.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refgemm_impl.h"

int ref_default_threads(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 256 ? 256 : (int)n);
}

/* ---- the parts of a job that need no vectors ------------------------------ */

void ref_scales_to_double(const struct gemm *g, int64_t n0, int64_t n1) {
    const struct ref_input *in = g->in;
    for (int64_t gi = 0; gi < in->G; gi++)
        for (int64_t n = n0; n < n1; n++)
            g->sd[gi * in->N + n] = dt_to_double(in->dt, in->s[gi * in->N + n]);
}

void ref_add_bias(const struct gemm *g, int64_t n0, int64_t n1) {
    const struct ref_input *in = g->in;
    for (int64_t m = 0; m < in->M; m++)
        for (int64_t n = n0; n < n1; n++) {
            double b = dt_to_double(in->dt, in->bias[n]);
            g->y[m * in->N + n] += b;
            if (g->absdot) g->absdot[m * in->N + n] += fabs(b);
        }
}

/* ---- dispatch ------------------------------------------------------------- */

/* Best first; the last one runs anywhere. */
static const struct ref_build *const BUILDS[] = {
#if REF_X86
    &ref_build_avx512,
    &ref_build_avx2,
#endif
    &ref_build_generic,
};

static int build_usable(const struct ref_build *b) {
#if REF_X86
    if (b->isa == REF_ISA_AVX512) return __builtin_cpu_supports("avx512f");
    if (b->isa == REF_ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return b->isa == REF_ISA_GENERIC;
}

static const struct ref_build *build_for(enum ref_isa isa) {
    for (size_t i = 0; i < sizeof BUILDS / sizeof BUILDS[0]; i++)
        if ((isa == REF_ISA_AUTO || isa == BUILDS[i]->isa) && build_usable(BUILDS[i]))
            return BUILDS[i];
    return NULL;
}

const char *ref_isa_name(enum ref_isa isa) {
    const struct ref_build *b = build_for(isa);
    return b ? b->name : NULL;
}

/* ---- threads -------------------------------------------------------------- */

/* One of run_parallel's calls. */
struct task {
    void (*fn)(void *);
    void *arg;
};

static void *task_thread(void *arg) {
    const struct task *t = arg;
    t->fn(t->arg);
    return NULL;
}

/* fn(args + i * size) for i < n, each on a thread of its own (the first on
 * this one); one whose thread cannot be created runs here, after the others
 * have started: the same bits. Returns 0, or -1 on allocation or join
 * failure. */
static int run_parallel(int n, void (*fn)(void *), void *args, size_t size) {
    struct task *tasks = calloc((size_t)n, sizeof *tasks);
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    char *live = calloc((size_t)n, 1);
    int rc = tasks && tid && live ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        tasks[i] = (struct task){fn, (char *)args + (size_t)i * size};
        if (i > 0 && pthread_create(&tid[i], NULL, task_thread, &tasks[i]) == 0) live[i] = 1;
    }
    for (int i = 0; rc == 0 && i < n; i++)
        if (!live[i]) fn(tasks[i].arg);
    for (int i = 1; live && i < n; i++)
        if (live[i] && pthread_join(tid[i], NULL) != 0) rc = -1;
    free(tasks);
    free(tid);
    free(live);
    return rc;
}

static int thread_count(const struct ref_input *in, int64_t parts) {
    int t = in->threads > 0 ? in->threads : ref_default_threads();
    return t > parts ? (int)(parts > 0 ? parts : 1) : t;
}

static void job_task(void *arg) {
    const struct job *j = arg;
    j->run(j);
}

static double *alloc_doubles(int64_t n) {
    size_t bytes = ((size_t)(n > 0 ? n : 1) * sizeof(double) + 63) / 64 * 64;
    return aligned_alloc(64, bytes);
}

/* Runs b's job over the columns, split in whole nr-column panels over up to
 * in->threads threads; with packing, each job gets its own buffers for a
 * packed block of W and the accumulators of a block of columns. */
static int run_jobs(const struct gemm *g, const struct ref_build *b, int packing) {
    const struct ref_input *in = g->in;
    int64_t nr = b->nr, panels = (in->N + nr - 1) / nr;
    int t = thread_count(in, panels);
    struct job *jobs = calloc((size_t)t, sizeof *jobs);
    int64_t wpn = NC / nr * ref_panel_stride(KC, b->nr);
    int64_t accn = (in->M + b->mr - 1) / b->mr * b->mr * NC,
            bufn = wpn + accn * (g->absdot ? 2 : 1);
    double *buf = packing ? alloc_doubles(t * bufn) : NULL;
    int rc = -1;
    if (jobs && (buf || !packing)) {
        for (int i = 0; i < t; i++) {
            jobs[i] = (struct job){.g = g, .run = b->run};
            if (buf) {
                jobs[i].wp = buf + i * bufn;
                jobs[i].acc = jobs[i].wp + wpn;
                jobs[i].acc_abs = g->absdot ? jobs[i].acc + accn : NULL;
            }
            jobs[i].n0 = ref_min(panels * i / t * nr, in->N);
            jobs[i].n1 = ref_min(panels * (i + 1) / t * nr, in->N);
        }
        rc = run_parallel(t, job_task, jobs, sizeof *jobs);
    }
    free(jobs);
    free(buf);
    return rc;
}

/* The exact double of an f16 or bf16 X element: normal numbers and zeros by
 * widening their fields (X is mostly those), the rest by dt_to_double. */
static inline double x_to_double(dtype_t dt, uint16_t bits) {
    unsigned t = dt == DT_BF16 ? 7 : 10, emax = dt == DT_BF16 ? 255 : 31;
    unsigned e = (bits & 0x7FFFu) >> t;
    if (e == 0 || e == emax) {
        if ((bits & 0x7FFFu) == 0) return bits ? -0.0 : 0.0;
        return dt_to_double(dt, bits);
    }
    uint64_t u = (uint64_t)(bits >> 15) << 63 | (uint64_t)(e + 1023 - (emax >> 1)) << 52 |
                 (uint64_t)(bits & ((1u << t) - 1)) << (52 - t);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* A share of the packing of X: micro-panels [t0, t1). */
struct xpack {
    const struct ref_input *in;
    int mr;
    double *xp, *xa;
    int64_t t0, t1;
};

/* xp (and xa = |X|, when not NULL) = X as double in mr-row micro-panels
 * [M/mr][K][mr], rows past M zero; here those of the share. */
static void pack_x(void *arg) {
    const struct xpack *j = arg;
    const struct ref_input *in = j->in;
    int64_t K = in->K, mr = j->mr;
    for (int64_t t = j->t0; t < j->t1; t++)
        for (int64_t i = 0; i < mr; i++) {
            int64_t m = t * mr + i;
            double *p = j->xp + t * K * mr + i, *a = j->xa ? j->xa + t * K * mr + i : NULL;
            const uint16_t *x = in->x + m * K;
            for (int64_t k = 0; k < K; k++) {
                double v = m < in->M ? x_to_double(in->dt, x[k]) : 0.0;
                p[k * mr] = v;
                if (a) a[k * mr] = fabs(v);
            }
        }
}

/* pack_x on up to in->threads threads, split by micro-panels. */
static int pack_x_threads(const struct ref_input *in, int mr, double *xp, double *xa) {
    int64_t tiles = (in->M + mr - 1) / mr;
    int t = thread_count(in, tiles);
    struct xpack *jobs = calloc((size_t)t, sizeof *jobs);
    if (!jobs) return -1;
    for (int i = 0; i < t; i++)
        jobs[i] = (struct xpack){in, mr, xp, xa, tiles * i / t, tiles * (i + 1) / t};
    int rc = run_parallel(t, pack_x, jobs, sizeof *jobs);
    free(jobs);
    return rc;
}

int ref_gemm(const struct ref_input *in, double *y, double *absdot) {
    const struct ref_build *b = build_for(in->isa);
    if (!b) return -1;
    int64_t xn = (in->M + b->mr - 1) / b->mr * b->mr * in->K;
    double *xp = alloc_doubles(xn), *xa = absdot ? alloc_doubles(xn) : NULL;
    double *sd = alloc_doubles(in->G * in->N);
    int rc = -1;
    if (xp && sd && (xa || !absdot) && pack_x_threads(in, b->mr, xp, xa) == 0) {
        struct gemm g = {.in = in, .xp = xp, .xa = xa, .sd = sd, .y = y, .absdot = absdot};
        rc = run_jobs(&g, b, 1);
    }
    free(xp);
    free(xa);
    free(sd);
    return rc;
}

int ref_dequant(const struct ref_input *in, double *w) {
    const struct ref_build *b = build_for(in->isa);
    double *sd = b ? alloc_doubles(in->G * in->N) : NULL;
    if (!sd) return -1;
    struct gemm g = {.in = in, .sd = sd, .w = w};
    int rc = run_jobs(&g, b, 0);
    free(sd);
    return rc;
}

/* The definition, one element at a time, summed in k order. */
int ref_gemm_naive(const struct ref_input *in, double *y, double *absdot) {
    int64_t N = in->N, K = in->K;
    for (int64_t m = 0; m < in->M; m++)
        for (int64_t n = 0; n < N; n++) {
            double acc = 0, aacc = 0;
            for (int64_t k = 0; k < K; k++) {
                int64_t g = in->g_idx[k];
                double w = ((double)in->q[k * N + n] - (double)in->z[g * N + n]) *
                           dt_to_double(in->dt, in->s[g * N + n]);
                double x = dt_to_double(in->dt, in->x[m * K + k]);
                acc += x * w;
                aacc += fabs(x) * fabs(w);
            }
            if (in->bias) {
                double b = dt_to_double(in->dt, in->bias[n]);
                acc += b;
                aacc += fabs(b);
            }
            y[m * N + n] = acc;
            if (absdot) absdot[m * N + n] = aacc;
        }
    return 0;
}

void ref_round(dtype_t dt, const double *y, uint16_t *out, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        out[i] = dt_from_double(dt, y[i]);
}

/* w4a16_cpu.c - an example native kernel: the w4a16.h contract on the CPU
 * with POSIX threads, no OpenCL. Built as build/plugins/libw4a16_cpu.so;
 * run with `gptq-harness run --kernel plugin:build/plugins/libw4a16_cpu.so`.
 *
 * How it works: the activations are widened to float once, with the
 * permutation applied (A'[m][k] = A[m][perm[k]]). Threads take contiguous
 * blocks of columns; for each column a thread dequantizes the K weights into
 * a float scratch row, (q - z) * s (exact in float), then for every row m
 * accumulates A'[m][k] * W[k][n] in float in k order, adds the bias and
 * rounds to the output dtype (nearest even).
 *
 * Threads: $W4A16_CPU_THREADS if set (1..256), else one per online CPU, but
 * no more than one per 2^20 multiply-adds, so small problems stay on the
 * calling thread. A thread that cannot be created leaves its block to the
 * calling thread. Nothing is kept between calls.
 *
 * Return codes: 0 ok, 1 bad arguments, 2 out of memory, 3 pthread error;
 * every non-zero return prints why on stderr. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/w4a16_check.h"
#include "cpu_dtype.h"
#include "w4a16.h"

#define CPU_MAX_THREADS 256
#define CPU_MACS_PER_THREAD (1LL << 20)

struct job {
    const struct w4a16_args *args;
    const float *af; /* [M][K] permuted activations */
    float *w;        /* [K] scratch of this thread */
    int32_t n0, n1;  /* columns [n0, n1) */
};

static float load_dt(uint32_t dtype, uint16_t bits) {
    return dtype == W4A16_BF16 ? cpu_bf16_to_float(bits) : cpu_f16_to_float(bits);
}

static uint16_t store_dt(uint32_t dtype, float v) {
    return dtype == W4A16_BF16 ? cpu_float_to_bf16(v) : cpu_float_to_f16(v);
}

static int fail(int rc, const char *msg) {
    fprintf(stderr, "w4a16_cpu: %s\n", msg);
    return rc;
}

/* A'[m][k] = float(A[m][perm[k]]) (perm checked by w4a16_check_args). */
static void widen_activations(const struct w4a16_args *p, float *af) {
    const int64_t K = p->K;
    for (int64_t m = 0; m < p->M; m++) {
        const uint16_t *row = p->a + m * K;
        for (int64_t k = 0; k < K; k++)
            af[m * K + k] = load_dt(p->dtype, row[p->perm ? p->perm[k] : k]);
    }
}

/* w[k] = (q[k][n] - z[g][n]) * s[g][n], g = k / group_size. */
static void dequant_column(const struct w4a16_args *p, int32_t n, float *w) {
    const int64_t words = p->K / 8;
    const uint32_t *col = p->b + (int64_t)n * words;
    int64_t g = 0, next = p->group_size;
    float s = load_dt(p->dtype, p->scale[n]);
    int z = p->zp ? (int)((p->zp[n / 8] >> (4 * (n % 8))) & 0xFu) : p->zp_scalar;
    for (int64_t k = 0; k < p->K; k++) {
        if (k == next) { /* the next group starts */
            g++;
            next += p->group_size;
            s = load_dt(p->dtype, p->scale[g * p->N + n]);
            if (p->zp) z = (int)((p->zp[g * (p->N / 8) + n / 8] >> (4 * (n % 8))) & 0xFu);
        }
        const int q = (int)((col[k / 8] >> (4 * (k % 8))) & 0xFu);
        w[k] = (float)(q - z) * s;
    }
}

static void *run_job(void *arg) {
    const struct job *j = arg;
    const struct w4a16_args *p = j->args;
    const int64_t K = p->K;
    for (int32_t n = j->n0; n < j->n1; n++) {
        dequant_column(p, n, j->w);
        const float bias = p->bias ? load_dt(p->dtype, p->bias[n]) : 0.0f;
        for (int64_t m = 0; m < p->M; m++) {
            const float *x = j->af + m * K;
            float acc = 0.0f;
            for (int64_t k = 0; k < K; k++)
                acc += x[k] * j->w[k];
            if (p->bias) acc += bias;
            p->out[m * p->N + n] = store_dt(p->dtype, acc);
        }
    }
    return NULL;
}

static int thread_count(const struct w4a16_args *p) {
    const char *env = getenv("W4A16_CPU_THREADS");
    long t;
    if (env && env[0]) {
        char *end;
        errno = 0;
        t = strtol(env, &end, 10);
        if (errno || *end || t < 1 || t > CPU_MAX_THREADS) {
            fprintf(stderr, "w4a16_cpu: ignoring W4A16_CPU_THREADS='%s' (want 1..%d)\n", env,
                    CPU_MAX_THREADS);
            t = 0;
        }
    } else {
        t = 0;
    }
    if (t == 0) {
        const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        const long long work = (long long)p->M * p->N * p->K / CPU_MACS_PER_THREAD;
        t = cpus > 0 ? cpus : 1;
        if (t > CPU_MAX_THREADS) t = CPU_MAX_THREADS;
        if (work < t) t = work < 1 ? 1 : (long)work;
    }
    if (t > p->N) t = p->N;
    return (int)t;
}

/* Runs jobs[0..T) on T-1 new threads plus the calling thread. */
static int run_threads(struct job *jobs, int T) {
    pthread_t tid[CPU_MAX_THREADS];
    int started[CPU_MAX_THREADS] = {0};
    int rc = 0;
    for (int i = 1; i < T; i++) {
        int e = pthread_create(&tid[i], NULL, run_job, &jobs[i]);
        if (e == 0)
            started[i] = 1;
        else
            run_job(&jobs[i]); /* e.g. EAGAIN: do the block here */
    }
    run_job(&jobs[0]);
    for (int i = 1; i < T; i++) {
        if (!started[i]) continue;
        int e = pthread_join(tid[i], NULL);
        if (e != 0) {
            fprintf(stderr, "w4a16_cpu: pthread_join: %s\n", strerror(e));
            rc = 3;
        }
    }
    return rc;
}

W4A16_EXPORT uint32_t w4a16_abi_version(void) {
    return W4A16_ABI_VERSION;
}

W4A16_EXPORT const char *w4a16_name(void) {
    return "w4a16_cpu (C, pthreads, float accumulation)";
}

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *p) {
    int rc = w4a16_check_args(p, "w4a16_cpu");
    if (rc != 0) return rc;
    const int T = thread_count(p);
    float *af = malloc(sizeof *af * (size_t)p->M * (size_t)p->K);
    float *w = malloc(sizeof *w * (size_t)T * (size_t)p->K);
    struct job *jobs = malloc(sizeof *jobs * (size_t)T);
    if (!af || !w || !jobs) {
        rc = fail(2, "out of memory");
    } else {
        widen_activations(p, af);
        for (int i = 0; i < T; i++) {
            jobs[i] = (struct job){.args = p,
                                   .af = af,
                                   .w = w + (size_t)i * (size_t)p->K,
                                   .n0 = (int32_t)((int64_t)p->N * i / T),
                                   .n1 = (int32_t)((int64_t)p->N * (i + 1) / T)};
        }
        rc = run_threads(jobs, T);
    }
    free(jobs);
    free(w);
    free(af);
    return rc;
}

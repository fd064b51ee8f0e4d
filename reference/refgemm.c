/* refgemm.c - the double-precision reference (see refgemm.h).
 *
 * Work is split over threads by column blocks: each thread owns a disjoint
 * range of output columns and computes every sum in the same k order, so the
 * bits do not depend on the thread count. Within a column block the loop runs
 * k-block by k-block so the block of W stays in cache across all rows m. */
#include "refgemm.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NB 256 /* columns per block */
#define KB 128 /* rows of W per block */

int ref_default_threads(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 256 ? 256 : (int)n);
}

struct job {
    const struct ref_input *in;
    const float *w;
    double *y, *absdot;
    float *wout;          /* dequant job: output W */
    int64_t c0, c1;       /* column range (blocks of NB) */
    const double *xd;     /* X as double [M][K] */
};

static void dequant_cols(const struct ref_input *in, float *w, int64_t n0, int64_t n1) {
    for (int64_t k = 0; k < in->K; k++) {
        int64_t g = in->g_idx[k];
        const uint8_t *q = in->q + k * in->N;
        const uint8_t *z = in->z + g * in->N;
        const uint16_t *s = in->s + g * in->N;
        float *row = w + k * in->N;
        for (int64_t n = n0; n < n1; n++)
            row[n] = (float)(((double)q[n] - (double)z[n]) * dt_to_double(in->dt, s[n]));
    }
}

static void gemm_cols(const struct job *j, int64_t n0, int64_t n1) {
    const struct ref_input *in = j->in;
    int64_t N = in->N, K = in->K, M = in->M;
    for (int64_t m = 0; m < M; m++) {
        memset(j->y + m * N + n0, 0, (size_t)(n1 - n0) * sizeof(double));
        if (j->absdot) memset(j->absdot + m * N + n0, 0, (size_t)(n1 - n0) * sizeof(double));
    }
    for (int64_t k0 = 0; k0 < K; k0 += KB) {
        int64_t k1 = k0 + KB < K ? k0 + KB : K;
        for (int64_t m = 0; m < M; m++) {
            double *yr = j->y + m * N;
            const double *xr = j->xd + m * K;
            for (int64_t k = k0; k < k1; k++) {
                double xv = xr[k];
                const float *wr = j->w + k * N;
                for (int64_t n = n0; n < n1; n++) yr[n] += xv * (double)wr[n];
            }
            if (!j->absdot) continue;
            double *ar = j->absdot + m * N;
            for (int64_t k = k0; k < k1; k++) {
                double xv = fabs(xr[k]);
                const float *wr = j->w + k * N;
                for (int64_t n = n0; n < n1; n++) ar[n] += xv * fabs((double)wr[n]);
            }
        }
    }
    if (!in->bias) return;
    for (int64_t m = 0; m < M; m++)
        for (int64_t n = n0; n < n1; n++) {
            double b = dt_to_double(in->dt, in->bias[n]);
            j->y[m * N + n] += b;
            if (j->absdot) j->absdot[m * N + n] += fabs(b);
        }
}

static void *job_run(void *arg) {
    struct job *j = arg;
    for (int64_t c = j->c0; c < j->c1; c++) {
        int64_t n0 = c * NB, n1 = n0 + NB < j->in->N ? n0 + NB : j->in->N;
        if (j->wout)
            dequant_cols(j->in, j->wout, n0, n1);
        else
            gemm_cols(j, n0, n1);
    }
    return NULL;
}

/* Runs job_run over column blocks on up to in->threads threads. A thread
 * that cannot be created has its share run inline: same bits either way. */
static int run_jobs(const struct ref_input *in, struct job proto) {
    int64_t blocks = (in->N + NB - 1) / NB;
    int t = in->threads > 0 ? in->threads : ref_default_threads();
    if (t > blocks) t = (int)blocks;
    if (t < 1) t = 1;
    struct job *jobs = calloc((size_t)t, sizeof *jobs);
    pthread_t *tid = calloc((size_t)t, sizeof *tid);
    char *live = calloc((size_t)t, 1);
    int rc = 0;
    if (!jobs || !tid || !live) {
        rc = -1;
        goto out;
    }
    for (int i = 0; i < t; i++) {
        jobs[i] = proto;
        jobs[i].c0 = blocks * i / t;
        jobs[i].c1 = blocks * (i + 1) / t;
        if (i > 0 && pthread_create(&tid[i], NULL, job_run, &jobs[i]) == 0) live[i] = 1;
    }
    for (int i = 0; i < t; i++)
        if (!live[i]) job_run(&jobs[i]);
    for (int i = 1; i < t; i++)
        if (live[i] && pthread_join(tid[i], NULL) != 0) rc = -1;
out:
    free(jobs);
    free(tid);
    free(live);
    return rc;
}

int ref_dequant(const struct ref_input *in, float *w) {
    struct job proto = {.in = in, .wout = w};
    return run_jobs(in, proto);
}

int ref_gemm(const struct ref_input *in, double *y, double *absdot) {
    float *w = malloc((size_t)(in->K * in->N) * sizeof *w);
    double *xd = malloc((size_t)(in->M * in->K) * sizeof *xd);
    if (!w || !xd) {
        free(w);
        free(xd);
        return -1;
    }
    for (int64_t i = 0; i < in->M * in->K; i++) xd[i] = dt_to_double(in->dt, in->x[i]);
    int rc = ref_dequant(in, w);
    if (rc == 0) {
        struct job proto = {.in = in, .w = w, .y = y, .absdot = absdot, .xd = xd};
        rc = run_jobs(in, proto);
    }
    free(w);
    free(xd);
    return rc;
}

void ref_round(dtype_t dt, const double *y, uint16_t *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = dt_from_double(dt, y[i]);
}

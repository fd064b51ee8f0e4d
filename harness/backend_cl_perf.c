/* backend_cl_perf.c - kernel timing and device peaks for `run --mode perf`
 * (see backend_cl.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_cl.h"
#include "backend_cl_priv.h"
#include "cl_errors.h"

#define ROTATE_BYTES (512.0 * 1048576.0) /* total input bytes rotated over */
#define MAX_SETS 64
#define PEAK_RUNS 5

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void err_cl(char *err, size_t len, const char *what, cl_int rc) {
    const char *name = cl_err_name_or_null(rc);
    snprintf(err, len, "%s: %s", what, name ? name : "unknown OpenCL error");
}

/* Bytes of one launch that the kernel must move at least once. */
static double launch_bytes(const struct run_bufs *rb, const struct abi_tensors *t) {
    double bytes = 0;
    for (int i = 0; i < NBUF; i++)
        if (i != BUF_OUT) bytes += (double)rb->bytes[i];
    if (!t->zp) bytes -= (double)rb->bytes[BUF_ZP]; /* dummies are not read */
    if (!t->perm) bytes -= (double)rb->bytes[BUF_PERM];
    if (!t->bias) bytes -= (double)rb->bytes[BUF_BIAS];
    return bytes + (double)(t->M * t->N) * 2.0;
}

static int sets_for(const struct cl_backend *b, double set_bytes) {
    int sets = (int)ceil(ROTATE_BYTES / set_bytes);
    if (sets < 2) sets = 2;
    if (sets > MAX_SETS) sets = MAX_SETS;
    while (sets > 1 && sets * set_bytes > (double)b->global_mem / 2) sets--;
    return sets;
}

/* Enqueues one launch on set s and returns its device time (ms), or -1. */
static double one_launch(struct cl_backend *b, const struct clb_prog *p, const struct abi_tensors *t,
                         const struct run_bufs *set, char *err, size_t errlen) {
    struct bk_result res;
    memset(&res, 0, sizeof res);
    if (clb_set_args(p->kernel, t, set, &res) != 0) {
        snprintf(err, errlen, "%s", res.reason);
        return -1;
    }
    size_t global[2] = {(size_t)t->N, (size_t)t->M}, local[2] = {p->lx, p->ly};
    if (p->lx) {
        global[0] = clb_round_up(global[0], p->lx);
        global[1] = clb_round_up(global[1], p->ly);
    }
    cl_event ev = NULL;
    cl_int rc = clEnqueueNDRangeKernel(b->queue, p->kernel, 2, NULL, global, p->lx ? local : NULL,
                                       0, NULL, &ev);
    if (rc != CL_SUCCESS) {
        err_cl(err, errlen, "clEnqueueNDRangeKernel", rc);
        return -1;
    }
    double ms = -1;
    if (clb_wait_kernel(b, ev, &res) != 0)
        snprintf(err, errlen, "%s", res.reason);
    else if ((ms = clb_event_ms(ev)) < 0)
        snprintf(err, errlen, "no profiling information for the kernel event");
    clReleaseEvent(ev);
    return ms;
}

int clb_time(struct cl_backend *b, const struct abi_tensors *t, int repeats, struct clb_perf *r,
             char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    struct bk_result res;
    memset(&res, 0, sizeof res);
    struct clb_prog *p = clb_get_prog(b, t, &res);
    if (!p) {
        snprintf(err, errlen, "%s", res.reason);
        free(res.log);
        return -1;
    }
    size_t out_total = (size_t)(t->M * t->N);
    uint16_t *out = calloc(out_total, sizeof *out);
    struct run_bufs sets[MAX_SETS];
    memset(sets, 0, sizeof sets);
    double *ms = calloc((size_t)repeats, sizeof *ms);
    int nsets = 0, rc = -1;
    if (!out || !ms) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    clb_plan_buffers(t, out, out_total, &sets[0]);
    r->bytes = launch_bytes(&sets[0], t);
    r->flops = 2.0 * (double)t->M * (double)t->N * (double)t->K;
    int want = sets_for(b, r->bytes);
    for (nsets = 0; nsets < want; nsets++) {
        clb_plan_buffers(t, out, out_total, &sets[nsets]);
        if (clb_create_buffers(b, &sets[nsets], &res) != 0) {
            clb_release_buffers(&sets[nsets], &res);
            if (nsets >= 2) break; /* fewer sets than wanted: still time */
            snprintf(err, errlen, "%s", res.reason);
            goto done;
        }
    }
    for (int i = 0; i < nsets; i++) /* warm-up: each set once */
        if (one_launch(b, p, t, &sets[i], err, errlen) < 0) goto done;
    for (int i = 0; i < repeats; i++)
        if ((ms[i] = one_launch(b, p, t, &sets[i % nsets], err, errlen)) < 0) goto done;
    r->sets = nsets;
    r->repeats = repeats;
    r->min_ms = r->max_ms = ms[0];
    for (int i = 1; i < repeats; i++) {
        r->min_ms = fmin(r->min_ms, ms[i]);
        r->max_ms = fmax(r->max_ms, ms[i]);
    }
    r->median_ms = median_of(ms, repeats);
    rc = 0;
done:
    for (int i = 0; i < nsets; i++) clb_release_buffers(&sets[i], &res);
    free(out);
    free(ms);
    return rc;
}

/* ---- peaks ------------------------------------------------------------- */

static const char *FMA_SRC =
    "__kernel void fma_peak(__global float *out, int iters, float a, float b) {\n"
    "    float4 x0 = (float4)(get_global_id(0)), x1 = x0 + 1.0f, x2 = x0 + 2.0f, x3 = x0 + 3.0f;\n"
    "    float4 x4 = x0 + 4.0f, x5 = x0 + 5.0f, x6 = x0 + 6.0f, x7 = x0 + 7.0f;\n"
    "    for (int i = 0; i < iters; i++) {\n"
    "        x0 = mad(x0, a, b); x1 = mad(x1, a, b); x2 = mad(x2, a, b); x3 = mad(x3, a, b);\n"
    "        x4 = mad(x4, a, b); x5 = mad(x5, a, b); x6 = mad(x6, a, b); x7 = mad(x7, a, b);\n"
    "    }\n"
    "    float4 s = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));\n"
    "    out[get_global_id(0)] = s.x + s.y + s.z + s.w;\n"
    "}\n";

static int measure_copy(struct cl_backend *b, double *gbs, char *err, size_t errlen) {
    size_t bytes = 256u << 20;
    while ((cl_ulong)bytes > b->max_alloc || (cl_ulong)bytes * 2 > b->global_mem / 2) bytes /= 2;
    cl_int rc;
    cl_mem src = clCreateBuffer(b->context, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    cl_mem dst = rc == CL_SUCCESS ? clCreateBuffer(b->context, CL_MEM_READ_WRITE, bytes, NULL, &rc)
                                  : NULL;
    double ms[PEAK_RUNS + 1];
    int ok = rc == CL_SUCCESS;
    if (!ok) err_cl(err, errlen, "clCreateBuffer(copy peak)", rc);
    for (int i = 0; ok && i <= PEAK_RUNS; i++) { /* run 0 is a warm-up */
        cl_event ev = NULL;
        rc = clEnqueueCopyBuffer(b->queue, src, dst, 0, 0, bytes, 0, NULL, &ev);
        if (rc == CL_SUCCESS) rc = clWaitForEvents(1, &ev);
        if (rc != CL_SUCCESS) {
            err_cl(err, errlen, "clEnqueueCopyBuffer(copy peak)", rc);
            ok = 0;
        } else if ((ms[i] = clb_event_ms(ev)) <= 0) {
            snprintf(err, errlen, "no profiling information for the copy");
            ok = 0;
        }
        if (ev) clReleaseEvent(ev);
    }
    if (src) clReleaseMemObject(src);
    if (dst) clReleaseMemObject(dst);
    if (!ok) return -1;
    *gbs = 2.0 * (double)bytes / (median_of(ms + 1, PEAK_RUNS) * 1e-3) / 1e9;
    return 0;
}

static int build_fma(struct cl_backend *b, cl_program *prog, cl_kernel *k, char *err,
                     size_t errlen) {
    cl_int rc;
    *prog = clCreateProgramWithSource(b->context, 1, &FMA_SRC, NULL, &rc);
    if (rc == CL_SUCCESS) rc = clBuildProgram(*prog, 1, &b->device, "", NULL, NULL);
    if (rc == CL_SUCCESS) *k = clCreateKernel(*prog, "fma_peak", &rc);
    if (rc != CL_SUCCESS) err_cl(err, errlen, "building the FMA peak kernel", rc);
    return rc == CL_SUCCESS ? 0 : -1;
}

static int measure_fma(struct cl_backend *b, double *gflops, char *err, size_t errlen) {
    cl_uint cus = 1;
    clGetDeviceInfo(b->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cus, &cus, NULL);
    const size_t global = (size_t)cus * 2048;
    const cl_int iters = 4096;
    const cl_float fa = 0.999f, fb = 0.001f;
    cl_program prog = NULL;
    cl_kernel k = NULL;
    cl_int rc = CL_SUCCESS;
    cl_mem out = NULL;
    double ms[PEAK_RUNS + 1];
    int ok = build_fma(b, &prog, &k, err, errlen) == 0;
    if (ok) out = clCreateBuffer(b->context, CL_MEM_WRITE_ONLY, global * sizeof(float), NULL, &rc);
    if (ok && rc == CL_SUCCESS) rc = clSetKernelArg(k, 0, sizeof out, &out);
    if (ok && rc == CL_SUCCESS) rc = clSetKernelArg(k, 1, sizeof iters, &iters);
    if (ok && rc == CL_SUCCESS) rc = clSetKernelArg(k, 2, sizeof fa, &fa);
    if (ok && rc == CL_SUCCESS) rc = clSetKernelArg(k, 3, sizeof fb, &fb);
    if (ok && rc != CL_SUCCESS) {
        err_cl(err, errlen, "setting up the FMA peak kernel", rc);
        ok = 0;
    }
    for (int i = 0; ok && i <= PEAK_RUNS; i++) {
        cl_event ev = NULL;
        rc = clEnqueueNDRangeKernel(b->queue, k, 1, NULL, &global, NULL, 0, NULL, &ev);
        if (rc == CL_SUCCESS) rc = clWaitForEvents(1, &ev);
        if (rc != CL_SUCCESS) {
            err_cl(err, errlen, "running the FMA peak kernel", rc);
            ok = 0;
        } else if ((ms[i] = clb_event_ms(ev)) <= 0) {
            snprintf(err, errlen, "no profiling information for the FMA kernel");
            ok = 0;
        }
        if (ev) clReleaseEvent(ev);
    }
    if (out) clReleaseMemObject(out);
    if (k) clReleaseKernel(k);
    if (prog) clReleaseProgram(prog);
    if (!ok) return -1;
    const double flops = 2.0 * 32.0 * (double)iters * (double)global;
    *gflops = flops / (median_of(ms + 1, PEAK_RUNS) * 1e-3) / 1e9;
    return 0;
}

int clb_measure_peaks(struct cl_backend *b, struct clb_peaks *pk, char *err, size_t errlen) {
    memset(pk, 0, sizeof *pk);
    if (measure_copy(b, &pk->copy_gbs, err, errlen) != 0) return -1;
    return measure_fma(b, &pk->fma_gflops, err, errlen);
}

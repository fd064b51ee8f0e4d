/* backend_cl_peaks.c - what the device can do at best, for `run --mode
 * perf` (see backend_cl.h and backend_cl_priv.h): a large buffer copy, an
 * FMA-bound kernel, an empty launch, and a read-only kernel of a case's size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend_cl.h"
#include "backends/backend_cl_priv.h"

#define PEAK_RUNS 5
#define FLOOR_RUNS 50

static int measure_copy(struct cl_backend *b, double *gbs, char *err, size_t errlen) {
    size_t bytes = 256u << 20;
    while ((cl_ulong)bytes > b->max_alloc || (cl_ulong)bytes * 2 > b->global_mem / 2)
        bytes /= 2;
    cl_int rc;
    cl_mem src = clCreateBuffer(b->context, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    cl_mem dst =
        rc == CL_SUCCESS ? clCreateBuffer(b->context, CL_MEM_READ_WRITE, bytes, NULL, &rc) : NULL;
    double ms[PEAK_RUNS + 1];
    int ok = rc == CL_SUCCESS;
    if (!ok) clb_err(err, errlen, "clCreateBuffer(copy peak)", rc);
    for (int i = 0; ok && i <= PEAK_RUNS; i++) { /* run 0 is a warm-up */
        cl_event ev = NULL;
        rc = clEnqueueCopyBuffer(b->queue, src, dst, 0, 0, bytes, 0, NULL, &ev);
        if (rc == CL_SUCCESS) rc = clWaitForEvents(1, &ev);
        if (rc != CL_SUCCESS) {
            clb_err(err, errlen, "clEnqueueCopyBuffer(copy peak)", rc);
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
    *gbs = 2.0 * (double)bytes / (clb_median(ms + 1, PEAK_RUNS) * 1e-3) / 1e9;
    return 0;
}

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

static cl_uint compute_units(const struct cl_backend *b) {
    cl_uint cus = 1;
    if (clGetDeviceInfo(b->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cus, &cus, NULL) !=
            CL_SUCCESS ||
        cus == 0)
        cus = 1;
    return cus;
}

static int measure_fma(struct cl_backend *b, double *gflops, char *err, size_t errlen) {
    struct clb_simple s;
    if (clb_build_simple(b, FMA_SRC, "fma_peak", &s, err, errlen) != 0) return -1;
    s.global = (size_t)compute_units(b) * 2048;
    const cl_int iters = 4096;
    const cl_float fa = 0.999f, fb = 0.001f;
    cl_int rc;
    cl_mem out = clCreateBuffer(b->context, CL_MEM_WRITE_ONLY, s.global * sizeof(float), NULL, &rc);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 0, sizeof out, &out);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 1, sizeof iters, &iters);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 2, sizeof fa, &fa);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 3, sizeof fb, &fb);
    int ok = rc == CL_SUCCESS;
    if (!ok) clb_err(err, errlen, "setting up the FMA peak kernel", rc);
    double ms[PEAK_RUNS];
    if (ok) /* a warm-up, then the runs */
        ok = clb_time_launches(b, clb_simple_enqueue, &s, 1, 1, ms, NULL, err, errlen) == 0 &&
             clb_time_launches(b, clb_simple_enqueue, &s, PEAK_RUNS, 1, ms, NULL, err, errlen) == 0;
    if (out) clReleaseMemObject(out);
    clb_release_simple(&s);
    if (!ok) return -1;
    const double flops = 2.0 * 32.0 * (double)iters * (double)s.global;
    *gflops = flops / (clb_median(ms, PEAK_RUNS) * 1e-3) / 1e9;
    return 0;
}

static const char *NOP_SRC = "__kernel void nop(__global int *p, int n) {\n"
                             "    if ((int)get_global_id(0) == n) p[0] = 0;\n"
                             "}\n";

/* The time of a launch that does nothing (one work-group of 32 work-items):
 * one at a time and back to back. */
static int measure_floor(struct cl_backend *b, struct clb_peaks *pk, char *err, size_t errlen) {
    struct clb_simple s;
    if (clb_build_simple(b, NOP_SRC, "nop", &s, err, errlen) != 0) return -1;
    s.global = s.local = 32;
    const cl_int never = -1;
    cl_int rc;
    cl_mem buf = clCreateBuffer(b->context, CL_MEM_READ_WRITE, 4, NULL, &rc);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 0, sizeof buf, &buf);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 1, sizeof never, &never);
    int ok = rc == CL_SUCCESS;
    if (!ok) clb_err(err, errlen, "setting up the empty kernel", rc);
    struct clb_phases ph; /* a warm-up, one at a time, back to back */
    if (ok) ok = clb_time_phases(b, clb_simple_enqueue, &s, 1, FLOOR_RUNS, &ph, err, errlen) == 0;
    if (ok) {
        pk->floor_ms = ph.median;
        pk->floor_stream_ms = ph.stream;
    }
    if (buf) clReleaseMemObject(buf);
    clb_release_simple(&s);
    return ok ? 0 : -1;
}

int clb_measure_peaks(struct cl_backend *b, struct clb_peaks *pk, char *err, size_t errlen) {
    memset(pk, 0, sizeof *pk);
    if (measure_copy(b, &pk->copy_gbs, err, errlen) != 0) return -1;
    if (measure_floor(b, pk, err, errlen) != 0) return -1;
    return measure_fma(b, &pk->fma_gflops, err, errlen);
}

/* Reads n4 128-bit words with every work-item's loads independent; the
 * result is stored only when it matches a value the inputs never give (the
 * buffers hold zeros), so no store traffic, and the loads stay live. */
static const char *READ_SRC =
    "__kernel void read_peak(__global const uint4 *p, int n4, __global uint *out) {\n"
    "    uint4 acc = (uint4)(0u);\n"
    "    for (int i = (int)get_global_id(0); i < n4; i += (int)get_global_size(0))\n"
    "        acc ^= p[i];\n"
    "    if (acc.x == 0x9E3779B9u && acc.y == 0x7F4A7C15u) out[0] = acc.z ^ acc.w;\n"
    "}\n";

int clb_measure_read(struct cl_backend *b, double bytes, int repeats, double *one_ms,
                     double *stream_ms, char *err, size_t errlen) {
    struct clb_simple s;
    if (clb_build_simple(b, READ_SRC, "read_peak", &s, err, errlen) != 0) return -1;
    const size_t n4 = ((size_t)bytes + 15) / 16;
    const int nsets = clb_sets_for(b, (double)n4 * 16);
    cl_mem bufs[CLB_MAX_SETS] = {0}, out = NULL;
    const cl_int n4i = (cl_int)n4;
    const cl_uint zero = 0;
    cl_int rc = n4 <= 0x7FFFFFFF ? CL_SUCCESS : CL_INVALID_BUFFER_SIZE;
    for (int i = 0; rc == CL_SUCCESS && i < nsets; i++) {
        bufs[i] = clCreateBuffer(b->context, CL_MEM_READ_ONLY, n4 * 16, NULL, &rc);
        if (rc == CL_SUCCESS)
            rc = clEnqueueFillBuffer(b->queue, bufs[i], &zero, sizeof zero, 0, n4 * 16, 0, NULL,
                                     NULL);
    }
    if (rc == CL_SUCCESS) out = clCreateBuffer(b->context, CL_MEM_WRITE_ONLY, 4, NULL, &rc);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 1, sizeof n4i, &n4i);
    if (rc == CL_SUCCESS) rc = clSetKernelArg(s.kernel, 2, sizeof out, &out);
    if (rc == CL_SUCCESS) rc = clFinish(b->queue);
    int ok = rc == CL_SUCCESS;
    if (!ok) clb_err(err, errlen, "setting up the read-only kernel", rc);
    s.local = 256;
    s.global = (size_t)compute_units(b) * 2048;
    if (s.global > n4) s.global = (n4 + s.local - 1) / s.local * s.local;
    s.bufs = bufs;
    s.nbufs = nsets;
    struct clb_phases ph; /* warm-up: each set once */
    if (ok) ok = clb_time_phases(b, clb_simple_enqueue, &s, nsets, repeats, &ph, err, errlen) == 0;
    if (ok) {
        *one_ms = ph.median;
        *stream_ms = ph.stream;
    }
    for (int i = 0; i < nsets; i++)
        if (bufs[i]) clReleaseMemObject(bufs[i]);
    if (out) clReleaseMemObject(out);
    clb_release_simple(&s);
    return ok ? 0 : -1;
}

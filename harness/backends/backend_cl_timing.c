/* backend_cl_timing.c - timing helpers shared by the perf mode's kernel
 * timing and device peaks (see backend_cl_priv.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend_cl.h"
#include "backends/backend_cl_priv.h"
#include "backends/cl_errors.h"

#define ROTATE_BYTES (512.0 * 1048576.0) /* total input bytes rotated over */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double clb_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void clb_summarize(double *v, int n, double *med, double *lo, double *hi) {
    *lo = *hi = v[0];
    for (int i = 1; i < n; i++) {
        *lo = fmin(*lo, v[i]);
        *hi = fmax(*hi, v[i]);
    }
    *med = clb_median(v, n);
}

void clb_err(char *err, size_t len, const char *what, cl_int rc) {
    const char *name = cl_err_name_or_null(rc);
    snprintf(err, len, "%s: %s", what, name ? name : "unknown OpenCL error");
}

int clb_sets_for(const struct cl_backend *b, double set_bytes) {
    int sets = (int)ceil(ROTATE_BYTES / set_bytes);
    if (sets < 2) sets = 2;
    if (sets > CLB_MAX_SETS) sets = CLB_MAX_SETS;
    while (sets > 1 && sets * set_bytes > (double)b->global_mem / 2)
        sets--;
    return sets;
}

int clb_stream_batches(int repeats) {
    int n = repeats / CLB_STREAM_PER;
    return n < 3 ? 3 : n;
}

/* Checks that ev completed and returns its start and end (ns). */
static int event_span(cl_event ev, cl_ulong *t0, cl_ulong *t1, char *err, size_t errlen) {
    cl_int exec = CL_COMPLETE;
    cl_int rc = clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof exec, &exec, NULL);
    if (rc == CL_SUCCESS && exec < 0) rc = exec;
    if (rc == CL_SUCCESS)
        rc = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof *t0, t0, NULL);
    if (rc == CL_SUCCESS)
        rc = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof *t1, t1, NULL);
    if (rc != CL_SUCCESS) {
        clb_err(err, errlen, "timed launch (execution status or profiling information)", rc);
        return -1;
    }
    if (*t1 < *t0) {
        snprintf(err, errlen, "profiling information: the launch ends before it starts");
        return -1;
    }
    return 0;
}

int clb_time_launches(struct cl_backend *b, clb_enqueue_fn fn, void *ctx, int batches, int per,
                      double *one, double *stream, char *err, size_t errlen) {
    int rc = 0;
    for (int j = 0; rc == 0 && j < batches; j++) {
        cl_event first = NULL, last = NULL;
        for (int n = 0; rc == 0 && n < per; n++)
            rc = fn(ctx, j * per + n, n == 0 ? &first : n == per - 1 ? &last : NULL, err, errlen);
        cl_int crc = clFinish(b->queue);
        if (rc == 0 && crc != CL_SUCCESS) {
            clb_err(err, errlen, "clFinish", crc);
            rc = -1;
        }
        cl_ulong f0 = 0, f1 = 0, l0 = 0, l1 = 0;
        if (rc == 0) rc = event_span(first, &f0, &f1, err, errlen);
        if (rc == 0 && last) rc = event_span(last, &l0, &l1, err, errlen);
        if (rc == 0 && per == 1) one[j] = (double)(f1 - f0) / 1e6;
        if (rc == 0 && per > 1) {
            if (l1 <= f0) {
                snprintf(err, errlen, "profiling information: a batch of launches has no duration");
                rc = -1;
            } else {
                stream[j] = (double)(l1 - f0) / 1e6 / per;
            }
        }
        if (first) clReleaseEvent(first);
        if (last) clReleaseEvent(last);
    }
    return rc;
}

int clb_time_phases(struct cl_backend *b, clb_enqueue_fn fn, void *ctx, int warmups, int repeats,
                    struct clb_phases *ph, char *err, size_t errlen) {
    memset(ph, 0, sizeof *ph);
    const int nb = clb_stream_batches(repeats);
    int room = repeats > warmups ? repeats : warmups;
    if (room < nb) room = nb;
    double *one = calloc((size_t)room, sizeof *one), *span = calloc((size_t)room, sizeof *span);
    int rc = -1;
    if (!one || !span)
        snprintf(err, errlen, "out of memory");
    else if (clb_time_launches(b, fn, ctx, warmups, 1, one, span, err, errlen) == 0 &&
             clb_time_launches(b, fn, ctx, repeats, 1, one, span, err, errlen) == 0 &&
             clb_time_launches(b, fn, ctx, nb, CLB_STREAM_PER, one, span, err, errlen) == 0) {
        double lo, hi;
        clb_summarize(one, repeats, &ph->median, &ph->min, &ph->max);
        clb_summarize(span, nb, &ph->stream, &lo, &hi);
        ph->stream_launches = nb * CLB_STREAM_PER;
        rc = 0;
    }
    free(one);
    free(span);
    return rc;
}

int clb_build_simple(struct cl_backend *b, const char *src, const char *name, struct clb_simple *s,
                     char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->queue = b->queue;
    cl_int rc;
    s->prog = clCreateProgramWithSource(b->context, 1, &src, NULL, &rc);
    if (rc == CL_SUCCESS) rc = clBuildProgram(s->prog, 1, &b->device, "", NULL, NULL);
    if (rc == CL_SUCCESS) s->kernel = clCreateKernel(s->prog, name, &rc);
    if (rc != CL_SUCCESS) {
        char what[96];
        snprintf(what, sizeof what, "building the %s kernel", name);
        clb_err(err, errlen, what, rc);
        clb_release_simple(s);
        return -1;
    }
    return 0;
}

void clb_release_simple(struct clb_simple *s) {
    if (s->kernel) clReleaseKernel(s->kernel);
    if (s->prog) clReleaseProgram(s->prog);
    s->kernel = NULL;
    s->prog = NULL;
}

int clb_simple_enqueue(void *ctx, int i, cl_event *ev, char *err, size_t errlen) {
    const struct clb_simple *s = ctx;
    cl_int rc = CL_SUCCESS;
    if (s->nbufs > 0) rc = clSetKernelArg(s->kernel, 0, sizeof(cl_mem), &s->bufs[i % s->nbufs]);
    if (rc == CL_SUCCESS)
        rc = clEnqueueNDRangeKernel(s->queue, s->kernel, 1, NULL, &s->global,
                                    s->local ? &s->local : NULL, 0, NULL, ev);
    if (rc != CL_SUCCESS) clb_err(err, errlen, "launching a timing kernel", rc);
    return rc == CL_SUCCESS ? 0 : -1;
}

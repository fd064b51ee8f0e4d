/* backend_cl_perf.c - timing an ABI kernel for `run --mode perf` (see
 * backend_cl.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend_cl.h"
#include "backends/backend_cl_priv.h"

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

struct w4_launch {
    struct cl_backend *b;
    const struct clb_prog *p;
    const struct abi_tensors *t;
    const struct run_bufs *sets;
    int nsets;
};

static int w4_enqueue(void *ctx, int i, cl_event *ev, char *err, size_t errlen) {
    const struct w4_launch *w = ctx;
    const struct abi_tensors *t = w->t;
    struct bk_result res;
    memset(&res, 0, sizeof res);
    if (clb_set_args(w->p->kernel, t, &w->sets[i % w->nsets], &res) != 0) {
        snprintf(err, errlen, "%s", res.reason);
        return -1;
    }
    size_t global[2] = {(size_t)t->N, (size_t)t->M}, local[2] = {w->p->lx, w->p->ly};
    if (w->p->lx) {
        global[0] = clb_round_up(global[0], w->p->lx);
        global[1] = clb_round_up(global[1], w->p->ly);
    }
    cl_int rc = clEnqueueNDRangeKernel(w->b->queue, w->p->kernel, 2, NULL, global,
                                       w->p->lx ? local : NULL, 0, NULL, ev);
    if (rc != CL_SUCCESS) {
        clb_err(err, errlen, "clEnqueueNDRangeKernel", rc);
        return -1;
    }
    return 0;
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
    struct run_bufs sets[CLB_MAX_SETS];
    memset(sets, 0, sizeof sets);
    int nsets = 0, rc = -1;
    if (!out) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    clb_plan_buffers(t, out, 0, &sets[0]);
    r->bytes = launch_bytes(&sets[0], t);
    r->flops = 2.0 * (double)t->M * (double)t->N * (double)t->K;
    int want = clb_sets_for(b, r->bytes);
    for (nsets = 0; nsets < want; nsets++) {
        clb_plan_buffers(t, out, 0, &sets[nsets]);
        if (clb_create_buffers(b, &sets[nsets], &res) != 0) {
            clb_release_buffers(&sets[nsets], &res);
            if (nsets >= 2) break; /* fewer sets than wanted: still time */
            snprintf(err, errlen, "%s", res.reason);
            goto done;
        }
    }
    struct w4_launch w = {b, p, t, sets, nsets};
    struct clb_phases ph; /* warm-up: each set once */
    if (clb_time_phases(b, w4_enqueue, &w, nsets, repeats, &ph, err, errlen) != 0) goto done;
    r->sets = nsets;
    r->repeats = repeats;
    r->median_ms = ph.median;
    r->min_ms = ph.min;
    r->max_ms = ph.max;
    r->stream_ms = ph.stream;
    r->stream_launches = ph.stream_launches;
    rc = 0;
done:
    for (int i = 0; i < nsets; i++)
        clb_release_buffers(&sets[i], &res);
    nsets = 0;
    /* the ceiling at this size (its failure costs only the comparison) */
    if (rc == 0 && clb_measure_read(b, r->bytes, repeats, &r->read_ms, &r->read_stream_ms,
                                    r->read_err, sizeof r->read_err) != 0)
        r->read_ms = r->read_stream_ms = 0;
    free(out);
    return rc;
}

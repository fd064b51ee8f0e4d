/* perf_mode.c - see perf_mode.h. */
#include "perf_mode.h"

#include <string.h>

void perf_mode_start(struct perf_mode *pm, struct cl_backend *cl, int repeats, FILE *out) {
    memset(pm, 0, sizeof *pm);
    pm->cl = cl;
    pm->repeats = repeats > 0 ? repeats : PERF_DEFAULT_REPEATS;
    char err[256];
    if (clb_measure_peaks(cl, &pm->peaks, err, sizeof err) == 0) {
        pm->have_peaks = 1;
        fprintf(out, "peaks: copy %.1f GB/s, fma %.1f GFLOP/s (measured on %s)\n",
                pm->peaks.copy_gbs, pm->peaks.fma_gflops, clb_device_name(cl));
    } else {
        fprintf(out, "peaks: not measured: %s\n", err);
    }
}

void perf_mode_hook(void *ctx, const struct case_result *r, const struct case_work *w) {
    struct perf_mode *pm = ctx;
    pm->have = 0;
    pm->err[0] = 0;
    if (r->verdict == V_SKIPPED || r->verdict == V_ERROR || !w->out) {
        snprintf(pm->err, sizeof pm->err, "not timed: the kernel did not run");
        return;
    }
    if (clb_time(pm->cl, &w->abi, pm->repeats, &pm->last, pm->err, sizeof pm->err) == 0)
        pm->have = 1;
}

void perf_mode_print(const struct perf_mode *pm, FILE *out) {
    if (!pm->have) {
        fprintf(out, "    perf: %s\n", pm->err);
        return;
    }
    const struct clb_perf *p = &pm->last;
    const double s = p->median_ms * 1e-3;
    const double gbs = p->bytes / s / 1e9, gflops = p->flops / s / 1e9;
    fprintf(out, "    perf: median %.2f us (min %.2f, max %.2f; %d runs over %d input sets) ",
            p->median_ms * 1e3, p->min_ms * 1e3, p->max_ms * 1e3, p->repeats, p->sets);
    fprintf(out, "%.1f GB/s", gbs);
    if (pm->have_peaks) fprintf(out, " (%.0f%% of copy)", 100.0 * gbs / pm->peaks.copy_gbs);
    fprintf(out, ", %.1f GFLOP/s", gflops);
    if (pm->have_peaks) fprintf(out, " (%.1f%% of fma)", 100.0 * gflops / pm->peaks.fma_gflops);
    fprintf(out, "\n");
}

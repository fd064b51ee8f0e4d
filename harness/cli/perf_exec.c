/* perf_exec.c - perf mode through an external kernel runner (perf_mode.h):
 * the runner times its own kernel (a torch runner: CUDA events per launch and
 * a CUDA graph of back-to-back launches, runners/python/torch_util.py) and
 * measures its device's copy peak; the harness turns the times into GB/s
 * over the same bytes as for OpenCL kernels (every ABI input read once, the
 * output written once) and shares of that copy peak. */
#include <string.h>

#include "cli/perf_mode.h"

/* The bytes one launch moves, as the OpenCL perf mode counts them. */
static double abi_bytes(const struct abi_tensors *t) {
    double b = (double)(t->M * t->K) * 2.0 + (double)t->b_words * 4.0 +
               (double)t->scale_elems * 2.0 + (double)(t->M * t->N) * 2.0;
    if (t->zp) b += (double)t->zp_words * 4.0;
    if (t->perm) b += (double)t->K * 4.0;
    if (t->bias) b += (double)t->N * 2.0;
    return b;
}

static double gbs(const struct perf_mode *pm, double ms) {
    return pm->xbytes / (ms * 1e-3) / 1e9;
}

void perf_mode_start_exec(struct perf_mode *pm, struct exec_backend *exec, int repeats, FILE *out,
                          const char *dir) {
    memset(pm, 0, sizeof *pm);
    pm->exec = exec;
    pm->repeats = repeats > 0 ? repeats : PERF_DEFAULT_REPEATS;
    exb_set_perf_runs(exec, pm->repeats);
    perf_mode_open_jsonl(pm, dir);
    char err[256] = "";
    pm->have_peaks = exb_copy_peak(exec, &pm->peaks.copy_gbs, err, sizeof err) == 0;
    if (pm->have_peaks)
        fprintf(out, "peaks: copy %.1f GB/s (measured by the runner %s)\n", pm->peaks.copy_gbs,
                exb_name(exec));
    else
        fprintf(out, "peaks: not measured: %s\n", err);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "peaks");
    cJSON_AddStringToObject(o, "device", exb_name(exec));
    if (pm->have_peaks)
        cJSON_AddNumberToObject(o, "copy_gbs", pm->peaks.copy_gbs);
    else
        cJSON_AddStringToObject(o, "error", err);
    perf_mode_write_line(pm, o);
}

void perf_exec_hook(struct perf_mode *pm, const struct case_result *r, const struct case_work *w) {
    pm->have = 0;
    if (r->verdict == V_SKIPPED || r->verdict == V_ERROR || !w->out) {
        snprintf(pm->err, sizeof pm->err, "not timed: the kernel did not run");
        return;
    }
    pm->xlast = *exb_last_perf(pm->exec);
    if (!pm->xlast.have) {
        snprintf(pm->err, sizeof pm->err,
                 "not timed: the runner reported no kernel_ms (a runner times itself when the "
                 "request's config has perf_runs)");
        return;
    }
    pm->xbytes = abi_bytes(&w->abi);
    pm->xflops = 2.0 * (double)w->abi.M * (double)w->abi.N * (double)w->abi.K;
    pm->have = 1;
}

static void print_rate(const struct perf_mode *pm, double ms, FILE *out) {
    fprintf(out, "%.2f us, %.1f GB/s", ms * 1e3, gbs(pm, ms));
    if (pm->have_peaks) fprintf(out, " (%.0f%% of copy)", 100.0 * gbs(pm, ms) / pm->peaks.copy_gbs);
    fprintf(out, ", %.1f GFLOP/s", pm->xflops / (ms * 1e-3) / 1e9);
}

void perf_exec_print(const struct perf_mode *pm, FILE *out) {
    const struct exb_perf *p = &pm->xlast;
    fprintf(out, "    perf (the runner's own timing: %s; %d runs): median ", p->method, p->runs);
    print_rate(pm, p->kernel_ms, out);
    fprintf(out, "\n");
    if (p->graph_ms > 0) {
        fprintf(out, "    perf in a CUDA graph (back to back): ");
        print_rate(pm, p->graph_ms, out);
        fprintf(out, " per launch\n");
    }
}

void perf_exec_record(struct perf_mode *pm, cJSON *o) {
    const struct exb_perf *p = &pm->xlast;
    cJSON_AddStringToObject(o, "timing", p->method);
    cJSON_AddNumberToObject(o, "bytes", pm->xbytes);
    cJSON_AddNumberToObject(o, "flops", pm->xflops);
    cJSON_AddNumberToObject(o, "runs", p->runs);
    cJSON_AddNumberToObject(o, "median_us", p->kernel_ms * 1e3);
    cJSON_AddNumberToObject(o, "gbs", gbs(pm, p->kernel_ms));
    cJSON_AddNumberToObject(o, "gflops", pm->xflops / (p->kernel_ms * 1e-3) / 1e9);
    if (pm->have_peaks)
        cJSON_AddNumberToObject(o, "copy_share", gbs(pm, p->kernel_ms) / pm->peaks.copy_gbs);
    if (p->graph_ms > 0) {
        cJSON_AddNumberToObject(o, "graph_us", p->graph_ms * 1e3);
        cJSON_AddNumberToObject(o, "graph_gbs", gbs(pm, p->graph_ms));
        if (pm->have_peaks)
            cJSON_AddNumberToObject(o, "graph_copy_share",
                                    gbs(pm, p->graph_ms) / pm->peaks.copy_gbs);
    }
    perf_mode_write_line(pm, o);
}

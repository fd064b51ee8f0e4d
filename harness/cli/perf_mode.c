/* perf_mode.c - see perf_mode.h. */
#include "cli/perf_mode.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cases/desc.h"

/* Writes obj as one line of perf.jsonl and frees it. */
void perf_mode_write_line(struct perf_mode *pm, cJSON *obj) {
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!pm->jsonl) {
        free(text);
        return;
    }
    if (!text || fprintf(pm->jsonl, "%s\n", text) < 0 || fflush(pm->jsonl) != 0) {
        if (!pm->write_failed)
            fprintf(stderr, "gptq-harness run: cannot write %s: %s\n", pm->path,
                    text ? strerror(errno) : "out of memory");
        pm->write_failed = 1;
    }
    free(text);
}

void perf_mode_open_jsonl(struct perf_mode *pm, const char *dir) {
    if (!dir) return;
    snprintf(pm->path, sizeof pm->path, "%s/perf.jsonl", dir);
    if (!(pm->jsonl = fopen(pm->path, "w"))) {
        fprintf(stderr, "gptq-harness run: cannot create %s: %s\n", pm->path, strerror(errno));
        pm->write_failed = 1;
    }
}

static void write_peaks(struct perf_mode *pm, const char *err) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "peaks");
    cJSON_AddStringToObject(o, "device", clb_device_name(pm->cl));
    if (pm->have_peaks) {
        cJSON_AddNumberToObject(o, "copy_gbs", pm->peaks.copy_gbs);
        cJSON_AddNumberToObject(o, "fma_gflops", pm->peaks.fma_gflops);
        cJSON_AddNumberToObject(o, "empty_launch_us", pm->peaks.floor_ms * 1e3);
        cJSON_AddNumberToObject(o, "empty_launch_back_to_back_us", pm->peaks.floor_stream_ms * 1e3);
    } else {
        cJSON_AddStringToObject(o, "error", err);
    }
    perf_mode_write_line(pm, o);
}

void perf_mode_start(struct perf_mode *pm, struct cl_backend *cl, int repeats, FILE *out,
                     const char *dir) {
    memset(pm, 0, sizeof *pm);
    pm->cl = cl;
    pm->repeats = repeats > 0 ? repeats : PERF_DEFAULT_REPEATS;
    perf_mode_open_jsonl(pm, dir);
    char err[256] = "";
    if (clb_measure_peaks(cl, &pm->peaks, err, sizeof err) == 0) {
        pm->have_peaks = 1;
        fprintf(out,
                "peaks: copy %.1f GB/s, fma %.1f GFLOP/s; empty launch %.2f us one at a time, "
                "%.2f us back to back (measured on %s)\n",
                pm->peaks.copy_gbs, pm->peaks.fma_gflops, pm->peaks.floor_ms * 1e3,
                pm->peaks.floor_stream_ms * 1e3, clb_device_name(cl));
    } else {
        fprintf(out, "peaks: not measured: %s\n", err);
    }
    write_peaks(pm, err);
}

void perf_mode_hook(void *ctx, const struct case_result *r, const struct case_work *w) {
    struct perf_mode *pm = ctx;
    if (pm->exec) {
        perf_exec_hook(pm, r, w);
        return;
    }
    pm->have = 0;
    pm->err[0] = 0;
    if (r->verdict == V_SKIPPED || r->verdict == V_ERROR || !w->out) {
        snprintf(pm->err, sizeof pm->err, "not timed: the kernel did not run");
        return;
    }
    if (clb_time(pm->cl, &w->abi, pm->repeats, &pm->last, pm->err, sizeof pm->err) == 0)
        pm->have = 1;
}

/* GB/s of a launch of ms (every input read once, the output written once). */
static double gbs_at(const struct clb_perf *p, double ms) {
    return p->bytes / (ms * 1e-3) / 1e9;
}

/* " GB/s (share of copy), GFLOP/s (share of fma)" for a launch of ms. */
static void print_rates(const struct perf_mode *pm, double ms, FILE *out) {
    const struct clb_perf *p = &pm->last;
    const double gbs = gbs_at(p, ms), gflops = p->flops / (ms * 1e-3) / 1e9;
    fprintf(out, "%.1f GB/s", gbs);
    if (pm->have_peaks) fprintf(out, " (%.0f%% of copy)", 100.0 * gbs / pm->peaks.copy_gbs);
    fprintf(out, ", %.1f GFLOP/s", gflops);
    if (pm->have_peaks) fprintf(out, " (%.1f%% of fma)", 100.0 * gflops / pm->peaks.fma_gflops);
}

void perf_mode_print(const struct perf_mode *pm, FILE *out) {
    if (!pm->have) {
        fprintf(out, "    perf: %s\n", pm->err);
        return;
    }
    if (pm->exec) {
        perf_exec_print(pm, out);
        return;
    }
    const struct clb_perf *p = &pm->last;
    fprintf(out, "    perf: median %.2f us (min %.2f, max %.2f; %d runs over %d input sets) ",
            p->median_ms * 1e3, p->min_ms * 1e3, p->max_ms * 1e3, p->repeats, p->sets);
    print_rates(pm, p->median_ms, out);
    fprintf(out, "\n    perf back to back: %.2f us per launch (median of %d batches of %d) ",
            p->stream_ms * 1e3, p->stream_launches / CLB_STREAM_PER, CLB_STREAM_PER);
    print_rates(pm, p->stream_ms, out);
    fprintf(out, "\n");
    if (p->read_ms <= 0) {
        fprintf(out, "    perf ceiling: not measured: %s\n", p->read_err);
        return;
    }
    fprintf(out,
            "    perf ceiling: a read-only kernel over the same %.3g MB takes %.2f us (%.1f GB/s, "
            "%.0f%% of copy), back to back %.2f us; this kernel reaches %.0f%% / %.0f%% of it\n",
            p->bytes / 1e6, p->read_ms * 1e3, gbs_at(p, p->read_ms),
            pm->have_peaks ? 100.0 * gbs_at(p, p->read_ms) / pm->peaks.copy_gbs : 0.0,
            p->read_stream_ms * 1e3, 100.0 * p->read_ms / p->median_ms,
            100.0 * p->read_stream_ms / p->stream_ms);
}

void perf_mode_record(struct perf_mode *pm, int64_t index, const struct case_desc *d) {
    if (!pm->jsonl) return;
    char desc[1024];
    if (desc_print(d, desc, sizeof desc) < 0) desc[0] = 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "case");
    cJSON_AddNumberToObject(o, "index", (double)index);
    cJSON_AddStringToObject(o, "descriptor", desc);
    cJSON_AddBoolToObject(o, "timed", pm->have);
    if (!pm->have) {
        cJSON_AddStringToObject(o, "reason", pm->err);
        perf_mode_write_line(pm, o);
        return;
    }
    if (pm->exec) {
        perf_exec_record(pm, o);
        return;
    }
    const struct clb_perf *p = &pm->last;
    cJSON_AddNumberToObject(o, "bytes", p->bytes);
    cJSON_AddNumberToObject(o, "flops", p->flops);
    cJSON_AddNumberToObject(o, "runs", p->repeats);
    cJSON_AddNumberToObject(o, "input_sets", p->sets);
    cJSON_AddNumberToObject(o, "median_us", p->median_ms * 1e3);
    cJSON_AddNumberToObject(o, "min_us", p->min_ms * 1e3);
    cJSON_AddNumberToObject(o, "max_us", p->max_ms * 1e3);
    cJSON_AddNumberToObject(o, "gbs", gbs_at(p, p->median_ms));
    cJSON_AddNumberToObject(o, "gflops", p->flops / (p->median_ms * 1e-3) / 1e9);
    cJSON_AddNumberToObject(o, "back_to_back_launches", p->stream_launches);
    cJSON_AddNumberToObject(o, "back_to_back_us", p->stream_ms * 1e3);
    cJSON_AddNumberToObject(o, "back_to_back_gbs", gbs_at(p, p->stream_ms));
    if (pm->have_peaks) {
        cJSON_AddNumberToObject(o, "copy_share", gbs_at(p, p->median_ms) / pm->peaks.copy_gbs);
        cJSON_AddNumberToObject(o, "back_to_back_copy_share",
                                gbs_at(p, p->stream_ms) / pm->peaks.copy_gbs);
    }
    if (p->read_ms > 0) {
        cJSON_AddNumberToObject(o, "read_only_us", p->read_ms * 1e3);
        cJSON_AddNumberToObject(o, "read_only_back_to_back_us", p->read_stream_ms * 1e3);
        cJSON_AddNumberToObject(o, "read_only_share", p->read_ms / p->median_ms);
        cJSON_AddNumberToObject(o, "read_only_back_to_back_share",
                                p->read_stream_ms / p->stream_ms);
    } else {
        cJSON_AddStringToObject(o, "read_only_error", p->read_err);
    }
    perf_mode_write_line(pm, o);
}

int perf_mode_finish(struct perf_mode *pm) {
    if (pm->jsonl && fclose(pm->jsonl) != 0 && !pm->write_failed) {
        fprintf(stderr, "gptq-harness run: cannot write %s: %s\n", pm->path, strerror(errno));
        pm->write_failed = 1;
    }
    pm->jsonl = NULL;
    return pm->write_failed ? -1 : 0;
}

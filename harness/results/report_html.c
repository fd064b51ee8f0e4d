/* report_html.c - RUN/report.html (see report.h). The page is also
 * well-formed XML (XHTML syntax, inline SVG), so tests can check it with an
 * XML parser; it needs no script and no file besides itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "results/report.h"
#include "results/report_model.h"

#define SVG_MAX ((long)32 << 20)

static const char *vclass(int v) {
    static const char *names[V_COUNT] = {"pass", "fail", "mist", "skip", "err"};
    return (v >= 0 && v < V_COUNT) ? names[v] : "none";
}

static void esc(FILE *f, const char *s) {
    markup_escape(f, s);
}

static const char CSS[] =
    "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}code{font-size:0.95em;word-break:break-all}"
    ".pass{background:#c8e6c9}.fail{background:#ffcdd2}.mist{background:#ffe0b2}"
    ".err{background:#e1bee7}.skip{background:#eeeeee}.none{background:#fff}"
    ".mx td{text-align:center;white-space:nowrap}.mx td.row{text-align:left;white-space:nowrap}"
    ".scroll{overflow-x:auto;max-width:100%}.head th{width:8em}"
    ".badge{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:4px}"
    ".warn{background:#fff3cd;border:1px solid #e0c060;padding:6px 10px}"
    "figure{margin:1em 0}figure svg{width:100%;max-width:1000px;height:auto;"
    "border:1px solid #ddd}svg image{image-rendering:pixelated}"
    "figcaption{font-size:0.85em;color:#444}";

/* PARTIAL at the top: why, the exit code, and the cases without a result. */
static void partial(FILE *f, const struct report_input *in) {
    const struct run_gaps *g = in->gaps;
    if (!gaps_partial(g)) return;
    fputs("<div class=\"warn\"><p><strong>PARTIAL</strong>: ", f);
    esc(f, g->note[0] ? g->note : "cases missing");
    fprintf(f, " (exit code %d).", in->exit_code);
    if (g->n) fprintf(f, " %zu case(s) of the sweep have no result:", g->n);
    fputs("</p>\n", f);
    if (g->n) fputs("<ul>\n", f);
    char buf[64];
    for (size_t i = 0; i < g->n && i < GAPS_LISTED; i++) {
        fputs("<li>not run: <code>", f);
        esc(f, gaps_name(&g->v[i], buf, sizeof buf));
        fputs("</code></li>\n", f);
    }
    if (g->n > GAPS_LISTED) fprintf(f, "<li>... and %zu more</li>\n", g->n - GAPS_LISTED);
    if (g->n) fputs("</ul>\n", f);
    fputs("</div>\n", f);
}

static void begin(FILE *f, const struct report_input *in) {
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<title>",
          f);
    esc(f, in->title);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", CSS);
    esc(f, in->title);
    fputs("</h1>\n", f);
    partial(f, in);
    const char *labels[4], *values[4];
    char when[64];
    size_t n = report_head(in, labels, values, when);
    if (!n) return;
    fputs("<table class=\"head\">\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "<tr><th>%s</th><td>", labels[i]);
        if (!strcmp(labels[i], "command")) fputs("<code>", f);
        esc(f, values[i]);
        if (!strcmp(labels[i], "command")) fputs("</code>", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void end(FILE *f) {
    fputs("</body>\n</html>\n", f);
}

static void badges(FILE *f, const struct rm_tally *t) {
    static const char *words[V_COUNT] = {"passed", "failed", "mistrusted", "skipped", "errors"};
    fputs("<p>", f);
    fprintf(f, "<span class=\"badge none\">%ld cases</span>", t->n);
    for (int v = 0; v < V_COUNT; v++)
        fprintf(f, "<span class=\"badge %s\">%ld %s</span>", vclass(v), t->by[v], words[v]);
    fputs("</p>\n", f);
}

/* ---- against the baseline ------------------------------------------------- */

static void section_baseline(FILE *f, const struct report_input *in, const struct rm_model *m) {
    const struct bl_report *bl = in->bl;
    fputs("<h2 id=\"baseline\">Against the baseline</h2>\n<p>Baseline <code>", f);
    esc(f, bl->path);
    fprintf(f,
            "</code>; drift: worst_ratio grew more than x%g. %zu regression(s), %zu new "
            "failure(s), %zu drift, %zu fixed, %zu known failure(s), %zu new case(s), %zu no "
            "longer run (passed in the baseline, skipped now).</p>\n",
            bl->factor, bl->count[BL_REGRESSION], bl->count[BL_NEW_FAILURE], bl->count[BL_DRIFT],
            bl->count[BL_FIXED], bl->count[BL_KNOWN_FAILURE], bl->count[BL_NEW],
            bl->count[BL_NOT_RUN]);
    if (!m->nfindings) {
        fputs("<p>No regressions, no new failures, no drift, nothing fixed.</p>\n", f);
        return;
    }
    fputs("<table><tr><th>finding</th><th>what</th><th>repro</th></tr>\n", f);
    for (size_t i = 0; i < m->nfindings; i++) {
        const struct rm_finding *fi = &m->findings[i];
        if (fi->more) {
            fprintf(f, "<tr><td colspan=\"3\">... %zu more %s</td></tr>\n", fi->more,
                    bl_kind_name(fi->kind));
            continue;
        }
        const struct case_record *r = &in->l->v[fi->rec];
        char text[600];
        bl_finding_text(&bl->f[fi->rec], r, bl->factor, text, sizeof text);
        fprintf(f, "<tr class=\"%s\"><td>%s</td><td>", vclass(r->verdict), bl_kind_name(fi->kind));
        esc(f, text);
        fputs("</td><td><code>", f);
        esc(f, r->repro ? r->repro : r->desc);
        fputs("</code></td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* ---- summary and environment ---------------------------------------------- */

static void section_summary(FILE *f, const struct report_input *in, const struct rm_model *m) {
    const struct record_list *l = in->l;
    fputs("<h2 id=\"summary\">Summary</h2>\n", f);
    badges(f, &m->total);
    fputs("<table>\n", f);
    if (l->have_sweep)
        fprintf(f,
                "<tr><th>sweep</th><td>%lld cases (hash %016llx); this report holds %zu of "
                "them</td></tr>\n",
                (long long)l->sweep.cases, (unsigned long long)l->sweep.hash, l->n);
    fprintf(f, "<tr><th>exit code</th><td>%d</td></tr>\n", in->exit_code);
    fprintf(f, "<tr><th>case time</th><td>Case time: %.3f s (sum over cases)</td></tr>\n",
            m->case_time);
    fputs("</table>\n", f);
}

static void section_env(FILE *f, const struct record_list *l) {
    fputs("<h2 id=\"environment\">Environment</h2>\n<table><tr>", f);
    for (int k = 0; k < RUN_ENV_FIELDS; k++)
        fprintf(f, "<th>%s</th>", run_env_titles[k]);
    fputs("</tr>\n", f);
    for (size_t i = 0; i < l->nenv; i++) {
        const char *values[RUN_ENV_FIELDS];
        run_env_values(&l->env[i], values);
        fputs("<tr>", f);
        for (int k = 0; k < RUN_ENV_FIELDS; k++) {
            fputs("<td>", f);
            esc(f, values[k]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* ---- the matrix ----------------------------------------------------------- */

/* One header row: consecutive columns with the same label share a cell. */
static void header_row(FILE *f, const struct rm_model *m, int level) {
    fputs("<tr><th></th>", f);
    for (size_t c = 0; c < m->ncols;) {
        size_t span = 1;
        const struct rm_col *a = &m->cols[c];
        while (c + span < m->ncols && level < 2) {
            const struct rm_col *b = &m->cols[c + span];
            if (a->zp != b->zp || (level == 1 && a->gidx != b->gidx)) break;
            span++;
        }
        char g[32];
        if (a->g == 0)
            snprintf(g, sizeof g, "g=other");
        else
            snprintf(g, sizeof g, "g=%lld", (long long)a->g);
        fprintf(f, "<th colspan=\"%zu\">%s</th>", span,
                level == 0   ? zp_name(a->zp)
                : level == 1 ? gidx_name(a->gidx)
                             : g);
        c += span;
    }
    fputs("</tr>\n", f);
}

static void section_matrix(FILE *f, const struct rm_model *m) {
    fputs("<h2 id=\"matrix\">Format x variant</h2>\n<p>" RM_MATRIX_TEXT
          "</p>\n<div class=\"scroll\"><table class=\"mx\">\n",
          f);
    for (int level = 0; level < 3; level++)
        header_row(f, m, level);
    for (size_t r = 0; r < m->nrows; r++) {
        char label[128];
        rm_row_label(&m->rows[r], label, sizeof label);
        fputs("<tr><td class=\"row\">", f);
        esc(f, label);
        fputs("</td>", f);
        for (size_t c = 0; c < m->ncols; c++) {
            const struct rm_tally *t = &m->cell[r * m->ncols + c];
            if (!t->n) {
                fputs("<td class=\"none\"></td>", f);
                continue;
            }
            fprintf(f,
                    "<td class=\"%s\" title=\"%ld passed, %ld failed, %ld mistrusted, %ld "
                    "skipped, %ld errors\">%ld/%ld</td>",
                    vclass(rm_cell_verdict(t)), t->by[V_PASSED], t->by[V_FAILED],
                    t->by[V_MISTRUSTED], t->by[V_SKIPPED], t->by[V_ERROR], t->by[V_PASSED], t->n);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

/* ---- worst cases ---------------------------------------------------------- */

/* One case: metrics and err_norm, then the descriptor, notes and repro. */
static void html_case(FILE *f, const struct case_record *r) {
    char met[512], en[32];
    record_metrics_line(r, met, sizeof met);
    fmt_g3(en, sizeof en, r->err_norm);
    fputs("<td>", f);
    esc(f, met);
    if (!isnan(r->err_norm)) fprintf(f, " err_norm=%s", en);
    fprintf(f, "</td><td>#%lld <code>", (long long)r->index);
    esc(f, r->desc);
    fputs("</code>", f);
    const char *labels[3], *texts[3];
    for (size_t k = 0, n = rm_case_notes(r, labels, texts); k < n; k++) {
        fprintf(f, "<br/>%s: ", labels[k]);
        esc(f, texts[k]);
    }
    if (r->verdict != V_PASSED) {
        fputs("<br/>repro: <code>", f);
        esc(f, r->repro ? r->repro : r->desc);
        fputs("</code>", f);
    }
    fputs("</td>", f);
}

static void section_worst(FILE *f, const struct report_input *in, const struct rm_model *m) {
    fprintf(
        f,
        "<h2 id=\"worst\">Worst cases</h2>\n<p>%zu failing case(s) in %zu group(s). " RM_WORST_TEXT
        ".</p>\n",
        m->failing, m->ngroups);
    if (m->ngroups) {
        fputs("<table><tr><th>cases</th><th>diagnosis</th><th>worst example: metrics</th>"
              "<th>case</th></tr>\n",
              f);
        for (size_t g = 0; g < m->ngroups; g++) {
            const struct rm_group *gr = &m->groups[g];
            fprintf(f, "<tr><td>%zu</td><td class=\"%s\">", gr->count, vclass(gr->verdict));
            esc(f, rm_group_label(gr));
            fputs("</td>", f);
            html_case(f, &in->l->v[gr->example]);
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    for (size_t i = 0; i < m->nclosest; i++) {
        const struct case_record *r = &in->l->v[m->closest[i]];
        if (i == 0)
            fputs("<p>" RM_CLOSEST_TEXT ":</p>\n<table><tr><th>metrics</th><th>case</th></tr>\n",
                  f);
        fputs("<tr>", f);
        html_case(f, r);
        fputs("</tr>\n", f);
    }
    if (m->nclosest) fputs("</table>\n", f);
}

/* ---- plots ---------------------------------------------------------------- */

int report_svg_inline(FILE *out, const char *path, const char *prefix) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= SVG_MAX &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n)
        buf[n] = 0;
    else
        n = -1;
    fclose(f);
    char *p = n >= 0 ? strstr(buf, "<svg") : NULL;
    if (!p) {
        free(buf);
        return -1;
    }
    static const char *pats[] = {" id='", " id=\"", "href='#", "href=\"#", "url(#"};
    while (*p) {
        size_t k = 0, len = 0;
        for (; k < sizeof pats / sizeof *pats; k++) {
            len = strlen(pats[k]);
            if (strncmp(p, pats[k], len) == 0) break;
        }
        if (k < sizeof pats / sizeof *pats) {
            fwrite(p, 1, len, out);
            fputs(prefix, out);
            p += len;
        } else {
            fputc(*p++, out);
        }
    }
    free(buf);
    return 0;
}

static void figure(FILE *f, const struct plot_file *pf, const char *prefix, const char *caption,
                   const char *caption2) {
    fputs("<figure>\n", f);
    if (!pf->ok || report_svg_inline(f, pf->svg, prefix) != 0) {
        fputs("<p class=\"warn\">plot missing: <code>", f);
        esc(f, pf->svg);
        fputs("</code></p>", f);
    }
    fputs("\n<figcaption>", f);
    esc(f, caption);
    if (caption2) {
        fputs("<br/>", f);
        esc(f, caption2);
    }
    fputs("</figcaption>\n</figure>\n", f);
}

static void section_plots(FILE *f, const struct report_input *in) {
    const struct plots *p = in->plots;
    fputs("<h2 id=\"plots\">Plots</h2>\n", f);
    if (!p || p->missing[0]) {
        fputs("<p class=\"warn\">", f);
        esc(f, p ? p->missing : "plots are missing: not made");
        fputs("</p>\n", f);
    }
    if (!p) return;
    figure(f, &p->k, "k-", RM_K_TEXT, NULL);
    figure(f, &p->variant, "v-", RM_VARIANT_TEXT, NULL);
    if (p->nheat || p->heat_flat)
        fputs("<h3>Error heatmaps, one per diagnosis</h3>\n<p>" RM_HEAT_TEXT "</p>\n", f);
    for (size_t i = 0; i < p->nheat; i++) {
        const struct case_record *r = &in->l->v[p->heat[i].rec];
        struct rm_group g = {.verdict = r->verdict};
        rm_group_key(r, g.key, sizeof g.key);
        char prefix[32], cap[1500], what[160];
        snprintf(prefix, sizeof prefix, "h%zu-", i);
        plots_heat_what(&p->heat[i], r, what, sizeof what);
        snprintf(cap, sizeof cap,
                 "%s (%zu case(s) with a grid or probe map); drawn: %s of %s #%lld: %s",
                 rm_group_label(&g), p->heat[i].cases, what, verdict_name(r->verdict),
                 (long long)r->index, r->desc);
        figure(f, &p->heat[i].f, prefix, cap, r->where);
    }
    if (p->heat_flat)
        fprintf(f, "<p>" RM_HEAT_FLAT_TEXT "</p>\n", p->heat_flat, PLOTS_MAX_HEATMAPS);
}

int report_write_html(const struct report_input *in, char *err, size_t errlen) {
    static const struct report_format html = {"report.html",   begin,         section_baseline,
                                              section_summary, section_env,   section_matrix,
                                              section_worst,   section_plots, end};
    return report_write(in, &html, err, errlen);
}

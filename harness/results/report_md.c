/* report_md.c - RUN/report.md (see report.h): GitHub-flavoured Markdown,
 * plots as PNG files in RUN/plots/. Verdict colours become marks:
 * PASSED ok, FAILED FAIL, MISTRUSTED MISTRUST, ERROR ERROR, SKIPPED skip. */
#include <math.h>
#include <string.h>

#include "util/escape.h"
#include "results/report.h"
#include "results/report_model.h"

static const char *mark(int v) {
    static const char *marks[V_COUNT] = {"ok", "**FAIL**", "**MISTRUST**", "skip", "**ERROR**"};
    return (v >= 0 && v < V_COUNT) ? marks[v] : "";
}

/* Text in a table cell or a paragraph: one line, '|' and markup characters
 * escaped, '<' and '&' as entities (GitHub renders inline HTML). */
static void md_text(FILE *f, const char *s) {
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            fputc(' ', f);
        else if (*p == '<')
            fputs("&lt;", f);
        else if (*p == '&')
            fputs("&amp;", f);
        else if (strchr("|\\`*[]#", *p))
            fprintf(f, "\\%c", *p);
        else if (*p >= 0x20)
            fputc(*p, f);
    }
}

/* A code span (descriptors, repro lines): backticks cannot occur in it, so
 * they are replaced; '|' is escaped for tables. */
static void md_code(FILE *f, const char *s) {
    fputs("`", f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '`')
            fputc('\'', f);
        else if (*p == '|')
            fputs("\\|", f);
        else if (*p >= 0x20)
            fputc(*p, f);
    }
    fputs("`", f);
}

/* PARTIAL at the top: why, the exit code, and the cases without a result. */
static void partial(FILE *f, const struct report_input *in) {
    const struct run_gaps *g = in->gaps;
    if (!gaps_partial(g)) return;
    fputs("**PARTIAL**: ", f);
    md_text(f, g->note[0] ? g->note : "cases missing");
    fprintf(f, " (exit code %d).", in->exit_code);
    if (g->n) fprintf(f, " %zu case(s) of the sweep have no result:", g->n);
    fputs("\n\n", f);
    char buf[64];
    for (size_t i = 0; i < g->n && i < GAPS_LISTED; i++) {
        fputs("- not run: ", f);
        md_code(f, gaps_name(&g->v[i], buf, sizeof buf));
        fputs("\n", f);
    }
    if (g->n > GAPS_LISTED) fprintf(f, "- ... and %zu more\n", g->n - GAPS_LISTED);
    if (g->n) fputs("\n", f);
}

static void begin(FILE *f, const struct report_input *in) {
    fputs("# ", f);
    md_text(f, in->title);
    fputs("\n\n", f);
    partial(f, in);
    const char *labels[4], *values[4];
    char when[64];
    size_t n = report_head(in, labels, values, when);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "- %s: ", labels[i]);
        if (!strcmp(labels[i], "command"))
            md_code(f, values[i]);
        else
            md_text(f, values[i]);
        fputs("\n", f);
    }
    if (n) fputs("\n", f);
}

static void end(FILE *f) {
    (void)f;
}

static void section_baseline(FILE *f, const struct report_input *in, const struct rm_model *m) {
    const struct bl_report *bl = in->bl;
    fputs("## Against the baseline\n\nBaseline ", f);
    md_code(f, bl->path);
    fprintf(f,
            "; drift: worst_ratio grew more than x%g. %zu regression(s), %zu new failure(s), %zu "
            "drift, %zu fixed, %zu known failure(s), %zu new case(s), %zu no longer run (passed in "
            "the baseline, skipped now).\n\n",
            bl->factor, bl->count[BL_REGRESSION], bl->count[BL_NEW_FAILURE], bl->count[BL_DRIFT],
            bl->count[BL_FIXED], bl->count[BL_KNOWN_FAILURE], bl->count[BL_NEW],
            bl->count[BL_NOT_RUN]);
    if (!m->nfindings) {
        fputs("No regressions, no new failures, no drift, nothing fixed.\n\n", f);
        return;
    }
    fputs("| finding | what | repro |\n|---|---|---|\n", f);
    for (size_t i = 0; i < m->nfindings; i++) {
        const struct rm_finding *fi = &m->findings[i];
        if (fi->more) {
            fprintf(f, "| ... | %zu more %s | |\n", fi->more, bl_kind_name(fi->kind));
            continue;
        }
        const struct case_record *r = &in->l->v[fi->rec];
        char text[600];
        bl_finding_text(&bl->f[fi->rec], r, bl->factor, text, sizeof text);
        fprintf(f, "| %s | ", bl_kind_name(fi->kind));
        md_text(f, text);
        fputs(" | ", f);
        md_code(f, r->repro ? r->repro : r->desc);
        fputs(" |\n", f);
    }
    fputc('\n', f);
}

static void section_summary(FILE *f, const struct report_input *in, const struct rm_model *m) {
    const struct rm_tally *t = &m->total;
    fprintf(f,
            "## Summary\n\n%ld cases: %ld passed, %ld failed, %ld mistrusted, %ld skipped, %ld "
            "errors. Exit code %d.\n\n",
            t->n, t->by[V_PASSED], t->by[V_FAILED], t->by[V_MISTRUSTED], t->by[V_SKIPPED],
            t->by[V_ERROR], in->exit_code);
    if (in->l->have_sweep)
        fprintf(f, "Sweep: %lld cases (hash %016llx); this report holds %zu of them.\n\n",
                (long long)in->l->sweep.cases, (unsigned long long)in->l->sweep.hash, in->l->n);
    fprintf(f, "Case time: %.3f s (sum over cases)\n\n", m->case_time);
}

static void section_env(FILE *f, const struct record_list *l) {
    fputs("## Environment\n\n|", f);
    for (int k = 0; k < RUN_ENV_FIELDS; k++)
        fprintf(f, " %s |", run_env_titles[k]);
    fputs("\n|", f);
    for (int k = 0; k < RUN_ENV_FIELDS; k++)
        fputs("---|", f);
    fputc('\n', f);
    for (size_t i = 0; i < l->nenv; i++) {
        const char *values[RUN_ENV_FIELDS];
        run_env_values(&l->env[i], values);
        for (int k = 0; k < RUN_ENV_FIELDS; k++) {
            fputs("| ", f);
            md_text(f, values[k]);
            fputc(' ', f);
        }
        fputs("|\n", f);
    }
    fputc('\n', f);
}

static void section_matrix(FILE *f, const struct rm_model *m) {
    fputs("## Format x variant\n\n" RM_MATRIX_TEXT "\n\n| |", f);
    for (size_t c = 0; c < m->ncols; c++) {
        char label[64];
        rm_col_label(&m->cols[c], label, sizeof label);
        fprintf(f, " %s |", label);
    }
    fputs("\n|---|", f);
    for (size_t c = 0; c < m->ncols; c++)
        fputs("---|", f);
    fputc('\n', f);
    for (size_t r = 0; r < m->nrows; r++) {
        char label[128];
        rm_row_label(&m->rows[r], label, sizeof label);
        fprintf(f, "| %s |", label);
        for (size_t c = 0; c < m->ncols; c++) {
            const struct rm_tally *t = &m->cell[r * m->ncols + c];
            if (t->n)
                fprintf(f, " %s %ld/%ld |", mark(rm_cell_verdict(t)), t->by[V_PASSED], t->n);
            else
                fputs(" |", f);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

/* One case: metrics and err_norm, then the descriptor, notes and repro. */
static void md_case(FILE *f, const struct case_record *r) {
    char met[512], en[32];
    record_metrics_line(r, met, sizeof met);
    fmt_g3(en, sizeof en, r->err_norm);
    md_text(f, met);
    if (!isnan(r->err_norm)) fprintf(f, " err_norm=%s", en);
    fprintf(f, " | #%lld ", (long long)r->index);
    md_code(f, r->desc);
    const char *labels[3], *texts[3];
    for (size_t k = 0, n = rm_case_notes(r, labels, texts); k < n; k++) {
        fprintf(f, "<br/>%s: ", labels[k]);
        md_text(f, texts[k]);
    }
    if (r->verdict != V_PASSED) {
        fputs("<br/>repro: ", f);
        md_code(f, r->repro ? r->repro : r->desc);
    }
}

static void section_worst(FILE *f, const struct report_input *in, const struct rm_model *m) {
    fprintf(f, "## Worst cases\n\n%zu failing case(s) in %zu group(s). " RM_WORST_TEXT ".\n\n",
            m->failing, m->ngroups);
    if (m->ngroups) {
        fputs("| cases | diagnosis | worst example: metrics | case |\n|---|---|---|---|\n", f);
        for (size_t g = 0; g < m->ngroups; g++) {
            const struct rm_group *gr = &m->groups[g];
            fprintf(f, "| %zu | %s ", gr->count, mark(gr->verdict));
            md_text(f, rm_group_label(gr));
            fputs(" | ", f);
            md_case(f, &in->l->v[gr->example]);
            fputs(" |\n", f);
        }
        fputc('\n', f);
    }
    for (size_t i = 0; i < m->nclosest; i++) {
        const struct case_record *r = &in->l->v[m->closest[i]];
        if (i == 0) fputs(RM_CLOSEST_TEXT ":\n\n| metrics | case |\n|---|---|\n", f);
        fputs("| ", f);
        md_case(f, r);
        fputs(" |\n", f);
    }
    if (m->nclosest) fputc('\n', f);
}

static void image(FILE *f, const struct plot_file *pf, const char *alt) {
    if (pf->ok)
        fprintf(f, "![%s](%s)\n\n", alt, pf->png_rel);
    else
        fprintf(f, "(plot missing: %s)\n\n", pf->png_rel);
}

static void section_plots(FILE *f, const struct report_input *in) {
    const struct plots *p = in->plots;
    fputs("## Plots\n\n", f);
    if (!p || p->missing[0]) {
        fputs("> ", f);
        md_text(f, p ? p->missing : "plots are missing: not made");
        fputs("\n\n", f);
    }
    if (!p) return;
    fputs(RM_K_TEXT "\n\n", f);
    image(f, &p->k, "error against K");
    fputs(RM_VARIANT_TEXT "\n\n", f);
    image(f, &p->variant, "error by variant");
    if (p->nheat || p->heat_flat)
        fputs("### Error heatmaps, one per diagnosis\n\n" RM_HEAT_TEXT "\n\n", f);
    for (size_t i = 0; i < p->nheat; i++) {
        const struct case_record *r = &in->l->v[p->heat[i].rec];
        struct rm_group g = {.verdict = r->verdict};
        rm_group_key(r, g.key, sizeof g.key);
        char what[160];
        plots_heat_what(&p->heat[i], r, what, sizeof what);
        fputs("**", f);
        md_text(f, rm_group_label(&g));
        fprintf(f, "** (%zu case(s) with a grid or probe map); drawn: ", p->heat[i].cases);
        md_text(f, what);
        fprintf(f, " of %s #%lld ", verdict_name(r->verdict), (long long)r->index);
        md_code(f, r->desc);
        if (r->where) {
            fputs(" — ", f);
            md_text(f, r->where);
        }
        fputs("\n\n", f);
        image(f, &p->heat[i].f,
              p->heat[i].probe ? "weights the kernel reads wrong" : "error heatmap");
    }
    if (p->heat_flat) fprintf(f, RM_HEAT_FLAT_TEXT "\n", p->heat_flat, PLOTS_MAX_HEATMAPS);
}

int report_write_md(const struct report_input *in, char *err, size_t errlen) {
    static const struct report_format md = {"report.md",     begin,         section_baseline,
                                            section_summary, section_env,   section_matrix,
                                            section_worst,   section_plots, end};
    return report_write(in, &md, err, errlen);
}

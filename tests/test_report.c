/* test_report.c - the reports' model (harness/results/report_model.c: counts,
 * matrix, worst cases), SVG inlining with prefixed ids, and the HTML and
 * Markdown writers on a small record list (without plots: they say so). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

#include "results/report.h"
#include "results/report_model.h"

static void add(struct record_list *l, const char *desc, verdict_t v, double ratio) {
    struct case_record r;
    char err[256];
    record_init(&r);
    CU_ASSERT_FATAL(desc_parse(desc, &r.d, err, sizeof err) == 0);
    desc_print(&r.d, r.desc, sizeof r.desc);
    r.index = (int64_t)l->n;
    r.verdict = v;
    r.t.total = 1;
    if (ratio >= 0) {
        r.have_metrics = 1;
        r.met.total = r.d.m * r.d.n;
        r.met.worst_ratio = ratio;
    }
    if (v != V_PASSED) record_set_text(&r.reason, "why <not>");
    record_set_text(&r.repro, "gptq-harness run 'x'");
    CU_ASSERT_FATAL(record_list_push(l, &r) == 0);
}

static struct record_list *sample(void) {
    struct record_list *l = calloc(1, sizeof *l);
    CU_ASSERT_FATAL(l != NULL);
    struct run_env e;
    size_t idx;
    memset(&e, 0, sizeof e);
    strcpy(e.device, "dev & <co>");
    CU_ASSERT_FATAL(record_list_env(l, &e, &idx) == 0);
    char err[64];
    record_list_sweep(l, (struct sweep_id){7, 42}, err, sizeof err);
    add(l, "fmt=ct zp=asym g=32", V_PASSED, 0.2);                            /* 0 */
    add(l, "fmt=ct zp=asym g=32 seed=2", V_FAILED, 3);                       /* 1 */
    add(l, "fmt=ct zp=sym g=-1", V_PASSED, 0.5);                             /* 2 */
    add(l, "fmt=gptq-v1 adapter=vllm-xpu zp=sym g=-1", V_ERROR, -1);         /* 3 */
    add(l, "fmt=gptq-v1 adapter=vllm-xpu zp=sym g=-1 seed=3", V_FAILED, 80); /* 4 */
    add(l, "fmt=gptq-v1 zp=sym g=64", V_SKIPPED, -1);                        /* 5 */
    add(l, "fmt=gptq-v1 zp=sym g=40 k=120", V_MISTRUSTED, 0);                /* 6: g=other */
    return l;
}

static void test_model(void) {
    struct record_list *l = sample();
    struct rm_model m;
    CU_ASSERT_FATAL(rm_build(l, NULL, 4, &m) == 0);
    CU_ASSERT_EQUAL(m.total.n, 7);
    CU_ASSERT_EQUAL(m.total.by[V_FAILED], 2);
    CU_ASSERT_EQUAL(m.failing, 4);
    CU_ASSERT_DOUBLE_EQUAL(m.case_time, 7, 1e-12);
    /* rows: gptq-v1/reference, gptq-v1/vllm-xpu, ct/reference (format order) */
    CU_ASSERT_EQUAL_FATAL(m.nrows, 3);
    char label[128];
    rm_row_label(&m.rows[0], label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "gptq-v1 / reference");
    rm_row_label(&m.rows[2], label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "ct / reference");
    /* columns: sym g=64, sym g=-1, sym g=other, asym g=32 */
    CU_ASSERT_EQUAL_FATAL(m.ncols, 4);
    rm_col_label(&m.cols[0], label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "sym none g=64");
    rm_col_label(&m.cols[1], label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "sym none g=-1");
    rm_col_label(&m.cols[2], label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "sym none g=other");
    /* the vllm-xpu g=-1 cell holds an ERROR and a FAILED: coloured ERROR */
    const struct rm_tally *t = &m.cell[1 * m.ncols + 1];
    CU_ASSERT_EQUAL(t->n, 2);
    CU_ASSERT_EQUAL(rm_cell_verdict(t), V_ERROR);
    CU_ASSERT_EQUAL(rm_cell_verdict(&m.cell[2 * m.ncols + 3]), V_FAILED);
    CU_ASSERT_EQUAL(rm_cell_verdict(&m.cell[0]), V_SKIPPED);
    CU_ASSERT_EQUAL(rm_cell_verdict(&m.cell[2 * m.ncols + 0]), -1);
    /* worst: failures by worst_ratio (80, 3, MISTRUSTED 0, ERROR), then passing */
    CU_ASSERT_EQUAL_FATAL(m.nworst, 4);
    CU_ASSERT_EQUAL(m.worst[0], 4);
    CU_ASSERT_EQUAL(m.worst[1], 1);
    CU_ASSERT_EQUAL(m.worst[2], 6);
    CU_ASSERT_EQUAL(m.worst[3], 3);
    rm_free(&m);
    CU_ASSERT_FATAL(rm_build(l, NULL, 100, &m) == 0);
    CU_ASSERT_EQUAL(m.nworst, 6); /* + the two passing cases; SKIPPED left out */
    CU_ASSERT_EQUAL(m.worst[4], 2);
    rm_free(&m);
    record_list_free(l);
    free(l);
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 20);
    if (buf) buf[fread(buf, 1, (1 << 20) - 1, f)] = 0;
    fclose(f);
    return buf;
}

static void test_svg_inline(void) {
    char path[] = "/tmp/gh-test-svg-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    const char *svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg viewBox=\"0 0 1 1\">"
                      "<g id=\"gnuplot_canvas\"><path id='gpPt0' d='M0'/>"
                      "<use xlink:href='#gpPt0'/><rect filter=\"url(#textbox)\"/>"
                      "<image xlink:href='data:image/png;base64,AA'/></g></svg>\n";
    CU_ASSERT_FATAL(write(fd, svg, strlen(svg)) == (ssize_t)strlen(svg));
    close(fd);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_EQUAL(report_svg_inline(m, path, "p1-"), 0);
    fclose(m);
    CU_ASSERT(strncmp(out, "<svg viewBox", 12) == 0); /* declaration and doctype dropped */
    CU_ASSERT(strstr(out, "id=\"p1-gnuplot_canvas\"") != NULL);
    CU_ASSERT(strstr(out, "id='p1-gpPt0'") != NULL);
    CU_ASSERT(strstr(out, "href='#p1-gpPt0'") != NULL);
    CU_ASSERT(strstr(out, "url(#p1-textbox)") != NULL);
    CU_ASSERT(strstr(out, "href='data:image/png") != NULL); /* not a reference */
    free(out);
    m = open_memstream(&out, &len);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_EQUAL(report_svg_inline(m, "/nonexistent.svg", "p-"), -1);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("<html>no svg here</html>", f);
    fclose(f);
    CU_ASSERT_EQUAL(report_svg_inline(m, path, "p-"), -1);
    fclose(m);
    free(out);
    unlink(path);
}

static void test_writers(void) {
    char dir[] = "/tmp/gh-test-report-XXXXXX", err[512] = "", path[128];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    struct record_list *l = sample();
    struct plots p;
    memset(&p, 0, sizeof p);
    snprintf(p.missing, sizeof p.missing, "plots are missing: no gnuplot");
    /* a baseline report: case 1 regressed */
    struct bl_finding f[7];
    memset(f, 0, sizeof f);
    f[1].kind = BL_REGRESSION;
    f[1].matched = 1;
    struct bl_report bl = {.f = f, .n = 7, .factor = 4};
    bl.count[BL_REGRESSION] = 1;
    strcpy(bl.path, "prev/results.jsonl");
    struct report_input in = {dir, "title <t>", l, &bl, &p, 1, NULL};
    CU_ASSERT_EQUAL(report_write_html(&in, err, sizeof err), 0);
    CU_ASSERT_EQUAL(report_write_md(&in, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *h = read_all(path);
    CU_ASSERT_FATAL(h != NULL);
    CU_ASSERT(strstr(h, "<title>title &lt;t&gt;</title>") != NULL);
    char *regr = strstr(h, "Against the baseline"), *summ = strstr(h, "Summary");
    CU_ASSERT(regr && summ && regr < summ); /* regressions come first */
    CU_ASSERT(strstr(h, "REGRESSION: PASSED in the baseline, FAILED now") != NULL);
    CU_ASSERT(strstr(h, "dev &amp; &lt;co&gt;") != NULL);
    CU_ASSERT(strstr(h, "why &lt;not&gt;") != NULL);
    CU_ASSERT(strstr(h, "plots are missing: no gnuplot") != NULL);
    CU_ASSERT(strstr(h, "<td class=\"err\"") != NULL);
    CU_ASSERT(strstr(h, "</html>") != NULL);
    free(h);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = read_all(path);
    CU_ASSERT_FATAL(md != NULL);
    CU_ASSERT(strncmp(md, "# title &lt;t>\n\n", 16) == 0);
    regr = strstr(md, "## Against the baseline");
    summ = strstr(md, "## Summary");
    CU_ASSERT(regr && summ && regr < summ);
    CU_ASSERT(strstr(md, "| REGRESSION |") != NULL);
    CU_ASSERT(strstr(md, "Case time: 7.000 s") != NULL);
    CU_ASSERT(strstr(md, "> plots are missing: no gnuplot") != NULL);
    CU_ASSERT(strstr(md, "**ERROR** 0/2") != NULL);
    free(md);
    in.rundir = "/nonexistent-dir";
    CU_ASSERT_EQUAL(report_write_html(&in, err, sizeof err), -1);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CU_ASSERT(system(path) == 0);
    record_list_free(l);
    free(l);
}

int register_report_suite(void) {
    GH_ADD_SUITE(s, "report");
    GH_ADD_TEST(s, test_model);
    GH_ADD_TEST(s, test_svg_inline);
    GH_ADD_TEST(s, test_writers);
    return 0;
}

/* test_results.c - the results stream (harness/results/results.c): a record's JSON
 * line, its strict reader (round trip, non-finite numbers, hostile lines),
 * the file reader (line numbers, a killed run's cut-off last line, limits)
 * and the flushing writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"

#include "results/results.h"

#define DESC1                                                                                      \
    "fmt=gptq-v1 adapter=reference m=3 n=16 k=64 g=32 zp=asym gidx=act dt=f16 data=real bias=0 "   \
    "seed=7"

static struct run_env test_env(void) {
    struct run_env e;
    memset(&e, 0, sizeof e);
    strcpy(e.device, "dev \"quoted\" name");
    strcpy(e.platform, "plat");
    strcpy(e.driver, "1.0");
    strcpy(e.kernel, "kernels/x.cl");
    strcpy(e.kernel_hash, "0123456789abcdef");
    strcpy(e.harness, "0.1.0");
    strcpy(e.git, "abc1234");
    return e;
}

/* A list with one environment and a 10-case sweep, and a FAILED record with
 * metrics, texts and a grid. */
static void make(struct record_list *l, struct case_record *r) {
    memset(l, 0, sizeof *l);
    struct run_env e = test_env();
    char err[256];
    CU_ASSERT_FATAL(record_list_sweep(l, (struct sweep_id){10, 0xfeedULL}, err, sizeof err) == 0);
    record_init(r);
    CU_ASSERT_FATAL(record_list_env(l, &e, &r->env) == 0);
    CU_ASSERT_FATAL(desc_parse(DESC1, &r->d, err, sizeof err) == 0);
    desc_print(&r->d, r->desc, sizeof r->desc);
    r->index = 4;
    r->verdict = V_FAILED;
    record_set_text(&r->reason, "3/48 elements \"outside\"\ttolerance\nline two");
    record_set_text(&r->where, "kernel wrong");
    record_set_text(&r->repro, "build/gptq-harness run '" DESC1 "'");
    r->have_metrics = 1;
    r->met = (struct metrics){.max_abs = 0.5,
                              .max_ulp = 3,
                              .rel_l2 = 0.25,
                              .sqnr_db = INFINITY,
                              .worst_ratio = 1.5,
                              .mismatches = 3,
                              .total = 48,
                              .nonfinite = 1,
                              .unwritten = 0,
                              .guard_bad = 0,
                              .zeros = 2,
                              .worst_m = 2,
                              .worst_n = 15,
                              .worst_exp = 1.25,
                              .worst_got = -INFINITY};
    r->err_norm = NAN;
    r->t = (struct rec_times){.total = 0.125, .kernel_ms = 0.5};
    r->grid = errgrid_new(3, 16, 3, 16);
    CU_ASSERT_FATAL(r->grid != NULL);
    for (int i = 0; i < 48; i++)
        r->grid->cells[i] = (float)(i * 0.25);
    r->grid->cells[7] = NAN;
}

static void test_roundtrip(void) {
    struct record_list l, l2;
    struct case_record r, back;
    char err[512];
    make(&l, &r);
    char *line = results_line(&l, &r);
    CU_ASSERT_FATAL(line != NULL);
    CU_ASSERT(strchr(line, '\n') == NULL);
    CU_ASSERT(strstr(line, "\"sqnr_db\":\"inf\"") != NULL);
    CU_ASSERT(strstr(line, "\"worst_got\":\"-inf\"") != NULL);
    CU_ASSERT(strstr(line, "\"err_norm\":null") != NULL);
    CU_ASSERT(strstr(line, "\"diagnosis\":null") != NULL);
    CU_ASSERT(strstr(line, "\"hash\":\"000000000000feed\"") != NULL);
    memset(&l2, 0, sizeof l2);
    int rc = results_parse_line(line, strlen(line), &l2, &back, err, sizeof err);
    if (rc) fprintf(stderr, "parse: %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT_EQUAL(back.index, 4);
    CU_ASSERT_STRING_EQUAL(back.desc, r.desc);
    CU_ASSERT(desc_equal(&back.d, &r.d));
    CU_ASSERT_EQUAL(back.verdict, V_FAILED);
    CU_ASSERT_STRING_EQUAL(back.reason, r.reason);
    CU_ASSERT_STRING_EQUAL(back.where, "kernel wrong");
    CU_ASSERT_PTR_NULL(back.diagnosis);
    CU_ASSERT_PTR_NULL(back.log);
    CU_ASSERT(isinf(back.met.sqnr_db) && back.met.sqnr_db > 0);
    CU_ASSERT(isinf(back.met.worst_got) && back.met.worst_got < 0);
    CU_ASSERT(isnan(back.err_norm));
    CU_ASSERT_EQUAL(back.met.mismatches, 3);
    CU_ASSERT_EQUAL(back.met.worst_n, 15);
    CU_ASSERT_DOUBLE_EQUAL(back.t.total, 0.125, 0);
    CU_ASSERT_EQUAL(l2.nenv, 1);
    CU_ASSERT_STRING_EQUAL(l2.env[back.env].device, "dev \"quoted\" name");
    CU_ASSERT_STRING_EQUAL(l2.env[back.env].git, "abc1234");
    CU_ASSERT_EQUAL(l2.sweep.cases, 10);
    CU_ASSERT_EQUAL(l2.sweep.hash, 0xfeedULL);
    CU_ASSERT_FATAL(back.grid != NULL);
    CU_ASSERT_EQUAL(back.grid->rows, 3);
    CU_ASSERT_EQUAL(back.grid->cols, 16);
    CU_ASSERT(isnan(back.grid->cells[7]));
    CU_ASSERT_DOUBLE_EQUAL(back.grid->cells[5], 1.25, 0);
    CU_ASSERT_DOUBLE_EQUAL(back.grid->cells[47], 11.8, 1e-5); /* 3 significant digits */
    /* writing what was read gives the same line: a merge rewrites lines unchanged */
    char *again = results_line(&l2, &back);
    CU_ASSERT_FATAL(again != NULL);
    CU_ASSERT_STRING_EQUAL(again, line);
    free(again);
    free(line);
    record_free(&back);
    record_free(&r);
}

static void test_text_sanitized(void) {
    struct record_list l, l2;
    struct case_record r, back;
    char err[512];
    make(&l, &r);
    record_set_text(&r.log, "bad \xff\xfe byte, ok \xc3\xa9");
    char *line = results_line(&l, &r);
    CU_ASSERT_FATAL(line != NULL);
    memset(&l2, 0, sizeof l2);
    CU_ASSERT_FATAL(results_parse_line(line, strlen(line), &l2, &back, err, sizeof err) == 0);
    CU_ASSERT_STRING_EQUAL(back.log, "bad ?? byte, ok \xc3\xa9");
    free(line);
    record_free(&back);
    record_free(&r);
}

/* Replaces the first `from` in line by `to` (static buffer). */
static const char *edit(const char *line, const char *from, const char *to) {
    static char buf[8192];
    const char *p = strstr(line, from);
    CU_ASSERT_FATAL(p != NULL);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - line), line, to, p + strlen(from));
    return buf;
}

static void expect_error(const char *text, const char *want) {
    struct record_list l;
    struct case_record r;
    char err[512] = "";
    memset(&l, 0, sizeof l);
    int rc = results_parse_line(text, strlen(text), &l, &r, err, sizeof err);
    CU_ASSERT_EQUAL(rc, -1);
    if (rc == 0) record_free(&r);
    if (!strstr(err, want)) fprintf(stderr, "\nerror '%s' lacks '%s'\n", err, want);
    CU_ASSERT(strstr(err, want) != NULL);
}

static void test_bad_lines(void) {
    struct record_list l;
    struct case_record r;
    make(&l, &r);
    char *line = results_line(&l, &r);
    CU_ASSERT_FATAL(line != NULL);
    expect_error("not json", "not valid JSON");
    expect_error("", "not valid JSON");
    expect_error("[1,2]", "one JSON object");
    expect_error("{\"index\":0}", "'sweep'");
    expect_error(edit(line, "}}", "}} x"), "one JSON object");
    expect_error(edit(line, "\"FAILED\"", "\"MAYBE\""), "'verdict'");
    expect_error(edit(line, "\"verdict\":", "\"verdict_\":"), "'verdict'");
    expect_error(edit(line, "fmt=gptq-v1", "fmt=gptq-v9"), "'desc'");
    expect_error(edit(line, "\"index\":4", "\"index\":10"), "'index'");
    expect_error(edit(line, "\"index\":4", "\"index\":-1"), "'index'");
    expect_error(edit(line, "\"index\":4", "\"index\":1.5"), "'index'");
    expect_error(edit(line, "\"index\":4", "\"index\":\"4\""), "'index'");
    expect_error(edit(line, "\"total\":48", "\"total\":49"), "'metrics.total'");
    expect_error(edit(line, "\"mismatches\":3", "\"mismatches\":99"), "'metrics.mismatches'");
    expect_error(edit(line, "\"max_abs\":0.5", "\"max_abs\":\"big\""), "'metrics.max_abs'");
    expect_error(edit(line, "\"worst_n\":15", "\"worst_n\":16"), "'metrics.worst_n'");
    expect_error(edit(line, "\"hash\":\"000000000000feed\"", "\"hash\":\"xyz\""), "'sweep.hash'");
    expect_error(edit(line, "\"cases\":10", "\"cases\":0"), "'sweep.cases'");
    expect_error(edit(line, "\"rows\":3", "\"rows\":65"), "'grid.rows'");
    expect_error(edit(line, "\"rows\":3", "\"rows\":2"), "'grid.cells'");
    expect_error(edit(line, "\"m\":3", "\"m\":4"), "'grid.m'");
    expect_error(edit(line, "\"cells\":[0,", "\"cells\":[-1,"), "'grid.cells'");
    expect_error(edit(line, "\"reason\":\"", "\"reason\":7,\"r\":\""), "'reason'");
    expect_error(edit(line, "\"device\":{", "\"device\":7,\"d\":{"), "'device'");
    expect_error(edit(line, "\"time\":{", "\"time\":7,\"x\":{"), "'time'");
    expect_error(edit(line, "\"driver\":\"1.0\"", "\"driver\":1.0"), "'device.driver'");
    /* deep nesting must neither crash nor pass */
    char deep[6000];
    memset(deep, '[', 3000);
    memset(deep + 3000, ']', 3000);
    deep[5999] = 0;
    expect_error(deep, "not valid JSON");
    /* a second sweep in one list */
    struct record_list l2;
    struct case_record a, b;
    char err[512] = "";
    memset(&l2, 0, sizeof l2);
    CU_ASSERT_FATAL(results_parse_line(line, strlen(line), &l2, &a, err, sizeof err) == 0);
    const char *other = edit(line, "\"cases\":10", "\"cases\":11");
    CU_ASSERT(results_parse_line(other, strlen(other), &l2, &b, err, sizeof err) == -1);
    CU_ASSERT(strstr(err, "different sweeps") != NULL);
    record_free(&a);
    free(line);
    record_free(&r);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

static void test_read_file(void) {
    struct record_list l, in;
    struct case_record r;
    struct results_read_info info;
    char err[1024], path[] = "/tmp/gh-test-results-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    make(&l, &r);
    char *line = results_line(&l, &r);
    CU_ASSERT_FATAL(line != NULL);
    size_t n = strlen(line);
    char *text = malloc(3 * n + 16);
    CU_ASSERT_FATAL(text != NULL);
    /* two lines, a blank one, and a last line cut off by a killed run */
    sprintf(text, "%s\n\n%s\n%.*s", line, edit(line, "\"index\":4", "\"index\":5"), (int)(n / 2),
            line);
    write_file(path, text);
    memset(&in, 0, sizeof in);
    CU_ASSERT_EQUAL(results_read_file(path, &in, &info, err, sizeof err), 0);
    CU_ASSERT_EQUAL(in.n, 2);
    CU_ASSERT_EQUAL(info.records, 2);
    CU_ASSERT_EQUAL(info.tail_ignored, 1);
    CU_ASSERT_EQUAL(in.v[1].index, 5);
    record_list_free(&in);
    /* a line in the middle that is not JSON (a torn write spliced onto the
     * next record) is skipped and counted; the records around it are read */
    sprintf(text, "%s\n{oops}\n%.*s%s\n", line, (int)(n / 3), line,
            edit(line, "\"index\":4", "\"index\":6"));
    write_file(path, text);
    memset(&in, 0, sizeof in);
    CU_ASSERT_EQUAL(results_read_file(path, &in, &info, err, sizeof err), 0);
    CU_ASSERT_EQUAL(in.n, 1);
    CU_ASSERT_EQUAL(info.damaged, 2);
    CU_ASSERT_EQUAL(info.first_damaged, 2);
    record_list_free(&in);
    /* a JSON record with a bad field still refuses the file, naming the line */
    sprintf(text, "%s\n%s\n", line, edit(line, "\"index\":4", "\"index\":\"x\""));
    write_file(path, text);
    memset(&in, 0, sizeof in);
    CU_ASSERT_EQUAL(results_read_file(path, &in, NULL, err, sizeof err), -1);
    CU_ASSERT(strstr(err, ":2: ") != NULL);
    record_list_free(&in);
    /* a line beyond the limit */
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    for (size_t i = 0; i <= RESULTS_MAX_LINE; i += 64)
        fputs("                                                               x", f);
    fclose(f);
    memset(&in, 0, sizeof in);
    CU_ASSERT_EQUAL(results_read_file(path, &in, NULL, err, sizeof err), -1);
    CU_ASSERT(strstr(err, ":1: line longer than") != NULL);
    record_list_free(&in);
    unlink(path);
    memset(&in, 0, sizeof in);
    CU_ASSERT_EQUAL(results_read_file(path, &in, NULL, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "cannot open") != NULL);
    free(text);
    free(line);
    record_free(&r);
}

/* Every line is on the disk as soon as it is added (a killed run keeps it). */
static void test_writer_flushes(void) {
    char err[256], path[] = "/tmp/gh-test-writer-XXXXXX", buf[64] = "";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    struct results_writer *w = results_writer_open(path, err, sizeof err);
    CU_ASSERT_FATAL(w != NULL);
    CU_ASSERT_EQUAL(results_writer_add(w, "{\"a\":1}", err, sizeof err), 0);
    FILE *f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_PTR_NOT_NULL(fgets(buf, sizeof buf, f));
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "{\"a\":1}\n");
    CU_ASSERT_EQUAL(results_writer_close(w, err, sizeof err), 0);
    unlink(path);
    CU_ASSERT_PTR_NULL(results_writer_open("/nonexistent-dir/x.jsonl", err, sizeof err));
    CU_ASSERT(strstr(err, "cannot create") != NULL);
}

/* A write that fails (here: the file size limit, as a full disk would) cuts
 * the file back to its last complete line, and nothing more is appended even
 * once writing would work again: no half record is ever spliced onto a later
 * one. */
static void test_writer_failure(void) {
    char err[256], path[] = "/tmp/gh-test-writer-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    struct results_writer *w = results_writer_open(path, err, sizeof err);
    CU_ASSERT_FATAL(w != NULL);
    char line[301];
    memset(line, 'x', 300);
    line[300] = 0;
    line[0] = '{';
    struct rlimit old, lim;
    CU_ASSERT_FATAL(getrlimit(RLIMIT_FSIZE, &old) == 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 1000; /* three lines and a third of the fourth */
    CU_ASSERT_FATAL(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    int ok = 0;
    for (int i = 0; i < 5; i++)
        ok += results_writer_add(w, line, err, sizeof err) == 0;
    CU_ASSERT_EQUAL(ok, 3);
    CU_ASSERT(setrlimit(RLIMIT_FSIZE, &old) == 0);
    signal(SIGXFSZ, prev);
    /* space again: still nothing appended */
    CU_ASSERT_EQUAL(results_writer_add(w, line, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "an earlier write failed") != NULL);
    CU_ASSERT_EQUAL(results_writer_close(w, err, sizeof err), 0);
    struct stat st;
    CU_ASSERT_FATAL(stat(path, &st) == 0);
    CU_ASSERT_EQUAL(st.st_size, 3 * 301);
    unlink(path);
}

int register_results_suite(void) {
    GH_ADD_SUITE(s, "results");
    GH_ADD_TEST(s, test_roundtrip);
    GH_ADD_TEST(s, test_text_sanitized);
    GH_ADD_TEST(s, test_bad_lines);
    GH_ADD_TEST(s, test_read_file);
    GH_ADD_TEST(s, test_writer_flushes);
    GH_ADD_TEST(s, test_writer_failure);
    return 0;
}

/* test_junit.c - XML escaping (harness/util/escape.c) and the JUnit writer
 * (harness/results/junit.c): counts, elements per verdict, escaping of hostile text.
 * tests/reports.sh validates real JUnit files with xmllint and an XSD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

#include "util/escape.h"
#include "results/junit.h"

/* markup_escape into a string (static buffer). */
static const char *escaped(const char *s) {
    static char buf[512];
    memset(buf, 0, sizeof buf);
    FILE *f = fmemopen(buf, sizeof buf, "w");
    CU_ASSERT_FATAL(f != NULL);
    markup_escape(f, s);
    fclose(f);
    return buf;
}

static void test_entities(void) {
    CU_ASSERT_STRING_EQUAL(escaped("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
    CU_ASSERT_STRING_EQUAL(escaped("plain text"), "plain text");
    CU_ASSERT_STRING_EQUAL(escaped(""), "");
}

static void test_invalid_chars(void) {
    /* C0 controls other than tab/LF/CR are not XML 1.0 characters */
    CU_ASSERT_STRING_EQUAL(escaped("a\x01"
                                   "b\x1f"
                                   "c\td\ne\rf"),
                           "a?b?c\td\ne\rf");
    /* invalid UTF-8: stray continuation, truncated sequence, overlong, surrogate */
    CU_ASSERT_STRING_EQUAL(escaped("x\x80y"), "x?y");
    CU_ASSERT_STRING_EQUAL(escaped("x\xc3"), "x?");
    CU_ASSERT_STRING_EQUAL(escaped("\xc0\xaf"), "??");
    CU_ASSERT_STRING_EQUAL(escaped("\xed\xa0\x80"), "???");
    /* U+FFFE is valid UTF-8 but not an XML character */
    CU_ASSERT_STRING_EQUAL(escaped("a\xef\xbf\xbe"
                                   "b"),
                           "a?b");
    /* valid multi-byte characters pass */
    CU_ASSERT_STRING_EQUAL(escaped("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
                           "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

static void test_sanitize(void) {
    char s[] = "ok \xff\xc3\xa9 \xe2\x82";
    utf8_sanitize(s);
    CU_ASSERT_STRING_EQUAL(s, "ok ?\xc3\xa9 ??");
}

static void add_case(struct record_list *l, const char *desc, verdict_t v, const char *reason) {
    struct case_record r;
    char err[256];
    record_init(&r);
    CU_ASSERT_FATAL(desc_parse(desc, &r.d, err, sizeof err) == 0);
    desc_print(&r.d, r.desc, sizeof r.desc);
    r.verdict = v;
    r.index = (int64_t)l->n;
    r.t.total = 0.5;
    record_set_text(&r.reason, reason);
    if (v == V_FAILED) {
        r.have_metrics = 1;
        r.met.total = 48;
        r.met.mismatches = 3;
        record_set_text(&r.where, "adapter wrong: <zeros> & \"more\"");
    }
    if (v == V_ERROR) record_set_text(&r.log, "error: line 1\x01\xff");
    record_set_text(&r.repro, "gptq-harness run 'x'");
    CU_ASSERT_FATAL(record_list_push(l, &r) == 0);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Repro lines: a word no shell treats specially stays as it is, anything
 * else is single-quoted with ' written as '\''. */
static void test_shell_word(void) {
    char out[64];
    CU_ASSERT_STRING_EQUAL(shell_word("kernels/w4a16_gemm.cl", out, sizeof out),
                           "kernels/w4a16_gemm.cl");
    CU_ASSERT_STRING_EQUAL(shell_word("0:1", out, sizeof out), "0:1");
    CU_ASSERT_STRING_EQUAL(shell_word("", out, sizeof out), "''");
    CU_ASSERT_STRING_EQUAL(shell_word("my dir/k.cl", out, sizeof out), "'my dir/k.cl'");
    CU_ASSERT_STRING_EQUAL(shell_word("a'b", out, sizeof out), "'a'\\''b'");
    CU_ASSERT_STRING_EQUAL(shell_word("$(rm -rf x)", out, sizeof out), "'$(rm -rf x)'");
    CU_ASSERT_STRING_EQUAL(shell_word("`x`;&|<>*?~#!\"", out, sizeof out), "'`x`;&|<>*?~#!\"'");
    CU_ASSERT_STRING_EQUAL(shell_word("a b", out, 6), "'a b'"); /* exactly fits */
    CU_ASSERT_STRING_EQUAL(shell_word("a b", out, 5), "");      /* does not fit */
    CU_ASSERT_STRING_EQUAL(shell_word("abcd", out, 4), "");     /* nor verbatim */
}

static void test_junit_file(void) {
    struct record_list *l = calloc(1, sizeof *l);
    CU_ASSERT_FATAL(l != NULL);
    struct run_env e;
    memset(&e, 0, sizeof e);
    strcpy(e.device, "dev <1>");
    size_t idx;
    CU_ASSERT_FATAL(record_list_env(l, &e, &idx) == 0);
    add_case(l, "fmt=ct m=3 n=16 k=64 g=32", V_PASSED, NULL);
    add_case(l, "fmt=ct m=3 n=16 k=64 g=32 seed=2", V_FAILED, "3/48 elements <bad>");
    add_case(l, "fmt=awq m=3 n=16 k=64 g=32", V_MISTRUSTED, "all zeros");
    add_case(l, "fmt=gptq-v2 m=3 n=16 k=64 g=32", V_SKIPPED, "too big");
    add_case(l, "fmt=gptq-v1 m=3 n=16 k=64 g=32", V_ERROR, "build failed");
    char path[] = "/tmp/gh-test-junit-XXXXXX", err[512];
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_EQUAL_FATAL(junit_write(path, l, NULL, "suite & co", err, sizeof err), 0);
    const char *x = slurp(path);
    CU_ASSERT(strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
    CU_ASSERT(strstr(x, "<testsuites name=\"gptq-harness\" tests=\"5\" failures=\"2\" errors=\"1\" "
                        "skipped=\"1\" time=\"2.500\">") != NULL);
    CU_ASSERT(strstr(x, "<testsuite name=\"suite &amp; co\" tests=\"5\"") != NULL);
    CU_ASSERT(strstr(x, "classname=\"gptq-harness.ct.reference\"") != NULL);
    CU_ASSERT(
        strstr(x, "<failure message=\"FAILED: 3/48 elements &lt;bad&gt;\" type=\"FAILED\">") !=
        NULL);
    CU_ASSERT(strstr(x, "type=\"MISTRUSTED\"") != NULL);
    CU_ASSERT(strstr(x, "<error message=\"ERROR: build failed\" type=\"ERROR\">") != NULL);
    CU_ASSERT(strstr(x, "error: line 1??") != NULL);
    CU_ASSERT(strstr(x, "<skipped message=\"too big\"/>") != NULL);
    CU_ASSERT(strstr(x, "<system-out>where: adapter wrong: &lt;zeros&gt; &amp; &quot;more&quot;") !=
              NULL);
    CU_ASSERT(strstr(x, "repro: gptq-harness run &apos;x&apos;") != NULL);
    CU_ASSERT(strstr(x, "<property name=\"device\" value=\"dev &lt;1&gt;\"/>") != NULL);
    CU_ASSERT(strstr(x, "</testsuite>\n</testsuites>\n") != NULL);
    CU_ASSERT(access(strcat(strcpy(err, path), ".tmp"), F_OK) != 0); /* renamed into place */
    unlink(path);
    CU_ASSERT_EQUAL(junit_write("/nonexistent-dir/j.xml", l, NULL, "s", err, sizeof err), -1);
    record_list_free(l);
    free(l);
}

/* Judged against a baseline: a known failure is <skipped> (not counted as a
 * failure), a regression stays a <failure>, drift on a passing case becomes a
 * <failure type="DRIFT">, each with a "baseline" property. */
static void test_junit_baseline(void) {
    struct record_list *l = calloc(1, sizeof *l);
    CU_ASSERT_FATAL(l != NULL);
    struct run_env e;
    memset(&e, 0, sizeof e);
    size_t idx;
    CU_ASSERT_FATAL(record_list_env(l, &e, &idx) == 0);
    add_case(l, "fmt=ct m=3 n=16 k=64 g=32", V_FAILED, "known bad");      /* known failure */
    add_case(l, "fmt=ct m=3 n=16 k=64 g=32 seed=2", V_FAILED, "new bad"); /* regression */
    add_case(l, "fmt=awq m=3 n=16 k=64 g=32", V_PASSED, NULL);            /* drift */
    add_case(l, "fmt=gptq-v2 m=3 n=16 k=64 g=32", V_PASSED, NULL);        /* same */
    l->v[2].have_metrics = 1;
    l->v[2].met.worst_ratio = 0.5;
    struct bl_finding f[4] = {{BL_KNOWN_FAILURE, 1, V_FAILED, 0},
                              {BL_REGRESSION, 1, V_PASSED, 0},
                              {BL_DRIFT, 1, V_PASSED, 0.01},
                              {BL_SAME, 1, V_PASSED, 0}};
    struct bl_report rep;
    memset(&rep, 0, sizeof rep);
    rep.f = f;
    rep.n = 4;
    rep.factor = 4;
    strcpy(rep.path, "prev/results.jsonl");
    char path[] = "/tmp/gh-test-junit-XXXXXX", err[512];
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_EQUAL_FATAL(junit_write(path, l, &rep, "s", err, sizeof err), 0);
    const char *x = slurp(path);
    CU_ASSERT(strstr(x, "<testsuites name=\"gptq-harness\" tests=\"4\" failures=\"2\" errors=\"0\" "
                        "skipped=\"1\"") != NULL);
    CU_ASSERT(strstr(x, "<skipped message=\"known failure (FAILED in the baseline too): FAILED: "
                        "known bad\"/>") != NULL);
    CU_ASSERT(strstr(x, "<property name=\"baseline\" value=\"known failure\"/>") != NULL);
    CU_ASSERT(strstr(x, "<failure message=\"FAILED: new bad\" type=\"FAILED\">") != NULL);
    CU_ASSERT(strstr(x, "<property name=\"baseline\" value=\"REGRESSION\"/>") != NULL);
    CU_ASSERT(strstr(x, "type=\"DRIFT\">") != NULL);
    CU_ASSERT(strstr(x, "<property name=\"baseline\" value=\"DRIFT\"/>") != NULL);
    /* one failure element per counted failure: the regression and the drift */
    int nfail = 0;
    for (const char *p = x; (p = strstr(p, "<failure ")) != NULL; p++)
        nfail++;
    CU_ASSERT_EQUAL(nfail, 2);
    unlink(path);
    record_list_free(l);
    free(l);
}

int register_junit_suite(void) {
    GH_ADD_SUITE(s, "junit");
    GH_ADD_TEST(s, test_entities);
    GH_ADD_TEST(s, test_invalid_chars);
    GH_ADD_TEST(s, test_sanitize);
    GH_ADD_TEST(s, test_shell_word);
    GH_ADD_TEST(s, test_junit_file);
    GH_ADD_TEST(s, test_junit_baseline);
    return 0;
}

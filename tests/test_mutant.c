/* test_mutant.c - mutant kernel files: parsing, errors, applying hunks,
 * applicability, and that every shipped mutant applies to the production
 * kernel (a kernel edit that breaks a mutant's hunk fails here). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/mutant.h"
#include "suites.h"

static void test_parse_apply(void) {
    struct mutant m;
    char err[512];
    const char *text = "# comment\n"
                       "mutant: off by one\n"
                       "applies: bias=1 gidx=act,trivial\n"
                       "-  x = a;\n"
                       "-  y = b;\n"
                       "+  x = a + 1;\n"
                       "\n"
                       "-return 0;\n"
                       "+return 1;\n"
                       "+/* two lines */\n";
    CU_ASSERT_FATAL(mutant_parse(text, "dir/off-by-one.mut", &m, err, sizeof err) == 0);
    CU_ASSERT_STRING_EQUAL(m.name, "off-by-one");
    CU_ASSERT_STRING_EQUAL(m.desc, "off by one");
    CU_ASSERT_STRING_EQUAL(m.base, MUTANT_DEFAULT_BASE);
    CU_ASSERT_EQUAL(m.nhunks, 2);
    char *out = NULL;
    const char *src = "int f() {\n  x = a;\n  y = b;\n  return 0;\n}\n";
    /* "return 0;" occurs once, indented: the hunk text matches inside the line */
    CU_ASSERT_EQUAL(mutant_apply(&m, src, &out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "int f() {\n  x = a + 1;\n  return 1;\n/* two lines */\n}\n");
    free(out);
    /* a hunk that matches nowhere, or twice */
    CU_ASSERT_EQUAL(mutant_apply(&m, "int f() { return 0; }", &out, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "nowhere"));
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(mutant_apply(&m, "  x = a;\n  y = b;\n  x = a;\n  y = b;\nreturn 0;", &out, err,
                                 sizeof err),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than once"));
    /* applicability */
    CU_ASSERT_EQUAL(mutant_applies(&m, "fmt=ct m=1 gidx=act bias=1 seed=1"), 1);
    CU_ASSERT_EQUAL(mutant_applies(&m, "fmt=ct m=1 gidx=trivial bias=1"), 1);
    CU_ASSERT_EQUAL(mutant_applies(&m, "fmt=ct m=1 gidx=none bias=1"), 0);
    CU_ASSERT_EQUAL(mutant_applies(&m, "fmt=ct m=1 gidx=act bias=0"), 0);
    CU_ASSERT_EQUAL(mutant_applies(&m, "fmt=ct m=1 gidx=actx bias=1"), 0);
    mutant_free(&m);
}

static void parse_fails(const char *text, const char *want) {
    struct mutant m;
    char err[512] = "";
    CU_ASSERT_EQUAL(mutant_parse(text, "x.mut", &m, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    if (!strstr(err, want)) fprintf(stderr, "\n  mutant error '%s' lacks '%s'\n", err, want);
}

static void test_parse_errors(void) {
    parse_fails("-a\n+b\n", "no 'mutant:' description");
    parse_fails("mutant: x\n", "no hunk");
    parse_fails("mutant: x\n+b\n", "x.mut:2: '+' line without '-' lines");
    parse_fails("mutant: x\nfoo\n", "x.mut:2: expected");
    char many[2048] = "mutant: x\n";
    for (int i = 0; i <= MUTANT_HUNKS_MAX; i++)
        strcat(many, "-a\n+b\n");
    parse_fails(many, "more than 16 hunks");
    struct mutant m;
    char err[256];
    CU_ASSERT_EQUAL(mutant_load("/nonexistent/x.mut", &m, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.mut"));
}

/* Every .mut file of tests/kernels/mutants loads and applies to its base. */
static void test_shipped_mutants(void) {
    DIR *d = opendir("tests/kernels/mutants");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".mut") != 0) continue;
        char path[512], err[600];
        snprintf(path, sizeof path, "tests/kernels/mutants/%s", e->d_name);
        struct mutant m;
        int ok = mutant_load(path, &m, err, sizeof err) == 0;
        char *src = ok ? mutant_read_file(m.base, err, sizeof err) : NULL, *out = NULL;
        ok = ok && src && mutant_apply(&m, src, &out, err, sizeof err) == 0;
        if (!ok) fprintf(stderr, "\n  %s: %s\n", path, err);
        CU_ASSERT(ok);
        CU_ASSERT(!out || strcmp(out, src) != 0);
        free(src);
        free(out);
        mutant_free(&m);
        n++;
    }
    closedir(d);
    CU_ASSERT(n >= 6);
}

int register_mutant_suite(void) {
    GH_ADD_SUITE(s, "mutant");
    GH_ADD_TEST(s, test_parse_apply);
    GH_ADD_TEST(s, test_parse_errors);
    GH_ADD_TEST(s, test_shipped_mutants);
    return 0;
}

/* test_shard.c - shard specs (I/N, auto from Buildkite, GitLab, Slurm
 * variables), the selection rule and the sweep hash (harness/cases/shard.c). */
#include <stdio.h>
#include <string.h>

#include "suites.h"

#include "cases/shard.h"

/* A fake environment: "NAME=VALUE" strings, NULL-terminated. */
static const char *fake_get(const char *name, void *ctx) {
    const char **vars = ctx;
    size_t n = strlen(name);
    for (; *vars; vars++)
        if (!strncmp(*vars, name, n) && (*vars)[n] == '=') return *vars + n + 1;
    return NULL;
}

static int parse(const char *spec, const char **env, struct shard *s, char *err) {
    return shard_parse(spec, fake_get, env, s, err, 512);
}

static void test_explicit(void) {
    struct shard s;
    char err[512];
    const char *none[] = {NULL};
    CU_ASSERT(parse("2/3", none, &s, err) == 0 && s.index == 2 && s.count == 3);
    CU_ASSERT(parse("1/1", none, &s, err) == 0 && s.index == 1 && s.count == 1);
    const char *bad[] = {"0/3", "4/3",  "3",    "a/b", "1/0",       "/3",
                         "2/",  "1/3x", "-1/3", "",    "1/99999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        CU_ASSERT(parse(bad[i], none, &s, err) == -1);
        CU_ASSERT(strstr(err, "shard") != NULL);
    }
}

static void test_auto(void) {
    struct shard s;
    char err[512];
    const char *bk[] = {"BUILDKITE_PARALLEL_JOB=0", "BUILDKITE_PARALLEL_JOB_COUNT=4", NULL};
    CU_ASSERT(parse("auto", bk, &s, err) == 0 && s.index == 1 && s.count == 4);
    const char *gl[] = {"CI_NODE_INDEX=3", "CI_NODE_TOTAL=3", NULL};
    CU_ASSERT(parse("auto", gl, &s, err) == 0 && s.index == 3 && s.count == 3);
    const char *sl0[] = {"SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_COUNT=3", NULL};
    CU_ASSERT(parse("auto", sl0, &s, err) == 0 && s.index == 3 && s.count == 3);
    const char *sl1[] = {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=3",
                         "SLURM_ARRAY_TASK_MIN=1", NULL};
    CU_ASSERT(parse("auto", sl1, &s, err) == 0 && s.index == 1 && s.count == 3);
    const char *sl2[] = {"SLURM_ARRAY_TASK_ID=14", "SLURM_ARRAY_TASK_COUNT=3",
                         "SLURM_ARRAY_TASK_MIN=10", "SLURM_ARRAY_TASK_STEP=2", NULL};
    CU_ASSERT(parse("auto", sl2, &s, err) == 0 && s.index == 3 && s.count == 3);
    /* Buildkite wins over GitLab when both are set */
    const char *both[] = {"CI_NODE_INDEX=1", "CI_NODE_TOTAL=2", "BUILDKITE_PARALLEL_JOB=1",
                          "BUILDKITE_PARALLEL_JOB_COUNT=2", NULL};
    CU_ASSERT(parse("auto", both, &s, err) == 0 && s.index == 2 && s.count == 2);
    /* errors */
    const char *none[] = {NULL};
    CU_ASSERT(parse("auto", none, &s, err) == -1);
    CU_ASSERT(strstr(err, "BUILDKITE_PARALLEL_JOB") && strstr(err, "CI_NODE_INDEX") &&
              strstr(err, "SLURM_ARRAY_TASK_ID"));
    const char *gl0[] = {"CI_NODE_INDEX=0", "CI_NODE_TOTAL=3", NULL}; /* GitLab is 1-based */
    CU_ASSERT(parse("auto", gl0, &s, err) == -1);
    const char *bk4[] = {"BUILDKITE_PARALLEL_JOB=4", "BUILDKITE_PARALLEL_JOB_COUNT=4", NULL};
    CU_ASSERT(parse("auto", bk4, &s, err) == -1);
    const char *half[] = {"CI_NODE_INDEX=1", NULL};
    CU_ASSERT(parse("auto", half, &s, err) == -1);
    CU_ASSERT(strstr(err, "CI_NODE_TOTAL=(unset)") != NULL);
    const char *slbad[] = {"SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_COUNT=3",
                           "SLURM_ARRAY_TASK_MIN=10", NULL};
    CU_ASSERT(parse("auto", slbad, &s, err) == -1);
}

/* The N shards of a sweep run every case exactly once. */
static void test_partition(void) {
    for (long n = 1; n <= 7; n++)
        for (size_t i = 0; i < 50; i++) {
            int owners = 0;
            for (long k = 1; k <= n; k++) {
                struct shard s = {k, n};
                owners += shard_selects(&s, i);
            }
            CU_ASSERT_EQUAL(owners, 1);
        }
    struct shard all = {0, 0}, two = {2, 3};
    CU_ASSERT(shard_selects(&all, 5));
    CU_ASSERT(shard_selects(&two, 1) && shard_selects(&two, 4) && !shard_selects(&two, 2));
    char buf[32];
    shard_name(&two, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2/3");
    shard_name(&all, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "");
}

static void test_sweep_hash(void) {
    struct case_list a = {0}, b = {0}, c = {0};
    char err[256];
    CU_ASSERT_FATAL(batch_expand_line("fmt=ct,awq g=32,128", &a, err, sizeof err) == 0);
    CU_ASSERT_FATAL(batch_expand_line("fmt=ct,awq g=32,128", &b, err, sizeof err) == 0);
    CU_ASSERT_FATAL(batch_expand_line("fmt=awq,ct g=32,128", &c, err, sizeof err) == 0);
    CU_ASSERT_EQUAL(sweep_hash(&a), sweep_hash(&b));
    CU_ASSERT_NOT_EQUAL(sweep_hash(&a), sweep_hash(&c)); /* order matters: indices differ */
    case_list_free(&a);
    case_list_free(&b);
    case_list_free(&c);
}

int register_shard_suite(void) {
    GH_ADD_SUITE(s, "shard");
    GH_ADD_TEST(s, test_explicit);
    GH_ADD_TEST(s, test_auto);
    GH_ADD_TEST(s, test_partition);
    GH_ADD_TEST(s, test_sweep_hash);
    return 0;
}

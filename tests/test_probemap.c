/* test_probemap.c - the probe's weight-space map (harness/verdict/probemap.c):
 * one row per k for small K, folded by nibble slot for large K, columns
 * downsampled to fractions, rows a partial probe did not cover marked not
 * probed, the pattern rule, and its round trip through a results.jsonl line
 * (harness/results/results.c) with the reader's checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "results/results.h"
#include "verdict/probemap.h"

static float cell(const struct probemap *m, int r, int c) {
    return m->cells[(size_t)r * (size_t)m->cols + (size_t)c];
}

/* A full probe of K rows: pos = 0..K-1. */
static int64_t *all_rows(int64_t K) {
    int64_t *pos = malloc((size_t)K * sizeof *pos);
    CU_ASSERT_FATAL(pos != NULL);
    for (int64_t k = 0; k < K; k++)
        pos[k] = k;
    return pos;
}

/* K <= 64: one map row per weight row, one column per weight column. */
static void test_rows(void) {
    enum { K = 16, N = 8 };
    unsigned char bad[K * N] = {0};
    int64_t *pos = all_rows(K);
    CU_ASSERT(probemap_build(pos, K, bad, K, N) == NULL); /* nothing wrong: no map */
    for (int n = 0; n < N; n++)
        bad[7 * N + n] = 1; /* row 7 wrong */
    for (int n = 0; n < 4; n++)
        bad[3 * N + n] = 1; /* row 3, columns 0..3 */
    struct probemap *m = probemap_build(pos, K, bad, K, N);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_EQUAL(m->rows, K);
    CU_ASSERT_EQUAL(m->cols, N);
    CU_ASSERT_EQUAL(m->folded, 0);
    CU_ASSERT_EQUAL(m->probed, K);
    for (int r = 0; r < K; r++)
        for (int c = 0; c < N; c++) {
            const float want = r == 7 || (r == 3 && c < 4) ? 1.0f : 0.0f;
            CU_ASSERT_EQUAL(cell(m, r, c), want);
        }
    CU_ASSERT(probemap_shows_pattern(m));
    struct probemap *c = probemap_copy(m);
    CU_ASSERT_FATAL(c != NULL);
    CU_ASSERT(memcmp(c->cells, m->cells, (size_t)(K * N) * sizeof *m->cells) == 0);
    probemap_free(c);
    /* every weight wrong: one colour, no pattern to draw */
    memset(bad, 1, sizeof bad);
    probemap_free(m);
    m = probemap_build(pos, K, bad, K, N);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT(!probemap_shows_pattern(m));
    probemap_free(m);
    free(pos);
}

/* K > 64 folds by nibble slot; N > 256 puts two columns in a cell. */
static void test_fold(void) {
    enum { K = 256, N = 512 };
    unsigned char *bad = calloc(K * N, 1);
    CU_ASSERT_FATAL(bad != NULL);
    int64_t *pos = all_rows(K);
    for (int k = 128; k < K; k++)
        if (k % 8 == 5)
            for (int n = 0; n < N; n++)
                bad[k * N + n] = 1; /* slot 5 from k = 128 on */
    for (int k = 2; k < K; k += 8)
        bad[k * N + 3] = 1; /* slot 2, column 3 only */
    struct probemap *m = probemap_build(pos, K, bad, K, N);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_EQUAL(m->rows, PROBEMAP_MAX_ROWS);
    CU_ASSERT_EQUAL(m->cols, PROBEMAP_MAX_COLS);
    CU_ASSERT_EQUAL(m->folded, 1);
    CU_ASSERT_EQUAL(probemap_row(m, 5), 5 * PROBEMAP_BAND);
    CU_ASSERT_EQUAL(probemap_row(m, 128 + 5), 5 * PROBEMAP_BAND + PROBEMAP_BAND / 2);
    CU_ASSERT_EQUAL(probemap_row(m, K - 1), PROBEMAP_MAX_ROWS - 1);
    CU_ASSERT_EQUAL(probemap_col(m, 3), 1);
    for (int r = 0; r < m->rows; r++)
        for (int c = 0; c < m->cols; c++) {
            float want = 0;
            if (r >= 5 * PROBEMAP_BAND + PROBEMAP_BAND / 2 && r < 6 * PROBEMAP_BAND) want = 1;
            if (r >= 2 * PROBEMAP_BAND && r < 3 * PROBEMAP_BAND && c == 1)
                want = 0.5f; /* one of the cell's two columns */
            CU_ASSERT_EQUAL(cell(m, r, c), want);
        }
    CU_ASSERT(probemap_shows_pattern(m));
    probemap_free(m);
    free(pos);
    free(bad);
}

/* A partial probe: rows in cells it did not reach are NaN (not probed). */
static struct probemap *partial_map(void) {
    enum { K = 1024, N = 16, ROWS = 16 };
    int64_t pos[ROWS];
    unsigned char bad[ROWS * N] = {0};
    for (int i = 0; i < 8; i++) {
        pos[i] = i;             /* the first packed word */
        pos[8 + i] = K - 8 + i; /* and the last */
    }
    bad[15 * N + 0] = 1; /* k = 1023, column 0 */
    return probemap_build(pos, ROWS, bad, K, N);
}

static void test_partial(void) {
    struct probemap *m = partial_map();
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_EQUAL(m->probed, 16);
    CU_ASSERT_EQUAL(m->K, 1024);
    for (int r = 0; r < m->rows; r++) {
        const int in_band = r % PROBEMAP_BAND,
                  probed = in_band == 0 || in_band == PROBEMAP_BAND - 1;
        for (int c = 0; c < m->cols; c++) {
            if (!probed) {
                CU_ASSERT(isnan(cell(m, r, c)));
            } else {
                CU_ASSERT_EQUAL(cell(m, r, c), r == m->rows - 1 && c == 0 ? 1.0f : 0.0f);
            }
        }
    }
    CU_ASSERT(probemap_shows_pattern(m));
    /* bad arguments: no map */
    const int64_t out_of_range[1] = {1024};
    const unsigned char one[16] = {1};
    CU_ASSERT(probemap_build(out_of_range, 1, one, 1024, 16) == NULL);
    CU_ASSERT(probemap_new(0, 16, 1) == NULL);
    CU_ASSERT(probemap_new(64, 16, 65) == NULL);
    probemap_free(m);
}

static void record_with(struct record_list *l, struct case_record *r, struct probemap *m) {
    memset(l, 0, sizeof *l);
    struct run_env e;
    memset(&e, 0, sizeof e);
    char err[256];
    CU_ASSERT_FATAL(record_list_sweep(l, (struct sweep_id){2, 0xabcULL}, err, sizeof err) == 0);
    record_init(r);
    CU_ASSERT_FATAL(record_list_env(l, &e, &r->env) == 0);
    CU_ASSERT_FATAL(desc_parse("fmt=ct m=2 n=16 k=1024 g=32", &r->d, err, sizeof err) == 0);
    desc_print(&r->d, r->desc, sizeof r->desc);
    r->verdict = V_FAILED;
    r->probe = m;
}

static char *replace(const char *s, const char *from, const char *to) {
    const char *p = strstr(s, from);
    CU_ASSERT_FATAL(p != NULL);
    char *out = malloc(strlen(s) + strlen(to) + 1);
    CU_ASSERT_FATAL(out != NULL);
    sprintf(out, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    return out;
}

static void expect_bad(const char *line, const char *want) {
    struct record_list l;
    struct case_record r;
    char err[512] = "";
    memset(&l, 0, sizeof l);
    int rc = results_parse_line(line, strlen(line), &l, &r, err, sizeof err);
    CU_ASSERT_EQUAL(rc, -1);
    if (rc == 0) record_free(&r);
    if (!strstr(err, want)) fprintf(stderr, "\nerror '%s' lacks '%s'\n", err, want);
    CU_ASSERT(strstr(err, want) != NULL);
    record_list_free(&l);
}

static void test_roundtrip(void) {
    struct record_list l, l2;
    struct case_record r, back;
    char err[512];
    record_with(&l, &r, partial_map());
    CU_ASSERT_FATAL(r.probe != NULL);
    char *line = results_line(&l, &r);
    CU_ASSERT_FATAL(line != NULL);
    CU_ASSERT(strstr(line, "\"probe\":{\"rows\":64,\"cols\":16,\"k\":1024,\"n\":16,\"probed\":16,"
                           "\"layout\":\"slots\",\"cells\":[0,") != NULL);
    CU_ASSERT(strstr(line, "null") != NULL); /* the cells not probed */
    memset(&l2, 0, sizeof l2);
    CU_ASSERT_FATAL(results_parse_line(line, strlen(line), &l2, &back, err, sizeof err) == 0);
    CU_ASSERT_FATAL(back.probe != NULL);
    CU_ASSERT_EQUAL(back.probe->rows, r.probe->rows);
    CU_ASSERT_EQUAL(back.probe->cols, r.probe->cols);
    CU_ASSERT_EQUAL(back.probe->folded, 1);
    CU_ASSERT_EQUAL(back.probe->probed, 16);
    for (int i = 0; i < r.probe->rows * r.probe->cols; i++) {
        const float a = r.probe->cells[i], b = back.probe->cells[i];
        CU_ASSERT(isnan(a) ? isnan(b) : a == b);
    }
    /* the line a re-rendered report writes is the same */
    char *again = results_line(&l2, &back);
    CU_ASSERT(again && strcmp(again, line) == 0);
    free(again);
    record_free(&back);
    record_list_free(&l2);
    /* the reader refuses a map that does not fit the case */
    static const char *const edits[][3] = {
        {"\"layout\":\"slots\"", "\"layout\":\"rows\"", "'probe.layout'"},
        {"\"k\":1024", "\"k\":512", "'probe.k'"},
        {"\"probed\":16", "\"probed\":2000", "'probe.probed'"},
        {"\"cells\":[0,", "\"cells\":[1.5,", "'probe.cells'"},
        {"\"cols\":16,\"k\"", "\"cols\":8,\"k\"", "'probe.rows'"},
        {"\"probe\":{", "\"probe\":7,\"p\":{", "'probe'"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        char *e = replace(line, edits[i][0], edits[i][1]);
        expect_bad(e, edits[i][2]);
        free(e);
    }
    free(line);
    record_free(&r);
    record_list_free(&l);
    /* no map: no key, and none read back */
    record_with(&l, &r, NULL);
    line = results_line(&l, &r);
    CU_ASSERT_FATAL(line != NULL);
    CU_ASSERT(strstr(line, "\"probe\"") == NULL);
    memset(&l2, 0, sizeof l2);
    CU_ASSERT_FATAL(results_parse_line(line, strlen(line), &l2, &back, err, sizeof err) == 0);
    CU_ASSERT(back.probe == NULL);
    record_free(&back);
    record_list_free(&l2);
    free(line);
    record_free(&r);
    record_list_free(&l);
}

int register_probemap_suite(void) {
    GH_ADD_SUITE(s, "probemap");
    GH_ADD_TEST(s, test_rows);
    GH_ADD_TEST(s, test_fold);
    GH_ADD_TEST(s, test_partial);
    GH_ADD_TEST(s, test_roundtrip);
    return 0;
}

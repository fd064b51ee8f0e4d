/* test_v1zero.c - GPTQ v1's three Z - 1 conventions (harness/formats/v1zero.c), and the
 * descriptor key v1zp through format_pack / format_unpack_read.
 *
 * The pinned words are taken from real files (fixtures/real/): AutoGPTQ 0.7.1's packer and
 * GPTQModel 7.7.0's v1 writer on the same layer (model.layers.0.self_attn.k_proj, group 0,
 * columns 0..7, true zero points 7 0 6 8 5 7 7 0; GPTQModel's v2 file of it holds 0x07758607). */
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cases/desc.h"
#include "cases/problem.h"
#include "formats/formats.h"
#include "formats/v1zero.h"
#include "suites.h"

static const uint8_t REAL_Z[8] = {7, 0, 6, 8, 5, 7, 7, 0};

static void test_names(void) {
    v1zero_t c;
    CU_ASSERT_EQUAL(v1zero_parse("nibble", &c), 0);
    CU_ASSERT_EQUAL(c, V1Z_NIBBLE);
    CU_ASSERT_EQUAL(v1zero_parse("nowrap", &c), 0);
    CU_ASSERT_EQUAL(c, V1Z_NOWRAP);
    CU_ASSERT_EQUAL(v1zero_parse("word", &c), 0);
    CU_ASSERT_EQUAL(c, V1Z_WORD);
    CU_ASSERT_EQUAL(v1zero_parse("carry", &c), -1);
    CU_ASSERT_EQUAL(v1zero_parse(NULL, &c), -1);
    CU_ASSERT_STRING_EQUAL(v1zero_name(V1Z_WORD), "word");
    CU_ASSERT_PTR_NULL(v1zero_name(V1Z_COUNT));
}

/* The writers, against the words the libraries wrote. */
static void test_real_words(void) {
    CU_ASSERT_EQUAL(v1zero_encode(V1Z_WORD, REAL_Z), 0xf66474f6u);   /* GPTQModel */
    CU_ASSERT_EQUAL(v1zero_encode(V1Z_NIBBLE, REAL_Z), 0xf66475f6u); /* masked per nibble */
    /* AutoGPTQ: column 1's -1 turns nibbles 1..7 into F; only column 0 survives */
    CU_ASSERT_EQUAL(v1zero_encode(V1Z_NOWRAP, REAL_Z), 0xfffffff6u);
}

/* The readers of GPTQModel's word: only the whole-word one gets the true zeros back. */
static void test_readings_of_a_borrow(void) {
    uint8_t z[8];
    v1zero_decode(V1Z_WORD, 0xf66474f6u, z);
    CU_ASSERT_EQUAL(memcmp(z, REAL_Z, 8), 0);
    v1zero_decode(V1Z_NIBBLE, 0xf66474f6u, z);
    const uint8_t nib[8] = {7, 0, 5, 8, 5, 7, 7, 0}; /* column 2: one step low (the borrow) */
    CU_ASSERT_EQUAL(memcmp(z, nib, 8), 0);
    v1zero_decode(V1Z_NOWRAP, 0xf66474f6u, z);
    const uint8_t nw[8] = {7, 16, 5, 8, 5, 7, 7, 16};
    CU_ASSERT_EQUAL(memcmp(z, nw, 8), 0);
    /* AutoGPTQ's word: per nibble reads 0 above column 1, nowrap 16; column 0 survives */
    v1zero_decode(V1Z_NIBBLE, 0xfffffff6u, z);
    CU_ASSERT_EQUAL(z[0], 7);
    for (int j = 1; j < 8; j++)
        CU_ASSERT_EQUAL(z[j], 0);
    v1zero_decode(V1Z_NOWRAP, 0xfffffff6u, z);
    for (int j = 1; j < 8; j++)
        CU_ASSERT_EQUAL(z[j], 16);
}

/* nibble and word round-trip every zero point; nowrap does not once a Z is 0. */
static void test_round_trips(void) {
    uint32_t x = 12345;
    long bad_nowrap = 0;
    for (int it = 0; it < 200000; it++) {
        uint8_t z[8], back[8];
        for (int j = 0; j < 8; j++) {
            x = x * 1103515245u + 12345u;
            z[j] = (uint8_t)((x >> 16) & 0xFu);
        }
        for (int c = 0; c < V1Z_COUNT; c++) {
            v1zero_decode((v1zero_t)c, v1zero_encode((v1zero_t)c, z), back);
            int same = memcmp(z, back, 8) == 0;
            if (c == V1Z_NOWRAP) {
                bad_nowrap += !same;
            } else {
                CU_ASSERT_TRUE_FATAL(same);
            }
        }
        int has0 = 0;
        for (int j = 0; j < 8; j++)
            has0 |= z[j] == 0;
        if (!has0) { /* without a 0 the OR packer is lossless and the readings agree */
            CU_ASSERT_EQUAL(v1zero_encode(V1Z_NOWRAP, z), v1zero_encode(V1Z_NIBBLE, z));
            CU_ASSERT_EQUAL(v1zero_encode(V1Z_WORD, z), v1zero_encode(V1Z_NIBBLE, z));
        }
    }
    CU_ASSERT_TRUE(bad_nowrap > 0);
}

static void test_scan(void) {
    struct v1zero_stats st;
    char buf[256];
    const uint32_t autogptq[] = {0xfffffff6u, 0xffffff67u, 0x74767685u};
    v1zero_scan(autogptq, 3, &st);
    CU_ASSERT_EQUAL(st.words, 3);
    CU_ASSERT_EQUAL(st.f_words, 2);
    CU_ASSERT_EQUAL(st.low_f, 2);
    CU_ASSERT_EQUAL(st.or_words, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(v1zero_pattern_text(&st, buf, sizeof buf), "AutoGPTQ's packer"));
    const uint32_t gptqmodel[] = {0xf66474f6u, 0x77775f67u, 0x74767685u};
    v1zero_scan(gptqmodel, 3, &st);
    CU_ASSERT_EQUAL(st.f_words, 2);
    CU_ASSERT_EQUAL(st.or_words, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v1zero_pattern_text(&st, buf, sizeof buf), "not AutoGPTQ"));
    const uint32_t top[] = {0xf7777777u, 0x77777777u};
    v1zero_scan(top, 2, &st);
    CU_ASSERT_EQUAL(st.f_words, 1);
    CU_ASSERT_EQUAL(st.low_f, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v1zero_pattern_text(&st, buf, sizeof buf), "top nibbles"));
    v1zero_scan(top + 1, 1, &st);
    CU_ASSERT_EQUAL(st.f_words, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v1zero_pattern_text(&st, buf, sizeof buf), "agree"));
}

static void test_descriptor_key(void) {
    struct case_desc d;
    char err[256], line[512];
    CU_ASSERT_EQUAL_FATAL(desc_parse("fmt=gptq-v1 zp=asym v1zp=word", &d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(d.v1z, V1Z_WORD);
    desc_print(&d, line, sizeof line);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " v1zp=word"));
    struct case_desc again;
    CU_ASSERT_EQUAL_FATAL(desc_parse(line, &again, err, sizeof err), 0);
    CU_ASSERT_TRUE(desc_equal(&d, &again));
    CU_ASSERT_EQUAL_FATAL(desc_parse("fmt=gptq-v1 zp=asym", &d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(d.v1z, V1Z_NIBBLE);
    desc_print(&d, line, sizeof line);
    CU_ASSERT_PTR_NULL(strstr(line, "v1zp")); /* the default is not printed */
    CU_ASSERT_EQUAL(desc_parse("fmt=gptq-v2 zp=asym v1zp=word", &d, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "v1zp=word applies only to fmt=gptq-v1 zp=asym"));
    CU_ASSERT_EQUAL(desc_parse("fmt=gptq-v1 zp=sym v1zp=nowrap", &d, err, sizeof err), -1);
    CU_ASSERT_EQUAL(desc_parse("fmt=gptq-v1 zp=asym v1zp=carry", &d, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "v1zp"));
}

/* A generated problem packed with each writer and read with each reader. */
static void test_pack_and_read(void) {
    const v1zero_t conv[] = {V1Z_NIBBLE, V1Z_WORD};
    for (int ci = 0; ci < 2; ci++) {
        struct case_desc d;
        char err[256], line[160];
        snprintf(line, sizeof line, "fmt=gptq-v1 zp=asym n=64 k=128 g=32 seed=5 v1zp=%s",
                 v1zero_name(conv[ci]));
        CU_ASSERT_EQUAL_FATAL(desc_parse(line, &d, err, sizeof err), 0);
        struct problem p;
        CU_ASSERT_EQUAL_FATAL(problem_generate(&d, &p, err, sizeof err), 0);
        long zeros0 = 0;
        for (int64_t i = 0; i < p.G * p.N; i++)
            zeros0 += p.z[i] == 0;
        CU_ASSERT_TRUE(zeros0 > 0); /* the generator does draw Z = 0 */
        struct tensor_set ts;
        memset(&ts, 0, sizeof ts);
        CU_ASSERT_EQUAL_FATAL(format_pack(&p, &ts, err, sizeof err), 0);
        for (int r = 0; r < V1Z_COUNT; r++) {
            struct logical_weights w;
            CU_ASSERT_EQUAL_FATAL(format_unpack_read(FMT_GPTQ_V1, ZP_ASYM, (v1zero_t)r, &ts, p.K,
                                                     p.N, p.G, &w, err, sizeof err),
                                  0);
            long diff = 0;
            for (int64_t i = 0; i < p.G * p.N; i++)
                diff += w.z[i] != p.z[i];
            if (r == (int)conv[ci]) {
                CU_ASSERT_EQUAL(diff, 0);
            } else {
                CU_ASSERT_TRUE(diff > 0); /* a reader of the other convention is wrong */
            }
            logical_weights_free(&w);
        }
        tensor_set_free(&ts);
        problem_free(&p);
    }
}

int register_v1zero_suite(void) {
    GH_ADD_SUITE(s, "v1zero");
    GH_ADD_TEST(s, test_names);
    GH_ADD_TEST(s, test_real_words);
    GH_ADD_TEST(s, test_readings_of_a_borrow);
    GH_ADD_TEST(s, test_round_trips);
    GH_ADD_TEST(s, test_scan);
    GH_ADD_TEST(s, test_descriptor_key);
    GH_ADD_TEST(s, test_pack_and_read);
    return 0;
}

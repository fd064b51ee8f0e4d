/* test_safetensors.c - the safetensors reader and writer: round trips (plain
 * and gzip'd, file and memory), every damaged file of ckpt_build.c, the
 * decompression cap, the read cap, and random corruption of a valid file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "formats/safetensors.h"
#include "ckpt_build.h"
#include "suites.h"

static void tmp_path(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "/tmp/gh-st-%ld-%s", (long)getpid(), name);
}

static int read_file(const char *path, unsigned char **buf, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            } else {
                b = nb;
            }
        }
    }
    fclose(f);
    if (!b) return -1;
    *buf = b;
    *len = n;
    return 0;
}

/* Tensors of several dtypes and ranks, an empty one and a scalar. */
static int32_t rt_i32[3 * 5];
static uint16_t rt_f16[7];
static double rt_f64[2 * 2];
static int64_t rt_i64 = -5;

static size_t make_tensors(struct st_wtensor *w) {
    for (int i = 0; i < 15; i++)
        rt_i32[i] = i * 1000003 - 7;
    for (int i = 0; i < 7; i++)
        rt_f16[i] = (uint16_t)(0x3C00 + i);
    for (int i = 0; i < 4; i++)
        rt_f64[i] = 1.0 / (i + 3);
    memset(w, 0, 5 * sizeof *w);
    w[0] =
        (struct st_wtensor){"model.layers.0.self_attn.q_proj.qweight", ST_I32, 2, {3, 5}, rt_i32};
    w[1] = (struct st_wtensor){"x", ST_F16, 1, {7}, rt_f16};
    w[2] = (struct st_wtensor){"y_ref", ST_F64, 2, {2, 2}, rt_f64};
    w[3] = (struct st_wtensor){"step", ST_I64, 0, {0}, &rt_i64};
    w[4] = (struct st_wtensor){"empty", ST_F32, 1, {0}, NULL};
    return 5;
}

static void check_roundtrip(const struct st_file *st, const struct st_wtensor *w, size_t n) {
    CU_ASSERT_EQUAL_FATAL(st->n, n);
    CU_ASSERT_EQUAL(st->header_len % 8, 0);
    CU_ASSERT_STRING_EQUAL(st_meta_get(st, "descriptor"), "fmt=ct m=1");
    CU_ASSERT_STRING_EQUAL(st_meta_get(st, "verdict"), "FAILED");
    CU_ASSERT_PTR_NULL(st_meta_get(st, "nope"));
    char err[256];
    for (size_t i = 0; i < n; i++) {
        long j = st_find(st, w[i].name);
        CU_ASSERT_FATAL(j >= 0);
        const struct st_entry *e = &st->e[j];
        CU_ASSERT_EQUAL(e->dtype, w[i].dtype);
        CU_ASSERT_EQUAL(e->ndim, w[i].ndim);
        for (int d = 0; d < e->ndim; d++)
            CU_ASSERT_EQUAL(e->shape[d], w[i].shape[d]);
        size_t bytes = (size_t)st_entry_bytes(e);
        unsigned char *buf = malloc(bytes + 1);
        CU_ASSERT_FATAL(buf != NULL);
        CU_ASSERT_EQUAL(st_read(st, (size_t)j, buf, bytes, err, sizeof err), 0);
        if (bytes) CU_ASSERT_EQUAL(memcmp(buf, w[i].data, bytes), 0);
        free(buf);
    }
    CU_ASSERT_EQUAL(st_find(st, "missing"), -1);
}

static const struct st_meta META[2] = {{"descriptor", "fmt=ct m=1"}, {"verdict", "FAILED"}};

static void test_roundtrip_file(void) {
    struct st_wtensor w[5];
    size_t n = make_tensors(w);
    char err[256], path[256];
    for (int gz = 0; gz < 2; gz++) {
        tmp_path(path, sizeof path, gz ? "rt.safetensors.gz" : "rt.safetensors");
        CU_ASSERT_EQUAL_FATAL(st_write(path, gz, w, n, META, 2, err, sizeof err), 0);
        struct st_file st;
        int rc = st_open(path, 0, &st, err, sizeof err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT_EQUAL(st.gzipped, gz);
        check_roundtrip(&st, w, n);
        st_close(&st);
        /* the same bytes from memory */
        unsigned char *img;
        size_t len;
        CU_ASSERT_EQUAL_FATAL(read_file(path, &img, &len), 0);
        CU_ASSERT_EQUAL(img[0] == 0x1f && img[1] == 0x8b, gz);
        CU_ASSERT_EQUAL_FATAL(st_open_mem(img, len, 0, &st, err, sizeof err), 0);
        check_roundtrip(&st, w, n);
        st_close(&st);
        free(img);
        unlink(path);
    }
}

static void test_load_into_set(void) {
    struct st_wtensor w[5];
    size_t n = make_tensors(w);
    char err[256], path[256];
    tmp_path(path, sizeof path, "load.safetensors");
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, w, n, META, 2, err, sizeof err), 0);
    struct st_file st;
    CU_ASSERT_EQUAL_FATAL(st_open(path, 0, &st, err, sizeof err), 0);
    struct tensor_set set;
    memset(&set, 0, sizeof set);
    struct tensor *t =
        st_load(&st, (size_t)st_find(&st, w[0].name), &set, "qweight", err, sizeof err);
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT_EQUAL(t->dtype, TD_I32);
    CU_ASSERT_EQUAL(t->shape[0], 3);
    CU_ASSERT_EQUAL(t->shape[1], 5);
    CU_ASSERT_EQUAL(memcmp(t->data, rt_i32, sizeof rt_i32), 0);
    CU_ASSERT_PTR_NOT_NULL(
        st_load(&st, (size_t)st_find(&st, "y_ref"), &set, NULL, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(tensor_set_get(&set, "y_ref"));
    /* refused: a dtype tensor.h lacks, a scalar, an empty tensor, a name taken */
    CU_ASSERT_PTR_NULL(st_load(&st, (size_t)st_find(&st, "step"), &set, NULL, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "I64"));
    CU_ASSERT_PTR_NULL(st_load(&st, (size_t)st_find(&st, "empty"), &set, NULL, err, sizeof err));
    CU_ASSERT_PTR_NULL(st_load(&st, (size_t)st_find(&st, "y_ref"), &set, NULL, err, sizeof err));
    CU_ASSERT_EQUAL(set.n, 2);
    tensor_set_free(&set);
    st_close(&st);
    /* the read cap: a plain file is read lazily, the cap applies per tensor */
    CU_ASSERT_EQUAL_FATAL(st_open(path, 16, &st, err, sizeof err), 0);
    unsigned char buf[64];
    CU_ASSERT_EQUAL(st_read(&st, (size_t)st_find(&st, w[0].name), buf, 60, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "max-bytes"));
    CU_ASSERT_EQUAL(st_read(&st, (size_t)st_find(&st, "x"), buf, 14, err, sizeof err), 0);
    CU_ASSERT_EQUAL(st_read(&st, (size_t)st_find(&st, "x"), buf, 13, err, sizeof err), -1);
    st_close(&st);
    unlink(path);
}

static void test_damaged(void) {
    char err[512], path[256];
    tmp_path(path, sizeof path, "damaged");
    CU_ASSERT(testckpt_ndamaged() >= 25);
    for (int i = 0; i < testckpt_ndamaged(); i++) {
        unsigned char *img;
        size_t len;
        CU_ASSERT_EQUAL_FATAL(testckpt_damaged_bytes(i, &img, &len), 0);
        struct st_file st;
        err[0] = '\0';
        int rc = st_open_mem(img, len, 0, &st, err, sizeof err);
        if (rc == 0 || !strstr(err, testckpt_damaged_why(i)))
            fprintf(stderr, "\n  damaged '%s': rc %d, message '%s' (want '%s')\n",
                    testckpt_damaged_name(i), rc, err, testckpt_damaged_why(i));
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, testckpt_damaged_why(i)));
        CU_ASSERT_EQUAL(st.n, 0); /* closed on error */
        free(img);
        /* and from a file */
        CU_ASSERT_EQUAL_FATAL(testckpt_damaged_write(i, path), 0);
        err[0] = '\0';
        CU_ASSERT_EQUAL(st_open(path, 0, &st, err, sizeof err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, testckpt_damaged_why(i)));
    }
    unlink(path);
    struct st_file st;
    CU_ASSERT_EQUAL(st_open("/nonexistent/x.safetensors", 0, &st, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open"));
    CU_ASSERT_EQUAL(st_open("/tmp", 0, &st, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
    st_close(&st); /* harmless on an empty st */
}

/* A gzip bomb: 4 MiB of zeros compress to a few KiB; a 1 MiB cap stops it. */
static void test_gzip_cap(void) {
    const size_t big = (size_t)4 << 20;
    char err[256], path[256];
    tmp_path(path, sizeof path, "bomb.safetensors.gz");
    CU_ASSERT_EQUAL_FATAL(testckpt_write_bomb(path, big, err, sizeof err), 0);
    struct st_file st;
    CU_ASSERT_EQUAL(st_open(path, (uint64_t)1 << 20, &st, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 1048576 bytes"));
    CU_ASSERT_EQUAL(st_open(path, 0, &st, err, sizeof err), 0);
    CU_ASSERT_EQUAL(st.data_size, big);
    st_close(&st);
    unlink(path);
}

static void test_writer_refuses(void) {
    char err[256], path[256];
    tmp_path(path, sizeof path, "refused.safetensors");
    int32_t v[4] = {0};
    struct st_wtensor w[2] = {{"a", ST_I32, 1, {4}, v}, {"a", ST_I32, 1, {4}, v}};
    CU_ASSERT_EQUAL(st_write(path, 0, w, 2, NULL, 0, err, sizeof err), -1);
    w[1].name = "b";
    w[1].shape[0] = -4;
    CU_ASSERT_EQUAL(st_write(path, 0, w, 2, NULL, 0, err, sizeof err), -1);
    w[1].name = "__metadata__";
    w[1].shape[0] = 4;
    CU_ASSERT_EQUAL(st_write(path, 0, w, 2, NULL, 0, err, sizeof err), -1);
    struct st_meta m[2] = {{"k", "1"}, {"k", "2"}};
    CU_ASSERT_EQUAL(st_write(path, 0, w, 1, m, 2, err, sizeof err), -1);
    CU_ASSERT_EQUAL(access(path, F_OK), -1);
    CU_ASSERT_EQUAL(st_write("/nonexistent-dir/x.safetensors", 0, w, 1, NULL, 0, err, sizeof err),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot create"));
}

/* Random byte changes in a valid image (plain): the reader accepts or
 * refuses, never crashes; header-length bytes included. */
static void test_corruption(void) {
    struct st_wtensor w[5];
    size_t n = make_tensors(w);
    char err[256], path[256];
    tmp_path(path, sizeof path, "fuzz.safetensors");
    CU_ASSERT_EQUAL_FATAL(st_write(path, 0, w, n, META, 2, err, sizeof err), 0);
    unsigned char *img;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(read_file(path, &img, &len), 0);
    unlink(path);
    unsigned char *mut = malloc(len);
    CU_ASSERT_FATAL(mut != NULL);
    uint64_t s = 12345;
    int refused = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(mut, img, len);
        for (int k = 0; k < 1 + it % 3; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (size_t)(s >> 33) % len;
            mut[at] = (unsigned char)(s >> 17);
        }
        struct st_file st;
        if (st_open_mem(mut, len, 0, &st, err, sizeof err) != 0)
            refused++;
        else
            st_close(&st);
    }
    CU_ASSERT(refused > 0);
    free(mut);
    free(img);
}

static void test_checkpoint_builder(void) {
    char err[256], path[256];
    tmp_path(path, sizeof path, "ckpt.safetensors");
    CU_ASSERT_EQUAL_FATAL(testckpt_write(path, "gptq", err, sizeof err), 0);
    struct st_file st;
    CU_ASSERT_EQUAL_FATAL(st_open(path, 0, &st, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(st_meta_get(&st, "checkpoint_format"), "gptq");
    CU_ASSERT(st_find(&st, "model.layers.0.self_attn.q_proj.qweight") >= 0);
    CU_ASSERT(st_find(&st, "model.layers.1.self_attn.o_proj.weight_shape") >= 0);
    CU_ASSERT(st.n > 20);
    st_close(&st);
    unlink(path);
}

/* Opens the file of one header (and data_len zero bytes) from memory. */
static int open_header(const char *header, size_t data_len, struct st_file *st, char *err,
                       size_t errlen) {
    const size_t hl = strlen(header), len = 8 + hl + data_len;
    unsigned char *img = calloc(len, 1);
    if (!img) return -1;
    for (int i = 0; i < 8; i++)
        img[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(img + 8, header, hl);
    int rc = st_open_mem(img, len, 0, st, err, errlen);
    free(img);
    return rc;
}

/* Names must be UTF-8 without NUL: valid UTF-8 of 2, 3 and 4 bytes is kept
 * as it is, an escaped backslash before "u0000" is no NUL, and a NUL is
 * refused naming the string and whether it is a name. */
static void test_name_bytes(void) {
    char err[512];
    struct st_file st;
    const char *utf8 =
        "{\"w\xc3\xa9.\xe5\xb1\x82.\xf0\x9f\x98\x80\":{\"dtype\":\"U8\",\"shape\":[4],"
        "\"data_offsets\":[0,4]},\"__metadata__\":{\"k\":\"a\\\\u0000\"}}";
    CU_ASSERT_EQUAL_FATAL(open_header(utf8, 4, &st, err, sizeof err), 0);
    CU_ASSERT(st_find(&st, "w\xc3\xa9.\xe5\xb1\x82.\xf0\x9f\x98\x80") == 0);
    CU_ASSERT_STRING_EQUAL(st_meta_get(&st, "k"), "a\\u0000");
    st_close(&st);
    const char *nul = "{\"q_proj\\u0000x.qweight\":{\"dtype\":\"U8\",\"shape\":[4],"
                      "\"data_offsets\":[0,4]}}";
    CU_ASSERT_EQUAL(open_header(nul, 4, &st, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "header: the name \"q_proj\\u0000x.qweight\" at byte 1 "
                                       "contains a NUL byte (\\u0000)"));
    CU_ASSERT_EQUAL(open_header("{\"__metadata__\":{\"k\":\"\\u0000\"}}", 0, &st, err, sizeof err),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "the value \"\\u0000\" at byte 21"));
    CU_ASSERT_EQUAL(open_header("{\"\xf4\x90\x80\x80\":{}}", 0, &st, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not valid UTF-8 (byte 0xf4 at byte 2 of"));
}

int register_safetensors_suite(void) {
    GH_ADD_SUITE(s, "safetensors");
    GH_ADD_TEST(s, test_roundtrip_file);
    GH_ADD_TEST(s, test_load_into_set);
    GH_ADD_TEST(s, test_damaged);
    GH_ADD_TEST(s, test_gzip_cap);
    GH_ADD_TEST(s, test_writer_refuses);
    GH_ADD_TEST(s, test_corruption);
    GH_ADD_TEST(s, test_checkpoint_builder);
    GH_ADD_TEST(s, test_name_bytes);
    return 0;
}

/* ckpt_build.c - test checkpoints and damaged files (see ckpt_build.h). */
#include "ckpt_build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cases/desc.h"
#include "formats/formats.h"
#include "cases/problem.h"
#include "formats/safetensors.h"

/* ---- the multi-layer checkpoint ----------------------------------------- */

const struct testckpt_layer TESTCKPT_LAYERS[] = {
    {"model.layers.0.mlp.down_proj",
     "fmt=gptq-v2 m=1 n=64 k=256 g=64 zp=sym gidx=none dt=f16 data=real seed=12",
     "fmt=gptq-v2 bits=4 k=256 n=64 g=64 zp=sym gidx=none dt=f16 bias=0", 1},
    {"model.layers.0.self_attn.q_proj",
     "fmt=gptq-v1 m=1 n=64 k=128 g=32 zp=sym gidx=act dt=f16 data=real seed=11",
     "fmt=gptq-v1 bits=4 k=128 n=64 g=32 zp=sym gidx=act dt=f16 bias=0", 0},
    {"model.layers.1.mlp.up_proj",
     "fmt=awq m=1 n=128 k=128 g=64 zp=asym gidx=none dt=f16 data=real seed=14",
     "fmt=awq bits=4 k=128 n=128 g=64 zp=asym gidx=none dt=f16 bias=0", 0},
    {"model.layers.1.self_attn.o_proj",
     "fmt=ct m=1 n=128 k=64 g=32 zp=asym gidx=trivial dt=bf16 data=real seed=13",
     "fmt=ct bits=4 k=64 n=128 g=32 zp=asym gidx=trivial dt=bf16 bias=0", 0},
    {"model.layers.1.self_attn.q_proj",
     "fmt=gptq-v1 m=1 n=64 k=128 g=-1 zp=asym gidx=none dt=f16 data=real bias=1 seed=15",
     "fmt=gptq-v1 bits=4 k=128 n=64 g=-1 zp=asym gidx=none dt=f16 bias=1", 0},
};
#define NSPECS ((int)(sizeof TESTCKPT_LAYERS / sizeof TESTCKPT_LAYERS[0]))
const int TESTCKPT_NLAYERS = NSPECS;

/* Tensors outside the quantized layers (other dtypes, a scalar). */
static const int64_t OTHER_I64 = 7;
static const uint8_t OTHER_BOOL[3] = {1, 0, 1};
static uint16_t other_embed[32 * 16], other_norm[16];
static float other_head[16 * 8];
const int TESTCKPT_NOTHER = 5;

#define MAX_W 48

struct builder {
    struct st_wtensor w[MAX_W];
    char names[MAX_W][160];
    int n;
    struct problem p[NSPECS];
    struct tensor_set ts[NSPECS];
    int64_t ct_shape[2];
};

static struct st_wtensor *add(struct builder *b, const char *prefix, const char *name,
                              st_dtype_t dt, int ndim, int64_t d0, int64_t d1, const void *data) {
    if (b->n >= MAX_W) return NULL;
    struct st_wtensor *w = &b->w[b->n];
    snprintf(b->names[b->n], sizeof b->names[b->n], "%s%s", prefix, name);
    memset(w, 0, sizeof *w);
    w->name = b->names[b->n];
    w->dtype = dt;
    w->ndim = ndim;
    w->shape[0] = d0;
    w->shape[1] = d1;
    w->data = data;
    b->n++;
    return w;
}

static int add_layer(struct builder *b, int i, char *err, size_t errlen) {
    struct case_desc d;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s.", TESTCKPT_LAYERS[i].name);
    if (desc_parse(TESTCKPT_LAYERS[i].gen, &d, err, errlen) != 0 ||
        problem_generate(&d, &b->p[i], err, errlen) != 0 ||
        format_pack(&b->p[i], &b->ts[i], err, errlen) != 0)
        return -1;
    for (int j = 0; j < b->ts[i].n; j++) {
        struct st_wtensor w = st_wtensor_of(&b->ts[i].t[j]);
        struct st_wtensor *dst =
            add(b, prefix, w.name, w.dtype, w.ndim, w.shape[0], w.shape[1], w.data);
        if (!dst) return -1;
    }
    if (d.bias && !add(b, prefix, "bias", ST_F16, 1, d.n, 0, b->p[i].bias)) return -1;
    if (d.fmt == FMT_CT) {
        b->ct_shape[0] = d.n;
        b->ct_shape[1] = d.k;
        if (!add(b, prefix, "weight_shape", ST_I64, 1, 2, 0, b->ct_shape)) return -1;
    }
    return 0;
}

static int add_others(struct builder *b) {
    for (int i = 0; i < 32 * 16; i++)
        other_embed[i] = (uint16_t)(0x3C00 + i % 64);
    for (int i = 0; i < 16; i++)
        other_norm[i] = 0x3F80;
    for (int i = 0; i < 16 * 8; i++)
        other_head[i] = (float)i / 8.0f;
    struct st_wtensor *step = add(b, "model.", "step", ST_I64, 0, 0, 0, &OTHER_I64);
    if (!step || !add(b, "model.", "embed_tokens.weight", ST_F16, 2, 32, 16, other_embed) ||
        !add(b, "model.", "norm.weight", ST_BF16, 1, 16, 0, other_norm) ||
        !add(b, "", "lm_head.weight", ST_F32, 2, 16, 8, other_head) ||
        !add(b, "model.", "mask", ST_BOOL, 1, 3, 0, OTHER_BOOL))
        return -1;
    return 0;
}

int testckpt_write(const char *path, const char *checkpoint_format, char *err, size_t errlen) {
    struct builder *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = add_others(b);
    for (int i = 0; rc == 0 && i < NSPECS; i++)
        rc = add_layer(b, i, err, errlen);
    struct st_meta meta[2] = {{"format", "pt"}, {"checkpoint_format", (char *)checkpoint_format}};
    if (rc == 0)
        rc = st_write(path, 0, b->w, (size_t)b->n, meta, checkpoint_format ? 2 : 1, err, errlen);
    else if (!err[0])
        snprintf(err, errlen, "building the test checkpoint failed");
    for (int i = 0; i < NSPECS; i++) {
        problem_free(&b->p[i]);
        tensor_set_free(&b->ts[i]);
    }
    free(b);
    return rc;
}

int testckpt_write_bomb(const char *path, size_t bytes, char *err, size_t errlen) {
    void *zeros = calloc(bytes ? bytes : 1, 1);
    if (!zeros) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct st_wtensor w = {"zeros", ST_U8, 1, {(int64_t)bytes}, zeros};
    int rc = st_write(path, 1, &w, 1, NULL, 0, err, errlen);
    free(zeros);
    return rc;
}

/* ---- damaged files ------------------------------------------------------ */

enum dkind { DK_PLAIN, DK_SHORT, DK_GZ_GARBAGE, DK_GZ_TRUNCATED, DK_GZ_TRAILING };

#define NO_OVERRIDE UINT64_MAX

struct damaged {
    const char *name;
    const char *why;
    enum dkind kind;
    uint64_t hlen; /* header length field; NO_OVERRIDE: the header's length */
    const char *header;
    size_t data_len; /* zero bytes after the header */
};

#define T4 "{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":"
static const struct damaged DAMAGED[] = {
    {"short-file", "too short", DK_SHORT, NO_OVERRIDE, "", 0},
    {"header-past-end", "runs past the end", DK_PLAIN, 1000, "{}", 0},
    {"header-huge", "runs past the end", DK_PLAIN, (uint64_t)1 << 62, "{}", 0},
    {"header-zero", "too small", DK_PLAIN, 0, "{}", 0},
    {"header-not-object", "not a JSON object", DK_PLAIN, NO_OVERRIDE, "[1,2,3]", 0},
    {"header-bad-json", "not valid JSON", DK_PLAIN, NO_OVERRIDE, "{\"w\": {\"dtype\": \"F16\", ",
     0},
    {"header-trailing", "bytes after the JSON", DK_PLAIN, NO_OVERRIDE, "{}xyz", 0},
    {"dtype-unknown", "unknown dtype", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2},
    {"dtype-size-mismatch", "need 16", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8},
    {"shape-negative", "absurd or negative", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", 1},
    {"shape-fraction", "not an integer", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,1]}}", 1},
    {"shape-huge-dim", "absurd", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"U8\",\"shape\":[1e30],\"data_offsets\":[0,1]}}", 1},
    {"shape-overflow", "overflows 64 bits", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,16]}}",
     16},
    {"shape-claims-4g", "past the data section", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"U8\",\"shape\":[4294967296],\"data_offsets\":[0,4294967296]}}", 16},
    {"shape-too-many-dims", "at most 8", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1},
    {"offsets-out-of-range", "past the data section", DK_PLAIN, NO_OVERRIDE,
     "{\"w\":" T4 "[8,12]}}", 4},
    {"offsets-overlap", "overlap", DK_PLAIN, NO_OVERRIDE,
     "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},\"b\":" T4 "[4,8]}}", 8},
    {"offsets-hole", "hole", DK_PLAIN, NO_OVERRIDE, "{\"a\":" T4 "[0,4]},\"b\":" T4 "[8,12]}}", 12},
    {"offsets-reversed", "reversed", DK_PLAIN, NO_OVERRIDE, "{\"a\":" T4 "[4,0]}}", 4},
    {"offsets-not-integers", "two non-negative integers", DK_PLAIN, NO_OVERRIDE,
     "{\"a\":" T4 "\"0-4\"}}", 4},
    {"data-trailing", "after the last tensor", DK_PLAIN, NO_OVERRIDE, "{\"a\":" T4 "[0,4]}}", 8},
    {"name-twice", "appears twice", DK_PLAIN, NO_OVERRIDE,
     "{\"a\":" T4 "[0,4]},\"a\":" T4 "[4,8]}}", 8},
    {"entry-not-object", "not an object", DK_PLAIN, NO_OVERRIDE, "{\"a\":5}", 0},
    {"entry-no-offsets", "no data_offsets", DK_PLAIN, NO_OVERRIDE,
     "{\"a\":{\"dtype\":\"U8\",\"shape\":[4]}}", 4},
    {"entry-extra-key", "other keys", DK_PLAIN, NO_OVERRIDE,
     "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4],\"x\":1}}", 4},
    {"metadata-not-string", "not a string", DK_PLAIN, NO_OVERRIDE, "{\"__metadata__\":{\"k\":1}}",
     0},
    {"name-nul", "at byte 1 contains a NUL byte", DK_PLAIN, NO_OVERRIDE,
     "{\"a\\u0000b\":" T4 "[0,4]}}", 4},
    {"metadata-nul", "at byte 21 contains a NUL byte", DK_PLAIN, NO_OVERRIDE,
     "{\"__metadata__\":{\"k\":\"p\\u0000t\"}}", 0},
    {"name-not-utf8", "not valid UTF-8 (byte 0xff at byte 3", DK_PLAIN, NO_OVERRIDE,
     "{\"a\xff\":" T4 "[0,4]}}", 4},
    {"name-overlong-utf8", "not valid UTF-8 (byte 0xc0 at byte 3", DK_PLAIN, NO_OVERRIDE,
     "{\"a\xc0\xaf\":" T4 "[0,4]}}", 4},
    {"metadata-surrogate-utf8", "not valid UTF-8 (byte 0xed at byte 22", DK_PLAIN, NO_OVERRIDE,
     "{\"__metadata__\":{\"k\":\"\xed\xa0\x80\"}}", 0},
    {"gzip-garbage", "bad gzip stream", DK_GZ_GARBAGE, NO_OVERRIDE, "", 0},
    {"gzip-truncated", "truncated", DK_GZ_TRUNCATED, NO_OVERRIDE, "{\"a\":" T4 "[0,4]}}", 4},
    {"gzip-trailing", "trailing data", DK_GZ_TRAILING, NO_OVERRIDE, "{\"a\":" T4 "[0,4]}}", 4},
};
#undef T4
#define NDAMAGED ((int)(sizeof DAMAGED / sizeof DAMAGED[0]))

int testckpt_ndamaged(void) {
    return NDAMAGED;
}
const char *testckpt_damaged_name(int i) {
    return i >= 0 && i < NDAMAGED ? DAMAGED[i].name : NULL;
}
const char *testckpt_damaged_why(int i) {
    return i >= 0 && i < NDAMAGED ? DAMAGED[i].why : NULL;
}

/* A plain file image: length field, header, data_len zero bytes. */
static unsigned char *plain_image(const struct damaged *d, size_t *len) {
    size_t hl = strlen(d->header);
    uint64_t field = d->hlen == NO_OVERRIDE ? hl : d->hlen;
    *len = 8 + hl + d->data_len;
    unsigned char *p = calloc(*len, 1);
    if (!p) return NULL;
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(field >> (8 * i));
    memcpy(p + 8, d->header, hl);
    return p;
}

/* gzip of in (zlib deflate with gzip framing). */
static unsigned char *gzip_image(const unsigned char *in, size_t in_len, size_t *len) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, (uLong)in_len) + 16;
    unsigned char *out = malloc(cap);
    if (out) {
        zs.next_in = (unsigned char *)in;
        zs.avail_in = (uInt)in_len;
        zs.next_out = out;
        zs.avail_out = (uInt)cap;
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
            free(out);
            out = NULL;
        }
        *len = cap - zs.avail_out;
    }
    deflateEnd(&zs);
    return out;
}

int testckpt_damaged_bytes(int i, unsigned char **buf, size_t *len) {
    if (i < 0 || i >= NDAMAGED) return -1;
    const struct damaged *d = &DAMAGED[i];
    static const unsigned char garbage[] = {0x1f, 0x8b, 0x08, 0x00, 'n', 'o', 't', ' ',
                                            'd',  'e',  'f',  'l',  'a', 't', 'e', '!'};
    size_t plen = 0;
    unsigned char *p = NULL;
    switch (d->kind) {
    case DK_SHORT:
        p = calloc(5, 1);
        *len = 5;
        break;
    case DK_GZ_GARBAGE:
        p = malloc(sizeof garbage);
        if (p) memcpy(p, garbage, sizeof garbage);
        *len = sizeof garbage;
        break;
    case DK_PLAIN:
        p = plain_image(d, len);
        break;
    case DK_GZ_TRUNCATED:
    case DK_GZ_TRAILING: {
        unsigned char *plain = plain_image(d, &plen);
        p = plain ? gzip_image(plain, plen, len) : NULL;
        free(plain);
        if (p && d->kind == DK_GZ_TRUNCATED) *len /= 2;
        if (p && d->kind == DK_GZ_TRAILING) {
            unsigned char *q = realloc(p, *len + 4);
            if (!q) {
                free(p);
                return -1;
            }
            p = q;
            memcpy(p + *len, "junk", 4);
            *len += 4;
        }
        break;
    }
    }
    if (!p) return -1;
    *buf = p;
    return 0;
}

int testckpt_damaged_write(int i, const char *path) {
    unsigned char *buf;
    size_t len;
    if (testckpt_damaged_bytes(i, &buf, &len) != 0) return -1;
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(buf, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f) != 0) rc = -1;
    free(buf);
    return rc;
}

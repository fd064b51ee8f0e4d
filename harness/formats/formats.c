/* formats.c - pack a logical problem into checkpoint tensors and back (docs/formats.md).
 *
 * Every packed tensor is an I32 tensor; words are built as uint32_t and stored
 * with memcpy, so no signed arithmetic ever touches a packed word.
 *
 * Decisions where docs/formats.md and formats.h are silent:
 *  - pack refuses (with a message) Q or Z outside 0..15, a symmetric problem
 *    whose Z is not 8 everywhere, g_idx values outside 0..G-1, and awq with a
 *    g_idx variant (AWQ has no g_idx). On failure the tensors it added are
 *    removed again, so `out` is as it was.
 *  - Symmetric zeros go through the same per-nibble path as asymmetric ones
 *    (Z = 8 encodes to 7 for v1, 8 otherwise), which gives 0x77777777 (v1) and
 *    0x88888888 (v2, awq) words.
 *  - unpack accepts F16 or BF16 scales; packed words and g_idx must be I32.
 *    Symmetric gptq/awq checkpoints must hold exactly the symmetric zero words
 *    (anything else is reported, not silently replaced by 8); a symmetric ct
 *    checkpoint must not hold weight_zero_point. g_idx values must lie in
 *    0..G-1 (they index scale/zero rows). Tensors a format does not know are
 *    ignored. */
#include "formats/formats.h"

#include "formats/v1zero.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int AWQ_ORDER[8] = {0, 2, 4, 6, 1, 3, 5, 7};

static const int IDENTITY_ORDER[8] = {0, 1, 2, 3, 4, 5, 6, 7};

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- names ------------------------------------------------------------- */

static int fmt_ok(fmt_t f) {
    return f >= FMT_GPTQ_V1 && f < FMT_COUNT;
}
static int is_gptq(fmt_t f) {
    return f == FMT_GPTQ_V1 || f == FMT_GPTQ_V2;
}

const char *format_weight_name(fmt_t f) {
    if (f == FMT_CT) return "weight_packed";
    return fmt_ok(f) ? "qweight" : NULL;
}

const char *format_scale_name(fmt_t f) {
    if (f == FMT_CT) return "weight_scale";
    return fmt_ok(f) ? "scales" : NULL;
}

const char *format_zero_name(fmt_t f) {
    if (f == FMT_CT) return "weight_zero_point";
    return fmt_ok(f) ? "qzeros" : NULL;
}

const char *format_gidx_name(fmt_t f) {
    if (f == FMT_CT) return "weight_g_idx";
    return is_gptq(f) ? "g_idx" : NULL;
}

/* ---- words and nibbles -------------------------------------------------- */

static uint32_t load_word(const struct tensor *t, int64_t idx) {
    uint32_t w;
    memcpy(&w, (const unsigned char *)t->data + (size_t)idx * 4, sizeof w);
    return w;
}

static void store_word(struct tensor *t, int64_t idx, uint32_t w) {
    memcpy((unsigned char *)t->data + (size_t)idx * 4, &w, sizeof w);
}

static unsigned nibble(uint32_t w, int i) {
    return (unsigned)(w >> (4 * i)) & 0xFu;
}

/* Word whose nibble i holds v[order[i]]. */
static uint32_t pack8(const uint8_t v[8], const int order[8]) {
    uint32_t w = 0;
    for (int i = 0; i < 8; i++)
        w |= (uint32_t)(v[order[i]] & 0xFu) << (4 * i);
    return w;
}

/* Inverse of pack8: v[order[i]] = nibble i. */
static void unpack8(uint32_t w, uint8_t v[8], const int order[8]) {
    for (int i = 0; i < 8; i++)
        v[order[i]] = (uint8_t)nibble(w, i);
}

static const int *column_order(fmt_t f) {
    return f == FMT_AWQ ? AWQ_ORDER : IDENTITY_ORDER;
}

/* Stored zero of a logical zero, and back, per nibble: v1's -1/+1 wraps inside
 * its nibble (Z = 0 <-> 0xF). Asymmetric v1 zeros go through formats/v1zero.h
 * instead, which also has the whole-word and the no-wrap conventions. */
static uint8_t zero_encode(fmt_t f, uint8_t z) {
    return f == FMT_GPTQ_V1 ? (uint8_t)((z - 1u) & 0xFu) : (uint8_t)(z & 0xFu);
}

static uint8_t zero_decode(fmt_t f, uint8_t stored) {
    return f == FMT_GPTQ_V1 ? (uint8_t)((stored + 1u) & 0xFu) : stored;
}

/* ---- pack --------------------------------------------------------------- */

/* Drops tensors added after index n0 (rollback of a failed pack). */
static void set_truncate(struct tensor_set *s, int n0) {
    for (int i = n0; i < s->n; i++) {
        free(s->t[i].data);
        memset(&s->t[i], 0, sizeof s->t[i]);
    }
    s->n = n0;
}

static struct tensor *add_or_err(struct tensor_set *s, const char *name, tdtype_t dt, int ndim,
                                 int64_t d0, int64_t d1, char *err, size_t errlen) {
    struct tensor *t = tensor_set_add(s, name, dt, ndim, d0, d1);
    if (!t) {
        set_err(err, errlen,
                "format_pack: cannot add tensor '%s' [%" PRId64 "][%" PRId64
                "] (set full, name taken or out of memory)",
                name, d0, ndim == 2 ? d1 : 1);
    }
    return t;
}

static int scale_tdtype(dtype_t dt, tdtype_t *out) {
    if (dt == DT_F16)
        *out = TD_F16;
    else if (dt == DT_BF16)
        *out = TD_BF16;
    else
        return -1;
    return 0;
}

static int check_dims(int64_t K, int64_t N, int64_t G, const char *who, char *err, size_t errlen) {
    if (K <= 0 || N <= 0 || G <= 0 || K % 8 != 0 || N % 8 != 0 || K % G != 0) {
        set_err(err, errlen,
                "%s: bad dimensions K=%" PRId64 " N=%" PRId64 " G=%" PRId64
                " (need K, N multiples of 8 and G dividing K)",
                who, K, N, G);
        return -1;
    }
    return 0;
}

static int check_values(const struct problem *p, char *err, size_t errlen) {
    for (int64_t i = 0; i < p->K * p->N; i++) {
        if (p->q[i] > 15) {
            set_err(err, errlen, "format_pack: Q[%" PRId64 "][%" PRId64 "] = %u is not 4-bit",
                    i / p->N, i % p->N, p->q[i]);
            return -1;
        }
    }
    for (int64_t i = 0; i < p->G * p->N; i++) {
        unsigned z = p->z[i];
        if (z > 15 || (p->d.zp == ZP_SYM && z != 8)) {
            set_err(err, errlen, "format_pack: Z[%" PRId64 "][%" PRId64 "] = %u (%s)", i / p->N,
                    i % p->N, z, z > 15 ? "not 4-bit" : "zp=sym needs 8 everywhere");
            return -1;
        }
    }
    return 0;
}

/* g_idx values index scale/zero rows: each must lie in 0..G-1. */
static int check_gidx_values(const int32_t *g, int64_t K, int64_t G, const char *who,
                             const char *name, char *err, size_t errlen) {
    for (int64_t k = 0; k < K; k++) {
        if (g[k] < 0 || g[k] >= G) {
            set_err(err, errlen, "%s: %s[%" PRId64 "] = %" PRId32 " outside 0..%" PRId64, who, name,
                    k, g[k], G - 1);
            return -1;
        }
    }
    return 0;
}

static int check_problem(const struct problem *p, char *err, size_t errlen) {
    if (!p || !p->q || !p->z || !p->s) {
        set_err(err, errlen, "format_pack: problem without Q, Z or S");
        return -1;
    }
    if (!fmt_ok(p->d.fmt)) {
        set_err(err, errlen, "format_pack: unknown format %d", (int)p->d.fmt);
        return -1;
    }
    if (check_dims(p->K, p->N, p->G, "format_pack", err, errlen) != 0) return -1;
    if (p->d.gidx != GIDX_NONE) {
        if (p->d.fmt == FMT_AWQ) {
            set_err(err, errlen, "format_pack: awq stores no g_idx (gidx must be none)");
            return -1;
        }
        if (!p->g_idx) {
            set_err(err, errlen, "format_pack: gidx is set but the problem has no g_idx");
            return -1;
        }
        if (check_gidx_values(p->g_idx, p->K, p->G, "format_pack", "g_idx", err, errlen) != 0)
            return -1;
    }
    return check_values(p, err, errlen);
}

/* gptq qweight [K/8][N] or ct weight_packed [N][K/8]: both pack along K. */
static void pack_weight_along_k(const struct problem *p, struct tensor *t, int transposed) {
    const int64_t K8 = p->K / 8, N = p->N;
    for (int64_t j = 0; j < K8; j++) {
        for (int64_t n = 0; n < N; n++) {
            uint8_t v[8];
            for (int i = 0; i < 8; i++)
                v[i] = p->q[(8 * j + i) * N + n];
            store_word(t, transposed ? n * K8 + j : j * N + n, pack8(v, IDENTITY_ORDER));
        }
    }
}

/* awq qweight [K][N/8], packed along N with AWQ_ORDER. */
static void pack_weight_awq(const struct problem *p, struct tensor *t) {
    const int64_t N8 = p->N / 8;
    for (int64_t k = 0; k < p->K; k++)
        for (int64_t c = 0; c < N8; c++)
            store_word(t, k * N8 + c, pack8(&p->q[k * p->N + 8 * c], AWQ_ORDER));
}

/* Zeros packed along N: [G][N/8] (gptq, awq) or [N/8][G] (ct). */
static void pack_zeros(const struct problem *p, struct tensor *t) {
    const fmt_t f = p->d.fmt;
    const int64_t N8 = p->N / 8, G = p->G;
    for (int64_t g = 0; g < G; g++) {
        for (int64_t c = 0; c < N8; c++) {
            uint8_t v[8];
            uint32_t w;
            if (f == FMT_GPTQ_V1 && p->d.zp == ZP_ASYM) { /* the writer's Z - 1 convention */
                w = v1zero_encode(p->d.v1z, &p->z[g * p->N + 8 * c]);
            } else {
                for (int j = 0; j < 8; j++)
                    v[j] = zero_encode(f, p->z[g * p->N + 8 * c + j]);
                w = pack8(v, column_order(f));
            }
            store_word(t, f == FMT_CT ? c * G + g : g * N8 + c, w);
        }
    }
}

/* Scales [G][N] (copy) or ct's [N][G] (transpose). */
static void pack_scales(const struct problem *p, struct tensor *t) {
    uint16_t *dst = t->data;
    if (p->d.fmt != FMT_CT) {
        memcpy(dst, p->s, (size_t)(p->G * p->N) * sizeof *dst);
        return;
    }
    for (int64_t g = 0; g < p->G; g++)
        for (int64_t n = 0; n < p->N; n++)
            dst[n * p->G + g] = p->s[g * p->N + n];
}

static int pack_tensors(const struct problem *p, struct tensor_set *out, char *err, size_t errlen) {
    const fmt_t f = p->d.fmt;
    const int64_t K = p->K, N = p->N, G = p->G;
    tdtype_t sdt;
    if (scale_tdtype(p->d.dt, &sdt) != 0) {
        set_err(err, errlen, "format_pack: activation dtype %d is neither f16 nor bf16",
                (int)p->d.dt);
        return -1;
    }

    struct tensor *t;
    if (f == FMT_AWQ)
        t = add_or_err(out, "qweight", TD_I32, 2, K, N / 8, err, errlen);
    else if (f == FMT_CT)
        t = add_or_err(out, "weight_packed", TD_I32, 2, N, K / 8, err, errlen);
    else
        t = add_or_err(out, "qweight", TD_I32, 2, K / 8, N, err, errlen);
    if (!t) return -1;
    if (f == FMT_AWQ)
        pack_weight_awq(p, t);
    else
        pack_weight_along_k(p, t, f == FMT_CT);

    t = f == FMT_CT ? add_or_err(out, "weight_scale", sdt, 2, N, G, err, errlen)
                    : add_or_err(out, "scales", sdt, 2, G, N, err, errlen);
    if (!t) return -1;
    pack_scales(p, t);

    if (f != FMT_CT || p->d.zp == ZP_ASYM) {
        t = f == FMT_CT ? add_or_err(out, "weight_zero_point", TD_I32, 2, N / 8, G, err, errlen)
                        : add_or_err(out, "qzeros", TD_I32, 2, G, N / 8, err, errlen);
        if (!t) return -1;
        pack_zeros(p, t);
    }

    if (p->d.gidx != GIDX_NONE) {
        t = add_or_err(out, format_gidx_name(f), TD_I32, 1, K, 0, err, errlen);
        if (!t) return -1;
        memcpy(t->data, p->g_idx, (size_t)K * sizeof(int32_t));
    }
    return 0;
}

int format_pack(const struct problem *p, struct tensor_set *out, char *err, size_t errlen) {
    if (!out) {
        set_err(err, errlen, "format_pack: no output tensor set");
        return -1;
    }
    if (check_problem(p, err, errlen) != 0) return -1;
    const int n0 = out->n;
    if (pack_tensors(p, out, err, errlen) != 0) {
        set_truncate(out, n0);
        return -1;
    }
    return 0;
}

/* ---- unpack ------------------------------------------------------------- */

/* Shape as text, "[a][b]". */
static void shape_str(const struct tensor *t, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->ndim && i < 4 && used < len; i++) {
        int w = snprintf(buf + used, len - used, "[%" PRId64 "]", t->shape[i]);
        if (w < 0) return;
        used += (size_t)w;
    }
    if (t->ndim == 0) snprintf(buf, len, "[] (scalar)");
}

/* What a tensor must look like. dt2 is a second accepted dtype or -1. */
struct expect {
    const char *name;
    int dt, dt2;
    int ndim;
    int64_t d0, d1;
    const char *what; /* expected shape in words, e.g. "[K/8][N]" */
};

/* "; dimension N differs (16, not 8)": the first dimension of t that is
 * not e's, named as in e->what ("[K/8][N]"); "" when the rank differs. */
static void dim_differs(const struct tensor *t, const struct expect *e, char *buf, size_t len) {
    if (t->ndim != e->ndim) return;
    int i = t->shape[0] != e->d0 ? 0 : 1;
    if (i == 1 && (e->ndim < 2 || t->shape[1] == e->d1)) return;
    const char *p = e->what;
    for (int k = 0; k <= i && p; k++)
        p = strchr(k ? p + 1 : p, '[');
    const char *q = p ? strchr(p, ']') : NULL;
    int n = p && q ? (int)(q - p - 1) : 0;
    snprintf(buf, len, "; dimension %.*s%s differs (%" PRId64 ", not %" PRId64 ")", n,
             p ? p + 1 : "", n ? "" : "?", t->shape[i], i ? e->d1 : e->d0);
}

static const struct tensor *find_checked(const struct tensor_set *in, const struct expect *e,
                                         char *err, size_t errlen) {
    const struct tensor *t = tensor_set_get(in, e->name);
    if (!t) {
        set_err(err, errlen, "format_unpack: tensor '%s' %s is missing", e->name, e->what);
        return NULL;
    }
    if ((int)t->dtype != e->dt && (int)t->dtype != e->dt2) {
        set_err(err, errlen, "format_unpack: tensor '%s' has dtype %s, expected %s%s%s", e->name,
                tdtype_name(t->dtype), tdtype_name((tdtype_t)e->dt), e->dt2 >= 0 ? " or " : "",
                e->dt2 >= 0 ? tdtype_name((tdtype_t)e->dt2) : "");
        return NULL;
    }
    int ok = t->ndim == e->ndim && t->shape[0] == e->d0 && (e->ndim == 1 || t->shape[1] == e->d1);
    if (!ok || !t->data) {
        char found[96], want[64];
        shape_str(t, found, sizeof found);
        if (e->ndim == 1)
            snprintf(want, sizeof want, "[%" PRId64 "]", e->d0);
        else
            snprintf(want, sizeof want, "[%" PRId64 "][%" PRId64 "]", e->d0, e->d1);
        char which[96] = "";
        dim_differs(t, e, which, sizeof which);
        set_err(err, errlen, "format_unpack: tensor '%s' has shape %s%s, expected %s = %s%s",
                e->name, found, t->data ? "" : " and no data", e->what, want, which);
        return NULL;
    }
    return t;
}

struct unpack_ctx {
    fmt_t f;
    zp_t zp;
    v1zero_t v1read;
    int64_t K, N, G;
    char *err;
    size_t errlen;
};

static int unpack_weight(const struct unpack_ctx *c, const struct tensor_set *in,
                         struct logical_weights *out) {
    const int64_t K = c->K, N = c->N, K8 = K / 8, N8 = N / 8;
    struct expect e = {format_weight_name(c->f), TD_I32, -1, 2, K8, N, "[K/8][N]"};
    if (c->f == FMT_CT) {
        e.d0 = N;
        e.d1 = K8;
        e.what = "[N][K/8]";
    } else if (c->f == FMT_AWQ) {
        e.d0 = K;
        e.d1 = N8;
        e.what = "[K][N/8]";
    }
    const struct tensor *t = find_checked(in, &e, c->err, c->errlen);
    if (!t) return -1;

    if (c->f == FMT_AWQ) {
        for (int64_t k = 0; k < K; k++)
            for (int64_t cc = 0; cc < N8; cc++)
                unpack8(load_word(t, k * N8 + cc), &out->q[k * N + 8 * cc], AWQ_ORDER);
        return 0;
    }
    for (int64_t j = 0; j < K8; j++) {
        for (int64_t n = 0; n < N; n++) {
            uint32_t w = load_word(t, c->f == FMT_CT ? n * K8 + j : j * N + n);
            for (int i = 0; i < 8; i++)
                out->q[(8 * j + i) * N + n] = (uint8_t)nibble(w, i);
        }
    }
    return 0;
}

static int unpack_scales(const struct unpack_ctx *c, const struct tensor_set *in,
                         struct logical_weights *out) {
    const int64_t N = c->N, G = c->G;
    struct expect e = {format_scale_name(c->f), TD_F16, TD_BF16, 2, G, N, "[G][N]"};
    if (c->f == FMT_CT) {
        e.d0 = N;
        e.d1 = G;
        e.what = "[N][G]";
    }
    const struct tensor *t = find_checked(in, &e, c->err, c->errlen);
    if (!t) return -1;
    const uint16_t *src = t->data;
    if (c->f != FMT_CT) {
        memcpy(out->s, src, (size_t)(G * N) * sizeof *src);
        return 0;
    }
    for (int64_t g = 0; g < G; g++)
        for (int64_t n = 0; n < N; n++)
            out->s[g * N + n] = src[n * G + g];
    return 0;
}

/* Symmetric gptq/awq: every stored zero word must be the symmetric constant. */
static int check_sym_zeros(const struct unpack_ctx *c, const struct tensor *t) {
    const uint32_t want = c->f == FMT_GPTQ_V1 ? 0x77777777u : 0x88888888u;
    const int64_t words = c->G * (c->N / 8);
    for (int64_t i = 0; i < words; i++) {
        uint32_t w = load_word(t, i);
        if (w != want) {
            set_err(c->err, c->errlen,
                    "format_unpack: tensor '%s' word [%" PRId64 "][%" PRId64 "] = 0x%08" PRIx32
                    ", zp=sym expects 0x%08" PRIx32,
                    t->name, i / (c->N / 8), i % (c->N / 8), w, want);
            return -1;
        }
    }
    return 0;
}

static int unpack_zeros(const struct unpack_ctx *c, const struct tensor_set *in,
                        struct logical_weights *out) {
    const int64_t N = c->N, G = c->G, N8 = N / 8;
    const char *zname = format_zero_name(c->f);
    if (c->f == FMT_CT && c->zp == ZP_SYM) {
        if (tensor_set_get(in, zname)) {
            set_err(c->err, c->errlen, "format_unpack: tensor '%s' present but zp=sym", zname);
            return -1;
        }
        memset(out->z, 8, (size_t)(G * N));
        return 0;
    }
    struct expect e = {zname, TD_I32, -1, 2, G, N8, "[G][N/8]"};
    if (c->f == FMT_CT) {
        e.d0 = N8;
        e.d1 = G;
        e.what = "[N/8][G]";
    }
    const struct tensor *t = find_checked(in, &e, c->err, c->errlen);
    if (!t) return -1;
    if (c->zp == ZP_SYM) {
        if (check_sym_zeros(c, t) != 0) return -1;
        memset(out->z, 8, (size_t)(G * N));
        return 0;
    }
    for (int64_t g = 0; g < G; g++) {
        for (int64_t cc = 0; cc < N8; cc++) {
            uint8_t v[8];
            uint32_t w = load_word(t, c->f == FMT_CT ? cc * G + g : g * N8 + cc);
            if (c->f == FMT_GPTQ_V1) { /* the reader's Z - 1 convention */
                v1zero_decode(c->v1read, w, &out->z[g * N + 8 * cc]);
                continue;
            }
            unpack8(w, v, column_order(c->f));
            for (int j = 0; j < 8; j++)
                out->z[g * N + 8 * cc + j] = zero_decode(c->f, v[j]);
        }
    }
    return 0;
}

static int unpack_gidx(const struct unpack_ctx *c, const struct tensor_set *in,
                       struct logical_weights *out) {
    const char *name = format_gidx_name(c->f);
    if (!name || !tensor_set_get(in, name)) return 0; /* none stored: g_idx stays NULL */
    struct expect e = {name, TD_I32, -1, 1, c->K, 0, "[K]"};
    const struct tensor *t = find_checked(in, &e, c->err, c->errlen);
    if (!t) return -1;
    if (check_gidx_values(t->data, c->K, c->G, "format_unpack", name, c->err, c->errlen) != 0)
        return -1;
    out->g_idx = malloc((size_t)c->K * sizeof *out->g_idx);
    if (!out->g_idx) {
        set_err(c->err, c->errlen, "format_unpack: out of memory for g_idx [%" PRId64 "]", c->K);
        return -1;
    }
    memcpy(out->g_idx, t->data, (size_t)c->K * sizeof *out->g_idx);
    return 0;
}

static int alloc_weights(struct logical_weights *w, int64_t K, int64_t N, int64_t G, char *err,
                         size_t errlen) {
    w->K = K;
    w->N = N;
    w->G = G;
    w->q = malloc((size_t)(K * N));
    w->z = malloc((size_t)(G * N));
    w->s = malloc((size_t)(G * N) * sizeof *w->s);
    if (!w->q || !w->z || !w->s) {
        set_err(err, errlen,
                "format_unpack: out of memory for K=%" PRId64 " N=%" PRId64 " G=%" PRId64, K, N, G);
        return -1;
    }
    return 0;
}

/* Dimensions whose element counts cannot overflow size_t arithmetic above. */
static int dims_fit(int64_t K, int64_t N, int64_t G) {
    const int64_t lim = INT64_MAX / 16;
    return K <= lim / N && G <= lim / N && (uint64_t)(K * N) <= SIZE_MAX / 4;
}

int format_unpack(fmt_t fmt, zp_t zp, const struct tensor_set *in, int64_t K, int64_t N, int64_t G,
                  struct logical_weights *out, char *err, size_t errlen) {
    return format_unpack_read(fmt, zp, V1Z_NIBBLE, in, K, N, G, out, err, errlen);
}

int format_unpack_read(fmt_t fmt, zp_t zp, v1zero_t v1read, const struct tensor_set *in, int64_t K,
                       int64_t N, int64_t G, struct logical_weights *out, char *err,
                       size_t errlen) {
    if (!out) {
        set_err(err, errlen, "format_unpack: no output");
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (!in || !fmt_ok(fmt) || (zp != ZP_SYM && zp != ZP_ASYM) || (unsigned)v1read >= V1Z_COUNT) {
        set_err(err, errlen, "format_unpack: no tensor set, or unknown format %d / zp %d", (int)fmt,
                (int)zp);
        return -1;
    }
    if (check_dims(K, N, G, "format_unpack", err, errlen) != 0) return -1;
    if (!dims_fit(K, N, G)) {
        set_err(err, errlen, "format_unpack: K=%" PRId64 " N=%" PRId64 " too large", K, N);
        return -1;
    }
    struct unpack_ctx c = {fmt, zp, v1read, K, N, G, err, errlen};
    if (alloc_weights(out, K, N, G, err, errlen) != 0 || unpack_weight(&c, in, out) != 0 ||
        unpack_scales(&c, in, out) != 0 || unpack_zeros(&c, in, out) != 0 ||
        unpack_gidx(&c, in, out) != 0) {
        logical_weights_free(out);
        return -1;
    }
    return 0;
}

void logical_weights_free(struct logical_weights *w) {
    if (!w) return;
    free(w->q);
    free(w->z);
    free(w->s);
    free(w->g_idx);
    memset(w, 0, sizeof *w);
}

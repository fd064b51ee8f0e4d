/* desc.c - case descriptors: defaults, parsing, validation, canonical printing
 * (docs/descriptors.md; keys and defaults in desc.h).
 *
 * Integer syntax is strict: an optional '-' (only where negative values exist,
 * i.e. g=-1) followed by decimal digits, nothing else. A leading '+', spaces,
 * hex, exponents ("1e3") and trailing characters ("12x") are rejected, so every
 * accepted value has exactly one spelling up to leading zeros.
 *
 * The parser never allocates: tokens are (pointer, length) spans of the line. */
#include "cases/desc.h"
#include "util/errmsg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---------------------------------------------------------------- */

static const char *const FMT_NAMES[] = {"gptq-v1", "gptq-v2", "ct", "awq"};
static const char *const ADAPTER_NAMES[] = {"reference", "vllm-xpu", "vllm-xpu-awq", "xpu-kernels",
                                            "exec"}; /* adapter_t order */
static const char *const ZP_NAMES[] = {"sym", "asym"};
static const char *const GIDX_NAMES[] = {"none", "trivial", "act"};
/* dt names are kept here (not dt_name from reference/dtype.c) so that the
 * descriptor module depends on no other translation unit. */
static const char *const DT_NAMES[] = {"f16", "bf16"};
static const char *const DATA_NAMES[] = {"exact", "real", "edge"};
static const char *const BIAS_NAMES[] = {"0", "1"};
static const char *const ZPROUTE_NAMES[] = {"auto", "zp", "nozp"};
static const char *const V1Z_NAMES[] = {"nibble", "nowrap", "word"}; /* v1zero_t order */
static const char *const TP_NAMES[] = {"none", "row", "col"};        /* tp_split_t order */
static const char *const PERM_NAMES[] = {"random",  "identity", "ends",
                                         "reverse", "ingroup",  "swap"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, int v) {
    return (v >= 0 && (size_t)v < n) ? names[v] : "?";
}

const char *fmt_name(fmt_t f) {
    return name_of(FMT_NAMES, COUNT(FMT_NAMES), (int)f);
}
const char *adapter_name(adapter_t a) {
    return name_of(ADAPTER_NAMES, COUNT(ADAPTER_NAMES), (int)a);
}
const char *zp_name(zp_t z) {
    return name_of(ZP_NAMES, COUNT(ZP_NAMES), (int)z);
}
const char *gidx_name(gidx_t g) {
    return name_of(GIDX_NAMES, COUNT(GIDX_NAMES), (int)g);
}
const char *data_name(data_t d) {
    return name_of(DATA_NAMES, COUNT(DATA_NAMES), (int)d);
}
const char *zproute_name(zproute_t r) {
    return name_of(ZPROUTE_NAMES, COUNT(ZPROUTE_NAMES), (int)r);
}
const char *tp_split_name(tp_split_t t) {
    return name_of(TP_NAMES, COUNT(TP_NAMES), (int)t);
}
const char *perm_name(perm_t p) {
    return name_of(PERM_NAMES, COUNT(PERM_NAMES), (int)p);
}
int data_is_exact(data_t d) {
    return d == DATA_EXACT || d == DATA_EDGE;
}
static const char *dtype_str(dtype_t dt) {
    return name_of(DT_NAMES, COUNT(DT_NAMES), (int)dt);
}

/* ---- keys ----------------------------------------------------------------- */

enum key {
    KEY_FMT,
    KEY_ADAPTER,
    KEY_M,
    KEY_N,
    KEY_K,
    KEY_G,
    KEY_ZP,
    KEY_GIDX,
    KEY_DT,
    KEY_DATA,
    KEY_BIAS,
    KEY_SEED,
    KEY_ZPROUTE,
    KEY_V1ZP,
    KEY_TP,
    KEY_PERM,
    KEY_FAULT,
    KEY_COUNT
};

static const char *const KEY_NAMES[KEY_COUNT] = {"fmt",     "adapter", "m",  "n",    "k",    "g",
                                                 "zp",      "gidx",    "dt", "data", "bias", "seed",
                                                 "zproute", "v1zp",    "tp", "perm", "fault"};

#define KEY_LIST "fmt adapter m n k g zp gidx dt data bias seed zproute v1zp tp perm fault"

/* Longest value quoted verbatim in a message; longer ones are cut with "...". */
#define QUOTE_MAX 64

struct span {
    const char *p;
    size_t len;
};

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int span_is(struct span s, const char *word) {
    size_t n = strlen(word);
    return s.len == n && memcmp(s.p, word, n) == 0;
}

/* Copies a span into out (QUOTE_MAX + 4 bytes) for a message: cut to QUOTE_MAX
 * characters, non-printable bytes shown as '?'. */
static void quote(struct span s, char out[QUOTE_MAX + 4]) {
    size_t n = s.len > QUOTE_MAX ? QUOTE_MAX : s.len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (s.len > QUOTE_MAX) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

/* ---- defaults ------------------------------------------------------------- */

void desc_default(struct case_desc *d) {
    memset(d, 0, sizeof(*d));
    d->fmt = FMT_GPTQ_V1;
    d->adapter = ADAPTER_REFERENCE;
    d->m = 1;
    d->n = 64;
    d->k = 128;
    d->g = 128;
    d->zp = ZP_SYM;
    d->gidx = GIDX_NONE;
    d->dt = DT_F16;
    d->data = DATA_EXACT;
    d->bias = 0;
    d->seed = 1;
    d->zproute = ZPROUTE_AUTO;
    d->v1z = V1Z_NIBBLE;
    d->tp = TP_NONE;
    d->tp_rank = 0;
    d->tp_world = 1;
    d->perm = PERM_RANDOM;
    d->fault[0] = '\0';
}

/* ---- value parsing -------------------------------------------------------- */

/* Strict decimal: [-]digits, fully consumed, in range of int64. */
static int parse_i64(struct span s, int64_t *out) {
    char buf[32];
    size_t i = (s.len > 0 && s.p[0] == '-') ? 1 : 0;
    if (s.len == i || s.len >= sizeof(buf)) return -1;
    for (size_t j = i; j < s.len; j++)
        if (s.p[j] < '0' || s.p[j] > '9') return -1;
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    errno = 0;
    char *end = NULL;
    long long v = strtoll(buf, &end, 10);
    if (errno != 0 || *end != '\0') return -1;
    *out = (int64_t)v;
    return 0;
}

/* Strict decimal: digits only, fully consumed, in range of uint64. */
static int parse_u64(struct span s, uint64_t *out) {
    char buf[32];
    if (s.len == 0 || s.len >= sizeof(buf)) return -1;
    for (size_t j = 0; j < s.len; j++)
        if (s.p[j] < '0' || s.p[j] > '9') return -1;
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno != 0 || *end != '\0') return -1;
    *out = (uint64_t)v;
    return 0;
}

/* Looks a value up in a name table; on failure the message lists the names. */
static int parse_enum(enum key key, struct span val, const char *const *names, size_t n, int *out,
                      char *err, size_t errlen) {
    for (size_t i = 0; i < n; i++) {
        if (span_is(val, names[i])) {
            *out = (int)i;
            return 0;
        }
    }
    char expected[128] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof(expected); i++)
        used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s%s", i ? "|" : "",
                                 names[i]);
    char q[QUOTE_MAX + 4];
    quote(val, q);
    return errmsg(err, errlen, "bad value '%s' for %s (expected %s)", q, KEY_NAMES[key], expected);
}

static int parse_dim(enum key key, struct span val, int64_t *out, char *err, size_t errlen) {
    int64_t v;
    if (parse_i64(val, &v) != 0 || v < 1 || v > DESC_DIM_MAX) {
        char q[QUOTE_MAX + 4];
        quote(val, q);
        return errmsg(err, errlen, "%s=%s: %s must be an integer in 1..%d", KEY_NAMES[key], q,
                      KEY_NAMES[key], DESC_DIM_MAX);
    }
    *out = v;
    return 0;
}

static int group_size_ok(int64_t g) {
    return g == -1 || (g > 0 && g <= DESC_DIM_MAX);
}

static int parse_g(struct span val, int64_t *out, char *err, size_t errlen) {
    int64_t v;
    if (parse_i64(val, &v) != 0 || !group_size_ok(v)) {
        char q[QUOTE_MAX + 4];
        quote(val, q);
        return errmsg(err, errlen, "g=%s: g must be -1 or a positive integer (at most %d)", q,
                      DESC_DIM_MAX);
    }
    *out = v;
    return 0;
}

static int parse_seed(struct span val, uint64_t *out, char *err, size_t errlen) {
    if (parse_u64(val, out) != 0) {
        char q[QUOTE_MAX + 4];
        quote(val, q);
        return errmsg(err, errlen, "seed=%s: seed must be an unsigned 64-bit integer", q);
    }
    return 0;
}

#define TP_RULE "tp must be none, row:R/W or col:R/W with 0 <= R < W and 2 <= W <= 64"

/* Strict small decimal (digits only, at most 2) in *out; the rest of the span follows. */
static int parse_small(const char **p, const char *end, int *out) {
    int v = 0, digits = 0;
    while (*p < end && **p >= '0' && **p <= '9' && digits < 3) {
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    *out = v;
    return digits >= 1 && digits <= 2 ? 0 : -1;
}

/* tp=none | row:R/W | col:R/W */
static int parse_tp(struct span val, struct case_desc *d, char *err, size_t errlen) {
    if (span_is(val, "none")) {
        d->tp = TP_NONE;
        d->tp_rank = 0;
        d->tp_world = 1;
        return 0;
    }
    const char *p = val.p, *end = val.p + val.len;
    tp_split_t split = TP_NONE;
    if (val.len > 4 && memcmp(p, "row:", 4) == 0) split = TP_ROW;
    if (val.len > 4 && memcmp(p, "col:", 4) == 0) split = TP_COL;
    int r = -1, w = -1, ok = split != TP_NONE;
    if (ok) {
        p += 4;
        ok = parse_small(&p, end, &r) == 0 && p < end && *p++ == '/' &&
             parse_small(&p, end, &w) == 0 && p == end && w >= 2 && w <= TP_WORLD_MAX && r < w;
    }
    if (!ok) {
        char q[QUOTE_MAX + 4];
        quote(val, q);
        return errmsg(err, errlen, "tp=%s: " TP_RULE, q);
    }
    d->tp = split;
    d->tp_rank = r;
    d->tp_world = w;
    return 0;
}

static int fault_char_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

#define FAULT_RULE "fault must be 'none' or a name of 1..47 characters [a-z0-9_-]"

static int parse_fault(struct span val, char out[DESC_FAULT_MAX], char *err, size_t errlen) {
    if (span_is(val, "none")) {
        out[0] = '\0';
        return 0;
    }
    int ok = val.len >= 1 && val.len < DESC_FAULT_MAX;
    for (size_t i = 0; ok && i < val.len; i++)
        ok = fault_char_ok(val.p[i]);
    if (!ok) {
        char q[QUOTE_MAX + 4];
        quote(val, q);
        return errmsg(err, errlen, "fault=%s: " FAULT_RULE, q);
    }
    memcpy(out, val.p, val.len);
    out[val.len] = '\0';
    return 0;
}

/* Parses one value into its field. Enumerations go through an int so that
 * the enum types need no particular size. */
static int parse_value(enum key key, struct span val, struct case_desc *d, char *err,
                       size_t errlen) {
    int e = 0, rc = 0;
    switch (key) {
    case KEY_FMT:
        rc = parse_enum(key, val, FMT_NAMES, COUNT(FMT_NAMES), &e, err, errlen);
        d->fmt = (fmt_t)e;
        break;
    case KEY_ADAPTER:
        rc = parse_enum(key, val, ADAPTER_NAMES, COUNT(ADAPTER_NAMES), &e, err, errlen);
        d->adapter = (adapter_t)e;
        break;
    case KEY_ZP:
        rc = parse_enum(key, val, ZP_NAMES, COUNT(ZP_NAMES), &e, err, errlen);
        d->zp = (zp_t)e;
        break;
    case KEY_GIDX:
        rc = parse_enum(key, val, GIDX_NAMES, COUNT(GIDX_NAMES), &e, err, errlen);
        d->gidx = (gidx_t)e;
        break;
    case KEY_DT:
        rc = parse_enum(key, val, DT_NAMES, COUNT(DT_NAMES), &e, err, errlen);
        d->dt = (dtype_t)e;
        break;
    case KEY_DATA:
        rc = parse_enum(key, val, DATA_NAMES, COUNT(DATA_NAMES), &e, err, errlen);
        d->data = (data_t)e;
        break;
    case KEY_BIAS:
        rc = parse_enum(key, val, BIAS_NAMES, COUNT(BIAS_NAMES), &e, err, errlen);
        d->bias = e;
        break;
    case KEY_ZPROUTE:
        rc = parse_enum(key, val, ZPROUTE_NAMES, COUNT(ZPROUTE_NAMES), &e, err, errlen);
        d->zproute = (zproute_t)e;
        break;
    case KEY_V1ZP:
        rc = parse_enum(key, val, V1Z_NAMES, COUNT(V1Z_NAMES), &e, err, errlen);
        d->v1z = (v1zero_t)e;
        break;
    case KEY_PERM:
        rc = parse_enum(key, val, PERM_NAMES, COUNT(PERM_NAMES), &e, err, errlen);
        d->perm = (perm_t)e;
        break;
    case KEY_M:
        return parse_dim(key, val, &d->m, err, errlen);
    case KEY_N:
        return parse_dim(key, val, &d->n, err, errlen);
    case KEY_K:
        return parse_dim(key, val, &d->k, err, errlen);
    case KEY_G:
        return parse_g(val, &d->g, err, errlen);
    case KEY_SEED:
        return parse_seed(val, &d->seed, err, errlen);
    case KEY_TP:
        return parse_tp(val, d, err, errlen);
    case KEY_FAULT:
        return parse_fault(val, d->fault, err, errlen);
    case KEY_COUNT:
        return errmsg(err, errlen, "internal error: bad key index");
    }
    return rc;
}

static int find_key(struct span key) {
    for (int i = 0; i < KEY_COUNT; i++)
        if (span_is(key, KEY_NAMES[i])) return i;
    return -1;
}

/* Parses one key=value token into d; seen tracks keys already given. */
static int parse_token(struct span tok, struct case_desc *d, unsigned *seen, char *err,
                       size_t errlen) {
    char q[QUOTE_MAX + 4];
    const char *eq = memchr(tok.p, '=', tok.len);
    if (!eq || eq == tok.p) {
        quote(tok, q);
        return errmsg(err, errlen, "token '%s' is not key=value", q);
    }
    struct span key = {tok.p, (size_t)(eq - tok.p)};
    struct span val = {eq + 1, tok.len - key.len - 1};
    int k = find_key(key);
    if (k < 0) {
        quote(key, q);
        return errmsg(err, errlen, "unknown key '%s' (keys: " KEY_LIST ")", q);
    }
    if (*seen & (1u << k)) return errmsg(err, errlen, "key '%s' given twice", KEY_NAMES[k]);
    *seen |= 1u << k;
    return parse_value((enum key)k, val, d, err, errlen);
}

/* ---- validation ----------------------------------------------------------- */

/* Rules on one field at a time (ranges, enumerations, n % 8, k % 8, the form
 * of g, the fault name). */
static int validate_fields(const struct case_desc *d, char *err, size_t errlen) {
    if ((unsigned)d->fmt >= COUNT(FMT_NAMES)) return errmsg(err, errlen, "fmt: invalid value");
    if ((unsigned)d->adapter >= COUNT(ADAPTER_NAMES))
        return errmsg(err, errlen, "adapter: invalid value");
    if ((unsigned)d->zp >= COUNT(ZP_NAMES)) return errmsg(err, errlen, "zp: invalid value");
    if ((unsigned)d->gidx >= COUNT(GIDX_NAMES)) return errmsg(err, errlen, "gidx: invalid value");
    if ((unsigned)d->dt >= COUNT(DT_NAMES)) return errmsg(err, errlen, "dt: invalid value");
    if ((unsigned)d->data >= COUNT(DATA_NAMES)) return errmsg(err, errlen, "data: invalid value");
    if ((unsigned)d->zproute >= COUNT(ZPROUTE_NAMES))
        return errmsg(err, errlen, "zproute: invalid value");
    if ((unsigned)d->v1z >= COUNT(V1Z_NAMES)) return errmsg(err, errlen, "v1zp: invalid value");
    if ((unsigned)d->perm >= COUNT(PERM_NAMES)) return errmsg(err, errlen, "perm: invalid value");
    if (d->bias != 0 && d->bias != 1)
        return errmsg(err, errlen, "bias=%d: bias must be 0 or 1", d->bias);
    if ((unsigned)d->tp >= COUNT(TP_NAMES) ||
        (d->tp == TP_NONE ? d->tp_world != 1 || d->tp_rank != 0
                          : d->tp_world < 2 || d->tp_world > TP_WORLD_MAX || d->tp_rank < 0 ||
                                d->tp_rank >= d->tp_world))
        return errmsg(err, errlen, "tp: " TP_RULE);
    const int64_t dims[3] = {d->m, d->n, d->k};
    for (int i = 0; i < 3; i++) {
        if (dims[i] < 1 || dims[i] > DESC_DIM_MAX)
            return errmsg(err, errlen, "%s=%" PRId64 ": %s must be an integer in 1..%d",
                          KEY_NAMES[KEY_M + i], dims[i], KEY_NAMES[KEY_M + i], DESC_DIM_MAX);
    }
    if (d->n % 8 != 0) return errmsg(err, errlen, "n=%" PRId64 ": n must be a multiple of 8", d->n);
    if (d->k % 8 != 0) return errmsg(err, errlen, "k=%" PRId64 ": k must be a multiple of 8", d->k);
    if (!group_size_ok(d->g))
        return errmsg(err, errlen, "g=%" PRId64 ": g must be -1 or a positive integer", d->g);
    if (desc_layer_k(d) > DESC_DIM_MAX || desc_layer_n(d) > DESC_DIM_MAX)
        return errmsg(err, errlen, "tp: the whole layer (k*W or n*W) must stay within %d",
                      DESC_DIM_MAX);
    size_t flen = strnlen(d->fault, DESC_FAULT_MAX);
    int fault_ok = flen < DESC_FAULT_MAX && strcmp(d->fault, "none") != 0;
    for (size_t i = 0; fault_ok && i < flen; i++)
        fault_ok = fault_char_ok(d->fault[i]);
    if (!fault_ok) return errmsg(err, errlen, "fault: " FAULT_RULE " (stored as \"\" for none)");
    return 0;
}

/* Rules between keys. zproute applies to the vllm-xpu adapter only; allowing
 * it elsewhere would make two descriptors that print the same line. */
static int validate_combination(const struct case_desc *d, char *err, size_t errlen) {
    if (d->g != -1 && d->k % d->g != 0)
        return errmsg(err, errlen,
                      "k=%" PRId64 " g=%" PRId64 ": k must be a multiple of the group size", d->k,
                      d->g);
    if (d->gidx == GIDX_ACT && d->g == -1)
        return errmsg(err, errlen, "gidx=act needs a group size (g=-1 has a single group)");
    if (d->fmt == FMT_AWQ && d->gidx != GIDX_NONE)
        return errmsg(err, errlen, "fmt=awq stores no g_idx: use gidx=none (not gidx=%s)",
                      gidx_name(d->gidx));
    if (d->adapter != ADAPTER_VLLM_XPU && d->zproute != ZPROUTE_AUTO)
        return errmsg(err, errlen, "zproute=%s applies only to adapter=vllm-xpu (adapter=%s)",
                      zproute_name(d->zproute), adapter_name(d->adapter));
    if (d->adapter == ADAPTER_VLLM_XPU_AWQ && d->fmt != FMT_AWQ)
        return errmsg(err, errlen, "adapter=vllm-xpu-awq is vLLM's AWQ route: it needs fmt=awq");
    if (d->adapter == ADAPTER_XPU_KERNELS && d->fmt == FMT_CT)
        return errmsg(err, errlen,
                      "adapter=xpu-kernels takes GPTQ and AWQ checkpoints (fmt=gptq-v1, "
                      "gptq-v2 or awq), not fmt=ct");
    if (d->tp == TP_ROW && d->gidx == GIDX_TRIVIAL)
        return errmsg(err, errlen,
                      "tp=row with gidx=trivial: the sliced g_idx of a layer without act-order "
                      "holds the layer's group ids, which vLLM ignores; not modelled");
    if (d->tp == TP_ROW && d->gidx == GIDX_ACT && d->k % desc_groups(d) != 0)
        return errmsg(err, errlen,
                      "tp=row gidx=act: the shard keeps the layer's %" PRId64
                      " groups, and k=%" PRId64 " must be a multiple of that count",
                      desc_groups(d), d->k);
    if (d->v1z != V1Z_NIBBLE && (d->fmt != FMT_GPTQ_V1 || d->zp != ZP_ASYM))
        return errmsg(err, errlen,
                      "v1zp=%s applies only to fmt=gptq-v1 zp=asym (the Z - 1 zero points; "
                      "fmt=%s zp=%s)",
                      V1Z_NAMES[d->v1z], fmt_name(d->fmt), zp_name(d->zp));
    if (d->gidx != GIDX_ACT && d->perm != PERM_RANDOM)
        return errmsg(err, errlen, "perm=%s applies only to gidx=act (gidx=%s)", perm_name(d->perm),
                      gidx_name(d->gidx));
    return 0;
}

int desc_validate(const struct case_desc *d, char *err, size_t errlen) {
    if (!d) return errmsg(err, errlen, "no descriptor (NULL)");
    if (validate_fields(d, err, errlen) != 0) return -1;
    return validate_combination(d, err, errlen);
}

/* ---- parsing a line ------------------------------------------------------- */

int desc_parse_fields(const char *line, struct case_desc *d, char *err, size_t errlen) {
    if (!line || !d) return errmsg(err, errlen, "no descriptor (NULL)");
    struct case_desc t;
    desc_default(&t);
    unsigned seen = 0;
    int tokens = 0;
    const char *p = line;
    for (;;) {
        while (*p && is_space(*p))
            p++;
        if (!*p) break;
        const char *start = p;
        while (*p && !is_space(*p))
            p++;
        struct span tok = {start, (size_t)(p - start)};
        if (parse_token(tok, &t, &seen, err, errlen) != 0) return -1;
        tokens++;
    }
    if (tokens == 0) return errmsg(err, errlen, "empty descriptor");
    if (validate_fields(&t, err, errlen) != 0) return -1;
    *d = t;
    return 0;
}

int desc_parse(const char *line, struct case_desc *d, char *err, size_t errlen) {
    struct case_desc t;
    if (desc_parse_fields(line, &t, err, errlen) != 0) return -1;
    if (validate_combination(&t, err, errlen) != 0) return -1;
    *d = t;
    return 0;
}

/* ---- printing ------------------------------------------------------------- */

struct out {
    char *buf;
    size_t len;
    size_t used; /* characters the full output needs so far */
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *dst = (o->buf && o->used < o->len) ? o->buf + o->used : NULL;
    size_t room = dst ? o->len - o->used : 0;
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0) o->used += (size_t)n;
}

int desc_print(const struct case_desc *d, char *buf, size_t len) {
    struct out o = {buf, len, 0};
    if (buf && len > 0) buf[0] = '\0';
    emit(&o,
         "fmt=%s adapter=%s m=%" PRId64 " n=%" PRId64 " k=%" PRId64 " g=%" PRId64
         " zp=%s gidx=%s dt=%s data=%s bias=%d seed=%" PRIu64,
         fmt_name(d->fmt), adapter_name(d->adapter), d->m, d->n, d->k, d->g, zp_name(d->zp),
         gidx_name(d->gidx), dtype_str(d->dt), data_name(d->data), d->bias, d->seed);
    if (d->adapter == ADAPTER_VLLM_XPU) emit(&o, " zproute=%s", zproute_name(d->zproute));
    if (d->v1z != V1Z_NIBBLE) emit(&o, " v1zp=%s", V1Z_NAMES[d->v1z]);
    if (d->tp != TP_NONE) emit(&o, " tp=%s:%d/%d", tp_split_name(d->tp), d->tp_rank, d->tp_world);
    if (d->perm != PERM_RANDOM) emit(&o, " perm=%s", perm_name(d->perm));
    if (d->fault[0]) emit(&o, " fault=%.*s", DESC_FAULT_MAX - 1, d->fault);
    return o.used > (size_t)INT32_MAX ? INT32_MAX : (int)o.used;
}

/* ---- queries -------------------------------------------------------------- */

int64_t desc_group_size(const struct case_desc *d) {
    return d->g == -1 ? d->k : d->g;
}

int64_t desc_groups(const struct case_desc *d) {
    if (d->tp == TP_ROW && d->gidx == GIDX_ACT && d->g > 0) return desc_layer_k(d) / d->g;
    int64_t gs = desc_group_size(d);
    return gs > 0 ? d->k / gs : 0;
}

int64_t desc_layer_k(const struct case_desc *d) {
    return d->tp == TP_ROW ? d->k * d->tp_world : d->k;
}

int64_t desc_layer_n(const struct case_desc *d) {
    return d->tp == TP_COL ? d->n * d->tp_world : d->n;
}

int desc_equal(const struct case_desc *a, const struct case_desc *b) {
    return a->fmt == b->fmt && a->adapter == b->adapter && a->m == b->m && a->n == b->n &&
           a->k == b->k && a->g == b->g && a->zp == b->zp && a->gidx == b->gidx && a->dt == b->dt &&
           a->data == b->data && a->bias == b->bias && a->seed == b->seed &&
           a->zproute == b->zproute && a->v1z == b->v1z && a->tp == b->tp &&
           a->tp_rank == b->tp_rank && a->tp_world == b->tp_world && a->perm == b->perm &&
           strncmp(a->fault, b->fault, DESC_FAULT_MAX) == 0;
}

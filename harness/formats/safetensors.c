/* safetensors.c - the safetensors reader (see safetensors.h for the rules it
 * checks). The writer is in safetensors_write.c.
 *
 * The header is copied into a NUL-terminated buffer before cJSON sees it, so
 * the parser can never read past it. gzip input is inflated with zlib's
 * inflate (16 + MAX_WBITS: gzip framing) into a buffer that grows by doubling
 * and never beyond max_bytes. */
#include "formats/safetensors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "util/errmsg.h"
#include "util/regfile.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; this reader assumes a little-endian host"
#endif

#define ST_OFFSET_MAX ((uint64_t)1 << 53) /* exact in a JSON (double) number */

static const struct {
    const char *name;
    size_t size;
    int td; /* tdtype_t or -1 */
} DTYPES[ST_DTYPE_COUNT] = {[ST_BOOL] = {"BOOL", 1, -1},      [ST_U8] = {"U8", 1, TD_U8},
                            [ST_I8] = {"I8", 1, -1},          [ST_U16] = {"U16", 2, -1},
                            [ST_I16] = {"I16", 2, -1},        [ST_F16] = {"F16", 2, TD_F16},
                            [ST_BF16] = {"BF16", 2, TD_BF16}, [ST_U32] = {"U32", 4, TD_U32},
                            [ST_I32] = {"I32", 4, TD_I32},    [ST_F32] = {"F32", 4, TD_F32},
                            [ST_U64] = {"U64", 8, -1},        [ST_I64] = {"I64", 8, -1},
                            [ST_F64] = {"F64", 8, TD_F64},    [ST_F8_E4M3] = {"F8_E4M3", 1, -1},
                            [ST_F8_E5M2] = {"F8_E5M2", 1, -1}};

const char *st_dtype_name(st_dtype_t t) {
    return (unsigned)t < ST_DTYPE_COUNT ? DTYPES[t].name : "?";
}

size_t st_dtype_size(st_dtype_t t) {
    return (unsigned)t < ST_DTYPE_COUNT ? DTYPES[t].size : 0;
}

int st_dtype_to_td(st_dtype_t t, tdtype_t *out) {
    if ((unsigned)t >= ST_DTYPE_COUNT || DTYPES[t].td < 0) return -1;
    *out = (tdtype_t)DTYPES[t].td;
    return 0;
}

st_dtype_t st_dtype_from_td(tdtype_t t) {
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        if (DTYPES[i].td == (int)t) return (st_dtype_t)i;
    return ST_DTYPE_COUNT;
}

static int dtype_lookup(const char *s, st_dtype_t *out) {
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        if (strcmp(DTYPES[i].name, s) == 0) {
            *out = (st_dtype_t)i;
            return 0;
        }
    return -1;
}

/* A name as it may be shown: at most 120 bytes, control bytes as '?'. */
static const char *shown(const char *s, char buf[128]) {
    size_t i = 0;
    for (; s[i] && i < 120; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[i] = '\0';
    if (s[i]) memcpy(buf + i, "...", 4);
    return buf;
}

uint64_t st_entry_bytes(const struct st_entry *e) {
    return e->end - e->begin;
}

/* ---- header ------------------------------------------------------------- */

static int json_uint(const cJSON *v, uint64_t max, uint64_t *out) {
    if (!cJSON_IsNumber(v)) return -1;
    double d = v->valuedouble;
    if (!(d >= 0) || d > (double)max || d != (double)(uint64_t)d) return -1;
    *out = (uint64_t)d;
    return 0;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fails when two of the n strings at first, first + stride, ... are equal
 * (sorted copy: n log n, whatever the header holds). */
static int check_unique(char *const *first, size_t n, size_t stride, const char *what, char *err,
                        size_t errlen) {
    char **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return errmsg(err, errlen, "out of memory checking the header");
    for (size_t i = 0; i < n; i++)
        v[i] = *(char *const *)((const char *)first + i * stride);
    qsort(v, n, sizeof *v, name_cmp);
    int rc = 0;
    char b[128];
    for (size_t i = 1; i < n && rc == 0; i++)
        if (strcmp(v[i - 1], v[i]) == 0)
            rc = errmsg(err, errlen, "header: %s '%s' appears twice", what, shown(v[i], b));
    free(v);
    return rc;
}

static int parse_metadata(struct st_file *st, const cJSON *m, char *err, size_t errlen) {
    if (!cJSON_IsObject(m))
        return errmsg(err, errlen, "header: \"__metadata__\" is not an object of strings");
    size_t n = 0;
    for (const cJSON *c = m->child; c; c = c->next)
        n++;
    st->meta = calloc(n ? n : 1, sizeof *st->meta);
    if (!st->meta) return errmsg(err, errlen, "out of memory for the metadata");
    char b[128];
    for (const cJSON *c = m->child; c; c = c->next) {
        if (!c->string || !cJSON_IsString(c) || !c->valuestring)
            return errmsg(err, errlen, "header: \"__metadata__\" value of '%s' is not a string",
                          c->string ? shown(c->string, b) : "?");
        struct st_meta *dst = &st->meta[st->n_meta];
        dst->key = strdup(c->string);
        dst->value = strdup(c->valuestring);
        if (!dst->key || !dst->value) {
            free(dst->key);
            free(dst->value);
            return errmsg(err, errlen, "out of memory for the metadata");
        }
        st->n_meta++;
    }
    return check_unique(&st->meta[0].key, st->n_meta, sizeof *st->meta, "metadata key", err,
                        errlen);
}

static int parse_shape(struct st_entry *e, const cJSON *shape, char *err, size_t errlen) {
    char b[128];
    if (!cJSON_IsArray(shape))
        return errmsg(err, errlen, "tensor '%s': \"shape\" is not an array", shown(e->name, b));
    int nd = cJSON_GetArraySize(shape);
    if (nd > ST_MAX_DIMS)
        return errmsg(err, errlen, "tensor '%s': %d dimensions (at most %d)", shown(e->name, b), nd,
                      ST_MAX_DIMS);
    e->ndim = 0;
    for (const cJSON *d = shape->child; d; d = d->next) {
        uint64_t v;
        if (json_uint(d, (uint64_t)ST_DIM_MAX, &v) != 0)
            return errmsg(err, errlen,
                          "tensor '%s': shape dimension %d is not an integer in 0..%" PRId64
                          " (absurd or negative)",
                          shown(e->name, b), e->ndim, ST_DIM_MAX);
        e->shape[e->ndim++] = (int64_t)v;
    }
    return 0;
}

/* Byte count of e's shape and dtype, overflow-checked. */
static int shape_bytes(const struct st_entry *e, uint64_t *out) {
    uint64_t n = st_dtype_size(e->dtype);
    for (int i = 0; i < e->ndim; i++) {
        uint64_t d = (uint64_t)e->shape[i];
        if (d != 0 && n > UINT64_MAX / d) return -1;
        n *= d;
    }
    *out = n;
    return 0;
}

static int parse_entry(struct st_entry *e, const cJSON *v, uint64_t data_size, char *err,
                       size_t errlen) {
    char b[128];
    const char *nm = shown(e->name, b);
    if (!cJSON_IsObject(v)) return errmsg(err, errlen, "tensor '%s': entry is not an object", nm);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(v, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(v, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(v, "data_offsets");
    int keys = cJSON_GetArraySize(v);
    if (!dt || !shape || !offs || keys != 3)
        return errmsg(err, errlen,
                      "tensor '%s': entry must hold exactly \"dtype\", \"shape\" and "
                      "\"data_offsets\" (%s)",
                      nm,
                      !dt      ? "no dtype"
                      : !shape ? "no shape"
                      : !offs  ? "no data_offsets"
                               : "other keys present");
    if (!cJSON_IsString(dt) || !dt->valuestring || dtype_lookup(dt->valuestring, &e->dtype) != 0) {
        char b2[128];
        return errmsg(err, errlen, "tensor '%s': unknown dtype '%s'", nm,
                      cJSON_IsString(dt) && dt->valuestring ? shown(dt->valuestring, b2) : "?");
    }
    if (parse_shape(e, shape, err, errlen) != 0) return -1;
    uint64_t bytes;
    if (shape_bytes(e, &bytes) != 0)
        return errmsg(err, errlen,
                      "tensor '%s': shape is absurd (its byte count overflows 64 bits)", nm);
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
        json_uint(offs->child, ST_OFFSET_MAX, &e->begin) != 0 ||
        json_uint(offs->child->next, ST_OFFSET_MAX, &e->end) != 0)
        return errmsg(err, errlen, "tensor '%s': \"data_offsets\" is not two non-negative integers",
                      nm);
    if (e->begin > e->end)
        return errmsg(err, errlen, "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] reversed",
                      nm, e->begin, e->end);
    if (e->end > data_size)
        return errmsg(err, errlen,
                      "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                      "] run past the data section (%" PRIu64 " bytes)",
                      nm, e->begin, e->end, data_size);
    if (e->end - e->begin != bytes)
        return errmsg(err, errlen,
                      "tensor '%s': data_offsets span %" PRIu64 " bytes but dtype %s and the shape "
                      "need %" PRIu64,
                      nm, e->end - e->begin, st_dtype_name(e->dtype), bytes);
    return 0;
}

struct span {
    uint64_t begin, end;
    size_t idx;
};

static int span_cmp(const void *a, const void *b) {
    const struct span *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

/* Names unique, tensors tiling the data section. */
static int check_layout(const struct st_file *st, char *err, size_t errlen) {
    size_t n = st->n;
    if (check_unique(&st->e[0].name, n, sizeof *st->e, "tensor", err, errlen) != 0) return -1;
    struct span *sp = malloc((n ? n : 1) * sizeof *sp);
    if (!sp) return errmsg(err, errlen, "out of memory checking the header");
    for (size_t i = 0; i < n; i++)
        sp[i] = (struct span){st->e[i].begin, st->e[i].end, i};
    int rc = 0;
    char b1[128], b2[128];
    qsort(sp, n, sizeof *sp, span_cmp);
    uint64_t at = 0;
    size_t prev = SIZE_MAX;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (sp[i].begin == sp[i].end) continue; /* empty tensors occupy nothing */
        const char *nm = shown(st->e[sp[i].idx].name, b1);
        if (sp[i].begin < at)
            rc = errmsg(err, errlen,
                        "tensors '%s' and '%s' overlap (bytes %" PRIu64 "..%" PRIu64
                        " of the data section)",
                        shown(st->e[prev].name, b2), nm, sp[i].begin, at);
        else if (sp[i].begin > at)
            rc = errmsg(err, errlen,
                        "data section has a hole: bytes %" PRIu64 "..%" PRIu64
                        " before tensor '%s' belong to no tensor",
                        at, sp[i].begin, nm);
        at = sp[i].end;
        prev = sp[i].idx;
    }
    if (rc == 0 && at != st->data_size)
        rc = errmsg(err, errlen,
                    "data section has %" PRIu64 " bytes after the last tensor (offset %" PRIu64
                    ") that belong to no tensor",
                    st->data_size - at, at);
    free(sp);
    return rc;
}

static int parse_root(struct st_file *st, const cJSON *root, char *err, size_t errlen) {
    size_t n = 0;
    for (const cJSON *c = root->child; c; c = c->next)
        n++;
    st->e = calloc(n ? n : 1, sizeof *st->e);
    if (!st->e) return errmsg(err, errlen, "out of memory for %zu header entries", n);
    int have_meta = 0;
    char b[128];
    for (const cJSON *c = root->child; c; c = c->next) {
        size_t len = c->string ? strlen(c->string) : 0;
        if (len == 0 || len > ST_NAME_MAX)
            return errmsg(err, errlen, "header: tensor name of %zu bytes (1..%d allowed)%s%s", len,
                          ST_NAME_MAX, len ? ": " : "", len ? shown(c->string, b) : "");
        if (strcmp(c->string, "__metadata__") == 0) {
            if (have_meta++) return errmsg(err, errlen, "header: \"__metadata__\" appears twice");
            if (parse_metadata(st, c, err, errlen) != 0) return -1;
            continue;
        }
        struct st_entry *e = &st->e[st->n];
        e->name = strdup(c->string);
        if (!e->name) return errmsg(err, errlen, "out of memory for tensor names");
        st->n++;
        if (parse_entry(e, c, st->data_size, err, errlen) != 0) return -1;
    }
    return check_layout(st, err, errlen);
}

/* Length of the UTF-8 sequence at p (n bytes left), 0 when it is not
 * valid UTF-8: overlong forms, surrogates and code points past U+10FFFF are
 * not (RFC 3629). */
static size_t utf8_seq(const unsigned char *p, size_t n) {
    /* the second byte's range, by lead byte: E0; E1-EC, EE-EF, F1-F3; ED; F0; F4 */
    static const unsigned char lo2[5] = {0xA0, 0x80, 0x80, 0x90, 0x80};
    static const unsigned char hi2[5] = {0xBF, 0xBF, 0x9F, 0xBF, 0x8F};
    size_t len;
    int row;
    if (p[0] < 0x80) return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        row = p[0] == 0xE0 ? 0 : p[0] == 0xED ? 2 : 1;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        row = p[0] == 0xF0 ? 3 : p[0] == 0xF4 ? 4 : 1;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo2[row] || p[1] > hi2[row]) return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return len;
}

/* safetensors headers are UTF-8: the offset of the first byte that is not,
 * or -1. */
static long utf8_bad_at(const unsigned char *p, uint64_t n) {
    for (uint64_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, (size_t)(n - i));
        if (!k) return (long)i;
        i += k;
    }
    return -1;
}

/* The JSON string (its opening quote at text + q) escapes a NUL (\u0000),
 * which a C string cannot hold: the name or value would be cut short there.
 * Returns 1 and sets *end to its closing quote when it does. */
static int string_has_nul(const char *text, size_t q, size_t *end) {
    int nul = 0;
    size_t i = q + 1;
    for (; text[i] && text[i] != '"'; i++) {
        if (text[i] != '\\' || !text[i + 1]) continue;
        i++;
        if (text[i] == 'u' && !strncmp(text + i + 1, "0000", 4)) nul = 1;
    }
    *end = i;
    return nul;
}

/* Fails when a string of the header escapes a NUL byte, naming it. */
static int check_no_nul(const char *text, char *err, size_t errlen) {
    for (size_t i = 0; text[i]; i++) {
        if (text[i] != '"') continue;
        size_t end;
        if (string_has_nul(text, i, &end)) {
            char b[128], raw[128];
            const int n = (int)(end - i - 1 < 120 ? end - i - 1 : 120);
            snprintf(raw, sizeof raw, "%.*s", n, text + i + 1);
            size_t after = end + (text[end] != 0);
            while (text[after] == ' ' || text[after] == '\t' || text[after] == '\n' ||
                   text[after] == '\r')
                after++;
            return errmsg(err, errlen,
                          "header: the %s \"%s\" at byte %zu contains a NUL byte (\\u0000); "
                          "names and metadata values cannot hold NUL",
                          text[after] == ':' ? "name" : "value", shown(raw, b), i);
        }
        i = end;
        if (!text[i]) break;
    }
    return 0;
}

/* The header text as UTF-8 with no NUL in any string, before it is parsed. */
static int check_text(const char *text, uint64_t hlen, char *err, size_t errlen) {
    long bad = utf8_bad_at((const unsigned char *)text, hlen);
    if (bad >= 0)
        return errmsg(err, errlen,
                      "header is not valid UTF-8 (byte 0x%02x at byte %ld of %" PRIu64
                      "); safetensors headers are UTF-8 JSON",
                      (unsigned char)text[bad], bad, hlen);
    return check_no_nul(text, err, errlen);
}

/* Parses the header bytes (hlen of them) of a file whose data section holds
 * data_size bytes. */
static int parse_header(struct st_file *st, const unsigned char *hdr, uint64_t hlen, char *err,
                        size_t errlen) {
    if (hdr[0] != '{')
        return errmsg(err, errlen, "header is not a JSON object (it starts with byte 0x%02x '%c')",
                      hdr[0], hdr[0] >= 0x20 && hdr[0] < 0x7f ? hdr[0] : '?');
    char *text = malloc((size_t)hlen + 1);
    if (!text) return errmsg(err, errlen, "out of memory for a %" PRIu64 "-byte header", hlen);
    memcpy(text, hdr, (size_t)hlen);
    text[hlen] = '\0';
    const char *end = NULL;
    if (check_text(text, hlen, err, errlen) != 0) {
        free(text);
        return -1;
    }
    cJSON *root = cJSON_ParseWithOpts(text, &end, 0);
    int rc;
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + hlen ? (size_t)(at - text) : 0;
        rc = errmsg(err, errlen, "header is not valid JSON (error near byte %zu of %" PRIu64 ")",
                    off, hlen);
    } else if (!cJSON_IsObject(root)) {
        rc = errmsg(err, errlen, "header is not a JSON object");
    } else {
        size_t off = (size_t)(end - text);
        while (off < hlen && text[off] == ' ')
            off++;
        if (off < hlen)
            rc = errmsg(err, errlen,
                        "header has bytes after the JSON object (byte %zu of %" PRIu64
                        "; only space padding is allowed)",
                        off, hlen);
        else
            rc = parse_root(st, root, err, errlen);
    }
    cJSON_Delete(root);
    free(text);
    return rc;
}

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Checks the header length field against what follows it. */
static int check_hlen(uint64_t hlen, uint64_t after, char *err, size_t errlen) {
    if (hlen < 2)
        return errmsg(err, errlen, "header length %" PRIu64 " is too small for a JSON object",
                      hlen);
    if (hlen > after)
        return errmsg(err, errlen,
                      "header length %" PRIu64 " runs past the end of the file (%" PRIu64
                      " bytes follow the length field)",
                      hlen, after);
    if (hlen > ST_HEADER_MAX)
        return errmsg(err, errlen, "header length %" PRIu64 " exceeds the %" PRIu64 "-byte limit",
                      hlen, ST_HEADER_MAX);
    return 0;
}

/* ---- gzip --------------------------------------------------------------- */

static int is_gzip(const unsigned char *p, size_t len) {
    return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Inflates a whole gzip stream from memory; at most max bytes out. */
static int gunzip(const unsigned char *in, size_t in_len, uint64_t max, unsigned char **out,
                  size_t *out_len, char *err, size_t errlen) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return errmsg(err, errlen, "gzip: cannot initialise zlib");
    size_t cap = in_len < ((size_t)1 << 20) ? (size_t)64 << 10 : in_len * 2, used = 0;
    if (cap > max + 1) cap = (size_t)max + 1;
    unsigned char *buf = malloc(cap);
    size_t fed = 0;
    int zr = Z_OK, rc = 0;
    if (!buf) rc = errmsg(err, errlen, "gzip: out of memory");
    while (rc == 0 && zr != Z_STREAM_END) {
        if (used == cap) {
            if (cap > max) {
                rc = errmsg(
                    err, errlen,
                    "gzip: decompresses to more than %" PRIu64 " bytes (the --max-bytes cap)", max);
                break;
            }
            size_t ncap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            if (ncap > max + 1) ncap = (size_t)max + 1;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = errmsg(err, errlen, "gzip: out of memory at %zu bytes", cap);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        if (zs.avail_in == 0 && fed < in_len) {
            size_t chunk = in_len - fed > UINT_MAX ? UINT_MAX : in_len - fed;
            zs.next_in = (unsigned char *)in + fed;
            zs.avail_in = (unsigned)chunk;
            fed += chunk;
        }
        size_t room = cap - used > UINT_MAX ? UINT_MAX : cap - used;
        zs.next_out = buf + used;
        zs.avail_out = (unsigned)room;
        zr = inflate(&zs, Z_NO_FLUSH);
        used += room - zs.avail_out;
        if (zr == Z_BUF_ERROR && zs.avail_in == 0 && fed == in_len)
            rc = errmsg(err, errlen, "gzip stream is truncated (ends after %zu bytes of output)",
                        used);
        else if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
            rc = errmsg(err, errlen, "bad gzip stream: %s", zs.msg ? zs.msg : zError(zr));
    }
    if (rc == 0 && used > max)
        rc = errmsg(err, errlen, "gzip: decompresses to more than %" PRIu64 " bytes", max);
    if (rc == 0 && (zs.avail_in > 0 || fed < in_len))
        rc = errmsg(err, errlen, "gzip: %zu bytes of trailing data after the compressed stream",
                    (size_t)zs.avail_in + (in_len - fed));
    inflateEnd(&zs);
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = used;
    return 0;
}

/* ---- opening ------------------------------------------------------------ */

static uint64_t cap_of(uint64_t max_bytes) {
    return max_bytes ? max_bytes : ST_DEFAULT_MAX_BYTES;
}

/* A plain file image in memory (borrowed). */
static int open_plain_mem(struct st_file *st, const unsigned char *p, size_t len, char *err,
                          size_t errlen) {
    if (len < 8)
        return errmsg(err, errlen, "file too short (%zu bytes) for the 8-byte header length", len);
    uint64_t hlen = le64(p);
    if (check_hlen(hlen, len - 8, err, errlen) != 0) return -1;
    st->header_len = hlen;
    st->data_size = len - 8 - hlen;
    st->data = p + 8 + hlen;
    return parse_header(st, p + 8, hlen, err, errlen);
}

static int open_gzip_mem(struct st_file *st, const unsigned char *p, size_t len, char *err,
                         size_t errlen) {
    size_t n = 0;
    st->gzipped = 1;
    if (gunzip(p, len, st->max_bytes, &st->owned, &n, err, errlen) != 0) return -1;
    return open_plain_mem(st, st->owned, n, err, errlen);
}

int st_open_mem(const void *buf, size_t len, uint64_t max_bytes, struct st_file *st, char *err,
                size_t errlen) {
    memset(st, 0, sizeof *st);
    st->max_bytes = cap_of(max_bytes);
    int rc = is_gzip(buf, len) ? open_gzip_mem(st, buf, len, err, errlen)
                               : open_plain_mem(st, buf, len, err, errlen);
    if (rc != 0) st_close(st);
    return rc;
}

static int read_exact(FILE *f, void *buf, size_t len) {
    return fread(buf, 1, len, f) == len ? 0 : -1;
}

static int open_gzip_file(struct st_file *st, FILE *f, uint64_t size, const char *path, char *err,
                          size_t errlen) {
    if (size > st->max_bytes)
        return errmsg(err, errlen, "%s: gzip'd file of %" PRIu64 " bytes exceeds --max-bytes", path,
                      size);
    unsigned char *z = malloc(size ? (size_t)size : 1);
    if (!z) return errmsg(err, errlen, "%s: out of memory", path);
    int rc = read_exact(f, z, (size_t)size) == 0
                 ? open_gzip_mem(st, z, (size_t)size, err, errlen)
                 : errmsg(err, errlen, "%s: read error: %s", path, strerror(errno));
    free(z);
    return rc;
}

static int open_plain_file(struct st_file *st, FILE *f, uint64_t size, char *err, size_t errlen) {
    unsigned char len8[8];
    if (size < 8 || read_exact(f, len8, 8) != 0)
        return errmsg(err, errlen,
                      "file too short (%" PRIu64 " bytes) for the 8-byte header length", size);
    uint64_t hlen = le64(len8);
    if (check_hlen(hlen, size - 8, err, errlen) != 0) return -1;
    unsigned char *hdr = malloc((size_t)hlen);
    if (!hdr) return errmsg(err, errlen, "out of memory for a %" PRIu64 "-byte header", hlen);
    int rc = read_exact(f, hdr, (size_t)hlen) == 0
                 ? 0
                 : errmsg(err, errlen, "read error in the header: %s", strerror(errno));
    st->header_len = hlen;
    st->data_size = size - 8 - hlen;
    st->data_start = 8 + hlen;
    if (rc == 0) rc = parse_header(st, hdr, hlen, err, errlen);
    free(hdr);
    return rc;
}

int st_open(const char *path, uint64_t max_bytes, struct st_file *st, char *err, size_t errlen) {
    memset(st, 0, sizeof *st);
    st->max_bytes = cap_of(max_bytes);
    char why[600];
    FILE *f = fopen_regular(path, why, sizeof why);
    if (!f) return errmsg(err, errlen, "%s", why);
    struct stat sb;
    unsigned char magic[2] = {0, 0};
    int rc = 0;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        rc = errmsg(err, errlen, "%s: not a regular file", path);
    size_t got = rc == 0 ? fread(magic, 1, 2, f) : 0;
    if (rc == 0 && fseeko(f, 0, SEEK_SET) != 0)
        rc = errmsg(err, errlen, "%s: cannot seek: %s", path, strerror(errno));
    if (rc == 0 && is_gzip(magic, got)) {
        rc = open_gzip_file(st, f, (uint64_t)sb.st_size, path, err, errlen);
        fclose(f);
    } else if (rc == 0) {
        st->f = f;
        rc = open_plain_file(st, f, (uint64_t)sb.st_size, err, errlen);
    } else {
        fclose(f);
    }
    if (rc != 0) st_close(st);
    return rc;
}

void st_close(struct st_file *st) {
    if (!st) return;
    for (size_t i = 0; i < st->n; i++)
        free(st->e[i].name);
    free(st->e);
    for (size_t i = 0; i < st->n_meta; i++) {
        free(st->meta[i].key);
        free(st->meta[i].value);
    }
    free(st->meta);
    free(st->owned);
    if (st->f) fclose(st->f);
    memset(st, 0, sizeof *st);
}

/* ---- queries and reads -------------------------------------------------- */

long st_find(const struct st_file *st, const char *name) {
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->e[i].name, name) == 0) return (long)i;
    return -1;
}

const char *st_meta_get(const struct st_file *st, const char *key) {
    for (size_t i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta[i].key, key) == 0) return st->meta[i].value;
    return NULL;
}

int st_read(const struct st_file *st, size_t i, void *buf, size_t len, char *err, size_t errlen) {
    char b[128];
    if (i >= st->n) return errmsg(err, errlen, "no tensor #%zu", i);
    const struct st_entry *e = &st->e[i];
    uint64_t bytes = st_entry_bytes(e);
    if (bytes != len)
        return errmsg(err, errlen, "tensor '%s' holds %" PRIu64 " bytes, not %zu",
                      shown(e->name, b), bytes, len);
    if (bytes > st->max_bytes)
        return errmsg(err, errlen, "tensor '%s' is %" PRIu64 " bytes, over the --max-bytes cap",
                      shown(e->name, b), bytes);
    if (len == 0) return 0;
    if (st->data) {
        memcpy(buf, st->data + e->begin, len);
        return 0;
    }
    if (!st->f || fseeko(st->f, (off_t)(st->data_start + e->begin), SEEK_SET) != 0 ||
        read_exact(st->f, buf, len) != 0)
        return errmsg(err, errlen, "tensor '%s': read failed (file changed or truncated?)",
                      shown(e->name, b));
    return 0;
}

/* Removes the last tensor of s (a load that failed half-way). */
static void set_pop(struct tensor_set *s) {
    s->n--;
    free(s->t[s->n].data);
    memset(&s->t[s->n], 0, sizeof s->t[s->n]);
}

struct tensor *st_load(const struct st_file *st, size_t i, struct tensor_set *set,
                       const char *as_name, char *err, size_t errlen) {
    char b[128];
    if (i >= st->n) {
        errmsg(err, errlen, "no tensor #%zu", i);
        return NULL;
    }
    const struct st_entry *e = &st->e[i];
    const char *name = as_name ? as_name : e->name;
    tdtype_t td;
    if (st_dtype_to_td(e->dtype, &td) != 0) {
        errmsg(err, errlen, "tensor '%s' has dtype %s, which the harness does not handle",
               shown(e->name, b), st_dtype_name(e->dtype));
        return NULL;
    }
    if (e->ndim < 1 || e->ndim > 2 || e->shape[0] == 0 || (e->ndim == 2 && e->shape[1] == 0)) {
        errmsg(err, errlen,
               "tensor '%s' has %d dimension(s)%s; the harness takes 1 or 2, non-empty",
               shown(e->name, b), e->ndim, e->ndim >= 1 && e->ndim <= 2 ? " and is empty" : "");
        return NULL;
    }
    if (strlen(name) >= TENSOR_NAME_MAX || tensor_set_get(set, name) || set->n >= TENSOR_SET_MAX) {
        errmsg(err, errlen, "cannot hold tensor '%s' (name too long, taken, or set full)",
               shown(name, b));
        return NULL;
    }
    if (st_entry_bytes(e) > st->max_bytes) {
        errmsg(err, errlen, "tensor '%s' is %" PRIu64 " bytes, over the --max-bytes cap",
               shown(e->name, b), st_entry_bytes(e));
        return NULL;
    }
    struct tensor *t = tensor_set_add(set, name, td, e->ndim, e->shape[0], e->shape[1]);
    if (!t) {
        errmsg(err, errlen, "out of memory for tensor '%s'", shown(e->name, b));
        return NULL;
    }
    if (st_read(st, i, t->data, tensor_nbytes(t), err, errlen) != 0) {
        set_pop(set);
        return NULL;
    }
    return t;
}

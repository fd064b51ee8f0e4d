/* safetensors_write.c - the safetensors writer (see safetensors.h).
 *
 * The header is cJSON's compact print, "__metadata__" first, padded with
 * spaces to a multiple of 8 bytes (as the safetensors library pads it); the
 * tensors follow back to back in the order given. gzip output is zlib's
 * gzip format at level 9. The bytes go to "<path>.tmp.<pid>", which is
 * renamed to path once complete. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/errmsg.h"
#include "formats/safetensors.h"

struct st_wtensor st_wtensor_of(const struct tensor *t) {
    struct st_wtensor w;
    memset(&w, 0, sizeof w);
    w.name = t->name;
    w.dtype = st_dtype_from_td(t->dtype);
    w.ndim = t->ndim;
    for (int i = 0; i < t->ndim && i < 4; i++)
        w.shape[i] = t->shape[i];
    w.data = t->data;
    return w;
}

/* Byte count of a tensor to write, or -1 when its description is invalid. */
static int wtensor_bytes(const struct st_wtensor *t, uint64_t *out) {
    if (!t->name || !t->name[0] || strlen(t->name) > ST_NAME_MAX ||
        (unsigned)t->dtype >= ST_DTYPE_COUNT || t->ndim < 0 || t->ndim > ST_MAX_DIMS ||
        strcmp(t->name, "__metadata__") == 0)
        return -1;
    uint64_t n = st_dtype_size(t->dtype);
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] < 0 || t->shape[i] > ST_DIM_MAX) return -1;
        uint64_t d = (uint64_t)t->shape[i];
        if (d != 0 && n > UINT64_MAX / d) return -1;
        n *= d;
    }
    if (n > 0 && !t->data) return -1;
    *out = n;
    return 0;
}

static cJSON *header_json(const struct st_wtensor *t, size_t n, const struct st_meta *meta,
                          size_t n_meta, char *err, size_t errlen) {
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    if (ok && n_meta > 0) {
        cJSON *m = cJSON_AddObjectToObject(root, "__metadata__");
        ok = m != NULL;
        for (size_t i = 0; ok && i < n_meta; i++)
            ok = meta[i].key && meta[i].value &&
                 !cJSON_GetObjectItemCaseSensitive(m, meta[i].key) &&
                 cJSON_AddStringToObject(m, meta[i].key, meta[i].value) != NULL;
        if (!ok) errmsg(err, errlen, "safetensors: bad or repeated metadata key");
    }
    uint64_t at = 0;
    for (size_t i = 0; ok && i < n; i++) {
        uint64_t bytes;
        if (wtensor_bytes(&t[i], &bytes) != 0 ||
            cJSON_GetObjectItemCaseSensitive(root, t[i].name)) {
            ok = 0;
            errmsg(err, errlen, "safetensors: tensor #%zu ('%s') is invalid or repeated", i,
                   t[i].name ? t[i].name : "?");
            break;
        }
        cJSON *e = cJSON_AddObjectToObject(root, t[i].name);
        cJSON *shape = e ? cJSON_AddArrayToObject(e, "shape") : NULL;
        cJSON *offs = e ? cJSON_AddArrayToObject(e, "data_offsets") : NULL;
        ok = e && shape && offs && cJSON_AddStringToObject(e, "dtype", st_dtype_name(t[i].dtype));
        for (int d = 0; ok && d < t[i].ndim; d++)
            ok = cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t[i].shape[d]));
        ok = ok && cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)at)) &&
             cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)(at + bytes)));
        if (!ok) errmsg(err, errlen, "safetensors: out of memory building the header");
        at += bytes;
    }
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* Where the bytes go: a plain FILE or a gzFile. */
struct sink {
    FILE *f;
    gzFile gz;
};

static int sink_put(struct sink *s, const void *buf, uint64_t len) {
    const unsigned char *p = buf;
    while (len > 0) {
        unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
        if (s->gz ? gzwrite(s->gz, p, chunk) != (int)chunk : fwrite(p, 1, chunk, s->f) != chunk)
            return -1;
        p += chunk;
        len -= chunk;
    }
    return 0;
}

static int sink_close(struct sink *s) {
    if (s->gz) return gzclose(s->gz) == Z_OK ? 0 : -1;
    return fclose(s->f) == 0 ? 0 : -1;
}

static int write_all(struct sink *s, const char *hdr, size_t hlen, const struct st_wtensor *t,
                     size_t n) {
    size_t padded = (hlen + 7) / 8 * 8;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    static const char spaces[8] = "        ";
    if (sink_put(s, len8, 8) != 0 || sink_put(s, hdr, hlen) != 0 ||
        sink_put(s, spaces, padded - hlen) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint64_t bytes = 0;
        if (wtensor_bytes(&t[i], &bytes) != 0 || sink_put(s, t[i].data, bytes) != 0) return -1;
    }
    return 0;
}

int st_write(const char *path, int gzip, const struct st_wtensor *t, size_t n,
             const struct st_meta *meta, size_t n_meta, char *err, size_t errlen) {
    cJSON *root = header_json(t, n, meta, n_meta, err, errlen);
    if (!root) return -1;
    char *hdr = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!hdr) return errmsg(err, errlen, "safetensors: out of memory printing the header");
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        free(hdr);
        return errmsg(err, errlen, "%s: path too long", path);
    }
    struct sink s = {NULL, NULL};
    if (gzip)
        s.gz = gzopen(tmp, "wb9");
    else
        s.f = fopen(tmp, "wb");
    if (!s.gz && !s.f) {
        free(hdr);
        return errmsg(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
    }
    int rc = write_all(&s, hdr, strlen(hdr), t, n);
    free(hdr);
    if (sink_close(&s) != 0) rc = -1;
    if (rc != 0) {
        unlink(tmp);
        return errmsg(err, errlen, "%s: write failed: %s", tmp, strerror(errno ? errno : EIO));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return errmsg(err, errlen, "%s: cannot rename into place: %s", path, strerror(e));
    }
    return 0;
}

/* fixture.c - fixtures written and read (see fixture.h). */
#include "results/fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/errmsg.h"
#include "formats/formats.h"
#include "formats/safetensors.h"
#include "util/version.h"

#define FIX_MAX_TENSORS 12

static st_dtype_t act_dtype(dtype_t dt) {
    return dt == DT_BF16 ? ST_BF16 : ST_F16;
}

static struct st_wtensor wt2(const char *name, st_dtype_t dt, int64_t d0, int64_t d1,
                             const void *data) {
    struct st_wtensor w = {name, dt, 2, {d0, d1}, data};
    return w;
}

static void add_meta(struct st_meta *m, size_t *n, const char *key, const char *value) {
    if (!value || !value[0]) return;
    m[*n].key = (char *)key;
    m[*n].value = (char *)value;
    (*n)++;
}

int fixture_write(const char *path, const struct fixture_case *c, char *err, size_t errlen) {
    const struct case_desc *d = c->d;
    if (!d || !c->ckpt || !c->x || !c->yref || (d->bias && !c->bias))
        return errmsg(err, errlen, "fixture: descriptor, checkpoint, x or y_ref missing");
    if (c->ckpt->n > FIX_MAX_TENSORS - 4)
        return errmsg(err, errlen, "fixture: %d checkpoint tensors is too many", c->ckpt->n);
    struct st_wtensor w[FIX_MAX_TENSORS];
    size_t n = 0;
    for (int i = 0; i < c->ckpt->n; i++)
        w[n++] = st_wtensor_of(&c->ckpt->t[i]);
    w[n++] = wt2("x", act_dtype(d->dt), d->m, d->k, c->x);
    if (d->bias) {
        w[n] = wt2("bias", act_dtype(d->dt), d->n, 0, c->bias);
        w[n++].ndim = 1;
    }
    w[n++] = wt2("y_ref", ST_F64, d->m, d->n, c->yref);
    if (c->ydev) w[n++] = wt2("y_dev", act_dtype(d->dt), d->m, d->n, c->ydev);

    char line[512];
    desc_print(d, line, sizeof line);
    struct st_meta m[10];
    size_t nm = 0;
    add_meta(m, &nm, "format", FIXTURE_FORMAT);
    add_meta(m, &nm, "descriptor", line);
    add_meta(m, &nm, "adapter", adapter_name(d->adapter));
    add_meta(m, &nm, "verdict", c->verdict);
    add_meta(m, &nm, "reason", c->reason);
    add_meta(m, &nm, "device", c->device);
    add_meta(m, &nm, "kernel", c->kernel);
    add_meta(m, &nm, "kernel_hash", c->kernel_hash);
    add_meta(m, &nm, "harness_version", GH_VERSION);
    return st_write(path, 1, w, n, m, nm, err, errlen);
}

/* ---- reading ------------------------------------------------------------ */

static int is_ckpt_name(fmt_t f, const char *name) {
    const char *names[4] = {format_weight_name(f), format_scale_name(f), format_zero_name(f),
                            format_gidx_name(f)};
    for (int i = 0; i < 4; i++)
        if (names[i] && strcmp(names[i], name) == 0) return 1;
    return 0;
}

static int is_io_name(const char *name) {
    return !strcmp(name, "x") || !strcmp(name, "bias") || !strcmp(name, "y_ref") ||
           !strcmp(name, "y_dev");
}

/* The io tensor name must have dtype dt and shape [d0] (d1 < 0) or [d0][d1];
 * dims names the descriptor's keys for them ("mk": m= and k=), so that a
 * mismatch names the dimension that differs. *out: its data, or NULL when it
 * is absent (an error when required). */
static int io_tensor(const struct fixture *fx, const char *name, tdtype_t dt, int64_t d0,
                     int64_t d1, const char *dims, int required, const void **out, char *err,
                     size_t errlen) {
    const struct tensor *t = tensor_set_get(&fx->io, name);
    *out = NULL;
    if (!t) return required ? errmsg(err, errlen, "fixture has no tensor '%s'", name) : 0;
    int ndim = d1 < 0 ? 1 : 2;
    if (t->dtype != dt)
        return errmsg(err, errlen, "fixture tensor '%s' is %s; the descriptor wants %s", name,
                      tdtype_name(t->dtype), tdtype_name(dt));
    if (t->ndim != ndim)
        return errmsg(err, errlen,
                      "fixture tensor '%s' has %d dimension(s); the descriptor wants %d", name,
                      t->ndim, ndim);
    for (int i = 0; i < ndim; i++) {
        int64_t want = i ? d1 : d0;
        if (t->shape[i] != want)
            return errmsg(err, errlen,
                          "fixture tensor '%s' disagrees with the descriptor in dimension %c: %lld "
                          "in the file, %c=%lld in the descriptor",
                          name, dims[i] - 'a' + 'A', (long long)t->shape[i], dims[i],
                          (long long)want);
    }
    *out = t->data;
    return 0;
}

static int check_io(struct fixture *fx, char *err, size_t errlen) {
    const struct case_desc *d = &fx->d;
    tdtype_t adt = d->dt == DT_BF16 ? TD_BF16 : TD_F16;
    const void *x, *yref, *bias, *ydev;
    if (io_tensor(fx, "x", adt, d->m, d->k, "mk", 1, &x, err, errlen) != 0 ||
        io_tensor(fx, "y_ref", TD_F64, d->m, d->n, "mn", 1, &yref, err, errlen) != 0 ||
        io_tensor(fx, "bias", adt, d->n, -1, "n", d->bias, &bias, err, errlen) != 0 ||
        io_tensor(fx, "y_dev", adt, d->m, d->n, "mn", 0, &ydev, err, errlen) != 0)
        return -1;
    if (!d->bias && bias) return errmsg(err, errlen, "fixture holds a bias but bias=0");
    fx->x = x;
    fx->yref = yref;
    fx->bias = bias;
    fx->ydev = ydev;
    return 0;
}

static void copy_meta(const struct st_file *st, const char *key, char *dst) {
    const char *v = st_meta_get(st, key);
    snprintf(dst, FIXTURE_META_MAX, "%s", v ? v : "");
}

static int read_fixture(const struct st_file *st, struct fixture *fx, char *err, size_t errlen) {
    const char *format = st_meta_get(st, "format");
    if (!format || strcmp(format, FIXTURE_FORMAT) != 0)
        return errmsg(err, errlen,
                      "not a gptq-harness fixture (no __metadata__ format \"%s\"); for a "
                      "checkpoint shard use inspect",
                      FIXTURE_FORMAT);
    const char *line = st_meta_get(st, "descriptor");
    char derr[400];
    if (!line) return errmsg(err, errlen, "fixture has no descriptor in its __metadata__");
    if (desc_parse(line, &fx->d, derr, sizeof derr) != 0)
        return errmsg(err, errlen, "fixture descriptor is invalid: %s", derr);
    for (size_t i = 0; i < st->n; i++) {
        const char *name = st->e[i].name;
        struct tensor_set *dst = is_ckpt_name(fx->d.fmt, name) ? &fx->ckpt
                                 : is_io_name(name)            ? &fx->io
                                                               : NULL;
        if (!dst)
            return errmsg(err, errlen, "fixture holds tensor '%.100s', which fmt=%s does not have",
                          name, fmt_name(fx->d.fmt));
        if (!st_load(st, i, dst, NULL, err, errlen)) return -1;
    }
    if (check_io(fx, err, errlen) != 0) return -1;
    copy_meta(st, "verdict", fx->verdict);
    copy_meta(st, "device", fx->device);
    copy_meta(st, "kernel", fx->kernel);
    copy_meta(st, "kernel_hash", fx->kernel_hash);
    copy_meta(st, "harness_version", fx->version);
    return 0;
}

int fixture_read(const char *path, uint64_t max_bytes, struct fixture *fx, char *err,
                 size_t errlen) {
    memset(fx, 0, sizeof *fx);
    struct st_file st;
    if (st_open(path, max_bytes, &st, err, errlen) != 0) return -1;
    int rc = read_fixture(&st, fx, err, errlen);
    st_close(&st);
    if (rc != 0) fixture_free(fx);
    return rc;
}

int fixture_read_mem(const void *buf, size_t len, uint64_t max_bytes, struct fixture *fx, char *err,
                     size_t errlen) {
    memset(fx, 0, sizeof *fx);
    struct st_file st;
    if (st_open_mem(buf, len, max_bytes, &st, err, errlen) != 0) return -1;
    int rc = read_fixture(&st, fx, err, errlen);
    st_close(&st);
    if (rc != 0) fixture_free(fx);
    return rc;
}

void fixture_free(struct fixture *fx) {
    tensor_set_free(&fx->ckpt);
    tensor_set_free(&fx->io);
    memset(fx, 0, sizeof *fx);
}

/* ---- names -------------------------------------------------------------- */

int fixture_name(const char *dir, const struct case_desc *d, char *out, size_t len) {
    char line[512], stem[200];
    desc_print(d, line, sizeof line);
    size_t j = 0;
    for (size_t i = 0; line[i] && j + 1 < sizeof stem; i++) {
        char c = line[i];
        int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.';
        stem[j++] = c == ' ' ? '_' : c == '=' ? '-' : safe ? c : '_';
    }
    stem[j] = '\0';
    for (int k = 1; k < 10000; k++) {
        char tag[16] = "";
        if (k > 1) snprintf(tag, sizeof tag, "-%d", k);
        if ((size_t)snprintf(out, len, "%s/%s%s" FIXTURE_SUFFIX, dir, stem, tag) >= len) return -1;
        if (access(out, F_OK) != 0) return 0;
    }
    return -1;
}

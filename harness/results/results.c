/* results.c - results.jsonl writer and strict reader (see results.h). */
#include "results/results.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/hash.h"
#include "util/regfile.h"

/* ---- writing ---------------------------------------------------------------- */

static void add_num(cJSON *o, const char *k, double v) {
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else if (isinf(v))
        cJSON_AddStringToObject(o, k, v > 0 ? "inf" : "-inf");
    else
        cJSON_AddNumberToObject(o, k, v);
}

static int utf8_valid(const char *s) {
    size_t n = strlen(s);
    unsigned long cp;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq((const unsigned char *)s + i, n - i, &cp);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

static void add_str(cJSON *o, const char *k, const char *s) {
    char buf[1024], *copy = NULL;
    if (s && !utf8_valid(s)) { /* every string of a line is UTF-8 (paths: runenv.c) */
        size_t n = strlen(s);
        copy = n < sizeof buf ? buf : malloc(n + 1);
        if (copy) {
            memcpy(copy, s, n + 1);
            utf8_sanitize(copy);
        }
        s = copy ? copy : "?";
    }
    if (s)
        cJSON_AddStringToObject(o, k, s);
    else
        cJSON_AddNullToObject(o, k);
    if (copy && copy != buf) free(copy);
}

/* The fields of "metrics" and "time", for the writer and the reader. */
enum fkind {
    F_NUM,   /* a number (or "inf", "-inf", null) */
    F_TOTAL, /* m * n of the descriptor */
    F_COUNT, /* 0 .. m * n */
    F_ANY,   /* 0 .. 2^53 */
    F_ROW,   /* -1 .. m - 1 */
    F_COL    /* -1 .. n - 1 */
};

struct field {
    const char *name;
    size_t off;
    enum fkind kind;
    int required;
};

#define MF(name, kind, req)                                                                        \
    { #name, offsetof(struct metrics, name), kind, req }
static const struct field metric_fields[] = {
    MF(max_abs, F_NUM, 1),   MF(max_ulp, F_NUM, 1),     MF(rel_l2, F_NUM, 1),
    MF(sqnr_db, F_NUM, 1),   MF(worst_ratio, F_NUM, 1), MF(mismatches, F_COUNT, 1),
    MF(total, F_TOTAL, 1),   MF(nonfinite, F_COUNT, 0), MF(unwritten, F_COUNT, 0),
    MF(guard_bad, F_ANY, 0), MF(zeros, F_COUNT, 0),     MF(worst_m, F_ROW, 0),
    MF(worst_n, F_COL, 0),   MF(worst_exp, F_NUM, 0),   MF(worst_got, F_NUM, 0)};
#define TF(name, key)                                                                              \
    { key, offsetof(struct rec_times, name), F_NUM, 0 }
static const struct field time_fields[] = {
    TF(total, "total_s"), TF(gen, "gen_s"), TF(ref, "ref_s"),     TF(adapt, "adapt_s"),
    TF(dev, "dev_s"),     TF(cmp, "cmp_s"), TF(build, "build_s"), TF(kernel_ms, "kernel_ms")};
#define NFIELDS(a) (sizeof a / sizeof *a)

static void add_fields(cJSON *o, const void *base, const struct field *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const char *p = (const char *)base + f[i].off;
        double v;
        if (f[i].kind == F_NUM)
            memcpy(&v, p, sizeof v);
        else {
            int64_t k;
            memcpy(&k, p, sizeof k);
            v = (double)k;
        }
        add_num(o, f[i].name, v);
    }
}

static void add_metrics(cJSON *root, const struct case_record *r) {
    if (!r->have_metrics) {
        cJSON_AddNullToObject(root, "metrics");
        return;
    }
    cJSON *o = cJSON_AddObjectToObject(root, "metrics");
    add_fields(o, &r->met, metric_fields, NFIELDS(metric_fields));
    add_num(o, "err_norm", r->err_norm);
}

static void add_times(cJSON *root, const struct rec_times *t) {
    add_fields(cJSON_AddObjectToObject(root, "time"), t, time_fields, NFIELDS(time_fields));
}

static void add_env(cJSON *root, const struct run_env *e) {
    cJSON *o = cJSON_AddObjectToObject(root, "device");
    add_str(o, "name", e->device);
    add_str(o, "platform", e->platform);
    add_str(o, "driver", e->driver);
    o = cJSON_AddObjectToObject(root, "kernel");
    add_str(o, "path", e->kernel);
    add_str(o, "fnv1a64", e->kernel_hash);
    o = cJSON_AddObjectToObject(root, "harness");
    add_str(o, "version", e->harness);
    add_str(o, "git", e->git);
}

/* Cells with 3 significant digits (short lines); NaN prints as null. */
static int add_cells(cJSON *o, const float *v, size_t n) {
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (!d) return -1;
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.3g", (double)v[i]);
        d[i] = isnan(v[i]) ? NAN : strtod(buf, NULL);
    }
    cJSON *cells = cJSON_CreateDoubleArray(d, (int)n);
    free(d);
    if (!cells || !cJSON_AddItemToObject(o, "cells", cells)) {
        cJSON_Delete(cells);
        return -1;
    }
    return 0;
}

static int add_grid(cJSON *root, const struct errgrid *g) {
    if (!g) {
        cJSON_AddNullToObject(root, "grid");
        return 0;
    }
    cJSON *o = cJSON_AddObjectToObject(root, "grid");
    add_num(o, "rows", g->rows);
    add_num(o, "cols", g->cols);
    add_num(o, "m", (double)g->M);
    add_num(o, "n", (double)g->N);
    if (add_cells(o, g->cells, (size_t)g->rows * (size_t)g->cols) != 0) return -1;
    add_str(o, "space", g->space == ERRGRID_WEIGHTS ? "weights" : "output");
    return 0;
}

/* Only a case whose probe found wrong weights has the key. */
static int add_probe(cJSON *root, const struct probemap *m) {
    if (!m) return 0;
    cJSON *o = cJSON_AddObjectToObject(root, "probe");
    add_num(o, "rows", m->rows);
    add_num(o, "cols", m->cols);
    add_num(o, "k", (double)m->K);
    add_num(o, "n", (double)m->N);
    add_num(o, "probed", (double)m->probed);
    add_str(o, "layout", m->folded ? "slots" : "rows");
    return add_cells(o, m->cells, (size_t)m->rows * (size_t)m->cols);
}

char *results_line(const struct record_list *l, const struct case_record *r) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    char hex[17];
    hash_hex(l->sweep.hash, hex);
    add_num(root, "index", (double)r->index);
    cJSON *sw = cJSON_AddObjectToObject(root, "sweep");
    add_num(sw, "cases", (double)l->sweep.cases);
    add_str(sw, "hash", hex);
    add_str(root, "desc", r->desc);
    add_str(root, "verdict", verdict_name(r->verdict));
    add_str(root, "reason", r->reason);
    add_str(root, "where", r->where);
    add_str(root, "diagnosis", r->diagnosis);
    add_metrics(root, r);
    add_times(root, &r->t);
    if (r->env < l->nenv) add_env(root, &l->env[r->env]);
    add_str(root, "repro", r->repro);
    add_str(root, "log", r->log);
    char *text = NULL;
    if (add_grid(root, r->grid) == 0 && add_probe(root, r->probe) == 0)
        text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

/* ---- reading one line ------------------------------------------------------ */

struct jr {
    char *err;
    size_t errlen;
    const char *ctx; /* enclosing object's key, or NULL */
};

static int bad_field(struct jr *j, const char *key, const char *what) {
    snprintf(j->err, j->errlen, "field '%s%s%s': %s", j->ctx ? j->ctx : "", j->ctx ? "." : "", key,
             what);
    return -1;
}

static const cJSON *item(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A number, "inf", "-inf" or null (NaN). Missing: error when required,
 * else *out is left alone. */
static int get_num(struct jr *j, const cJSON *o, const char *key, int required, double *out) {
    const cJSON *it = item(o, key);
    if (!it) return required ? bad_field(j, key, "missing") : 0;
    if (cJSON_IsNumber(it))
        *out = it->valuedouble;
    else if (cJSON_IsNull(it))
        *out = NAN;
    else if (cJSON_IsString(it) && strcmp(it->valuestring, "inf") == 0)
        *out = INFINITY;
    else if (cJSON_IsString(it) && strcmp(it->valuestring, "-inf") == 0)
        *out = -INFINITY;
    else
        return bad_field(j, key, "want a number, \"inf\", \"-inf\" or null");
    return 0;
}

static int get_int(struct jr *j, const cJSON *o, const char *key, int required, int64_t lo,
                   int64_t hi, int64_t *out) {
    const cJSON *it = item(o, key);
    if (!it) return required ? bad_field(j, key, "missing") : 0;
    double v = it->valuedouble;
    if (!cJSON_IsNumber(it) || v != floor(v) || v < (double)lo || v > (double)hi) {
        char what[96];
        snprintf(what, sizeof what, "want an integer in %lld..%lld", (long long)lo, (long long)hi);
        return bad_field(j, key, what);
    }
    *out = (int64_t)v;
    return 0;
}

/* A string or null; a missing key leaves *dst NULL. */
static int get_text(struct jr *j, const cJSON *o, const char *key, char **dst) {
    const cJSON *it = item(o, key);
    if (!it || cJSON_IsNull(it)) return 0;
    if (!cJSON_IsString(it)) return bad_field(j, key, "want a string or null");
    if (record_set_text(dst, it->valuestring) != 0) return bad_field(j, key, "out of memory");
    return 0;
}

/* A string into a fixed buffer; missing or null gives "unknown". */
static int get_fixed(struct jr *j, const cJSON *o, const char *key, char *buf, size_t len) {
    const cJSON *it = item(o, key);
    snprintf(buf, len, "unknown");
    if (!it || cJSON_IsNull(it)) return 0;
    if (!cJSON_IsString(it)) return bad_field(j, key, "want a string or null");
    if (strlen(it->valuestring) >= len) return bad_field(j, key, "too long");
    snprintf(buf, len, "%s", it->valuestring);
    return 0;
}

/* An object, or NULL when missing or null; anything else is an error. */
static int get_obj(struct jr *j, const cJSON *o, const char *key, const cJSON **out) {
    const cJSON *it = item(o, key);
    *out = NULL;
    if (!it || cJSON_IsNull(it)) return 0;
    if (!cJSON_IsObject(it)) return bad_field(j, key, "want an object or null");
    *out = it;
    return 0;
}

#define COUNT_MAX ((int64_t)1 << 53)

/* Reads the fields of a table into base; ranges from the descriptor. */
static int get_fields(struct jr *j, const cJSON *o, void *base, const struct field *f, size_t n,
                      const struct case_desc *d) {
    for (size_t i = 0; i < n; i++) {
        char *p = (char *)base + f[i].off;
        int64_t total = d->m * d->n, lo = 0, hi = total, k = 0;
        if (f[i].kind == F_NUM) {
            double v = 0;
            if (get_num(j, o, f[i].name, f[i].required, &v) != 0) return -1;
            memcpy(p, &v, sizeof v);
            continue;
        }
        if (f[i].kind == F_TOTAL) lo = total;
        if (f[i].kind == F_ANY) hi = COUNT_MAX;
        if (f[i].kind == F_ROW || f[i].kind == F_COL) {
            lo = -1;
            hi = (f[i].kind == F_ROW ? d->m : d->n) - 1;
        }
        if (get_int(j, o, f[i].name, f[i].required, lo, hi, &k) != 0) return -1;
        memcpy(p, &k, sizeof k);
    }
    return 0;
}

static int parse_metrics(struct jr *j, const cJSON *o, struct case_record *r) {
    j->ctx = "metrics";
    if (get_fields(j, o, &r->met, metric_fields, NFIELDS(metric_fields), &r->d) != 0 ||
        get_num(j, o, "err_norm", 0, &r->err_norm) != 0)
        return -1;
    r->have_metrics = 1;
    return 0;
}

static int parse_times(struct jr *j, const cJSON *o, const struct case_desc *d,
                       struct rec_times *t) {
    j->ctx = "time";
    return get_fields(j, o, t, time_fields, NFIELDS(time_fields), d);
}

static int parse_env(struct jr *j, const cJSON *root, struct run_env *e) {
    const cJSON *dev, *ker, *har;
    memset(e, 0, sizeof *e);
    j->ctx = NULL;
    if (get_obj(j, root, "device", &dev) || get_obj(j, root, "kernel", &ker) ||
        get_obj(j, root, "harness", &har))
        return -1;
    j->ctx = "device";
    if (get_fixed(j, dev, "name", e->device, sizeof e->device) ||
        get_fixed(j, dev, "platform", e->platform, sizeof e->platform) ||
        get_fixed(j, dev, "driver", e->driver, sizeof e->driver))
        return -1;
    j->ctx = "kernel";
    if (get_fixed(j, ker, "path", e->kernel, sizeof e->kernel) ||
        get_fixed(j, ker, "fnv1a64", e->kernel_hash, sizeof e->kernel_hash))
        return -1;
    j->ctx = "harness";
    return get_fixed(j, har, "version", e->harness, sizeof e->harness) ||
                   get_fixed(j, har, "git", e->git, sizeof e->git)
               ? -1
               : 0;
}

/* n cells (numbers >= 0, at most hi, or null: NaN) into v. */
static int parse_cells(struct jr *j, const cJSON *o, size_t n, double hi, float *v) {
    const cJSON *cells = item(o, "cells");
    if (!cJSON_IsArray(cells) || (size_t)cJSON_GetArraySize(cells) != n)
        return bad_field(j, "cells", "want an array of rows*cols numbers");
    size_t i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cells) {
        if (cJSON_IsNull(c))
            v[i++] = NAN;
        else if (cJSON_IsNumber(c) && c->valuedouble >= 0 && c->valuedouble <= hi)
            v[i++] = (float)c->valuedouble;
        else
            return bad_field(j, "cells",
                             hi <= 1 ? "want numbers 0..1 or null" : "want numbers >= 0 or null");
    }
    return 0;
}

static int parse_grid(struct jr *j, const cJSON *o, struct case_record *r) {
    int64_t rows, cols, M, N;
    j->ctx = "grid";
    const cJSON *sp = item(o, "space");
    int space = ERRGRID_OUTPUT;
    if (sp && !cJSON_IsNull(sp)) {
        if (!cJSON_IsString(sp) ||
            (strcmp(sp->valuestring, "output") && strcmp(sp->valuestring, "weights")))
            return bad_field(j, "space", "want \"output\" or \"weights\"");
        space = !strcmp(sp->valuestring, "weights") ? ERRGRID_WEIGHTS : ERRGRID_OUTPUT;
    }
    /* an output grid covers [m][n]; a weight grid [groups][n], groups <= k */
    const int64_t mlo = space == ERRGRID_WEIGHTS ? 1 : r->d.m;
    const int64_t mhi = space == ERRGRID_WEIGHTS ? r->d.k : r->d.m;
    if (get_int(j, o, "rows", 1, 1, ERRGRID_MAX_ROWS, &rows) ||
        get_int(j, o, "cols", 1, 1, ERRGRID_MAX_COLS, &cols) ||
        get_int(j, o, "m", 1, mlo, mhi, &M) || get_int(j, o, "n", 1, r->d.n, r->d.n, &N))
        return -1;
    r->grid = errgrid_new((int)rows, (int)cols, M, N);
    if (!r->grid) return bad_field(j, "cells", "rows/cols larger than m/n (or out of memory)");
    r->grid->space = space;
    return parse_cells(j, o, (size_t)(rows * cols), INFINITY, r->grid->cells);
}

/* The probe map covers the case's k x n weights; its size follows from them. */
static int parse_probe(struct jr *j, const cJSON *o, struct case_record *r) {
    int64_t rows, cols, K, N, probed;
    j->ctx = "probe";
    if (get_int(j, o, "rows", 1, 1, PROBEMAP_MAX_ROWS, &rows) ||
        get_int(j, o, "cols", 1, 1, PROBEMAP_MAX_COLS, &cols) ||
        get_int(j, o, "k", 1, r->d.k, r->d.k, &K) || get_int(j, o, "n", 1, r->d.n, r->d.n, &N) ||
        get_int(j, o, "probed", 1, 1, K, &probed))
        return -1;
    r->probe = probemap_new(K, N, probed);
    if (!r->probe) return bad_field(j, "cells", "out of memory");
    const cJSON *lay = item(o, "layout");
    const char *want = r->probe->folded ? "slots" : "rows";
    if (!cJSON_IsString(lay) || strcmp(lay->valuestring, want) != 0)
        return bad_field(j, "layout",
                         r->probe->folded ? "want \"slots\" (k > 64)" : "want \"rows\" (k <= 64)");
    if (rows != r->probe->rows || cols != r->probe->cols)
        return bad_field(j, "rows", "rows/cols do not match k and n");
    return parse_cells(j, o, (size_t)(rows * cols), 1.0, r->probe->cells);
}

static int parse_sweep(struct jr *j, const cJSON *root, struct sweep_id *s) {
    const cJSON *o = item(root, "sweep");
    j->ctx = NULL;
    if (!cJSON_IsObject(o)) return bad_field(j, "sweep", "want an object {cases, hash}");
    j->ctx = "sweep";
    if (get_int(j, o, "cases", 1, 1, RESULTS_MAX_RECORDS, &s->cases)) return -1;
    const cJSON *h = item(o, "hash");
    char *end = NULL;
    if (!cJSON_IsString(h) || strlen(h->valuestring) != 16 ||
        (s->hash = strtoull(h->valuestring, &end, 16), *end != 0))
        return bad_field(j, "hash", "want 16 hex digits");
    return 0;
}

static int parse_core(struct jr *j, const cJSON *root, struct record_list *l,
                      struct case_record *r) {
    struct sweep_id sw;
    if (parse_sweep(j, root, &sw) != 0) return -1;
    j->ctx = NULL;
    if (get_int(j, root, "index", 1, 0, sw.cases - 1, &r->index) != 0) return -1;
    const cJSON *desc = item(root, "desc"), *ver = item(root, "verdict");
    if (!cJSON_IsString(desc)) return bad_field(j, "desc", "want a descriptor string");
    char derr[512];
    if (desc_parse(desc->valuestring, &r->d, derr, sizeof derr) != 0)
        return bad_field(j, "desc", derr);
    desc_print(&r->d, r->desc, sizeof r->desc);
    if (!cJSON_IsString(ver) || verdict_parse(ver->valuestring, &r->verdict) != 0)
        return bad_field(j, "verdict", "want PASSED, FAILED, MISTRUSTED, SKIPPED or ERROR");
    if (get_text(j, root, "reason", &r->reason) || get_text(j, root, "where", &r->where) ||
        get_text(j, root, "diagnosis", &r->diagnosis) || get_text(j, root, "repro", &r->repro) ||
        get_text(j, root, "log", &r->log))
        return -1;
    return record_list_sweep(l, sw, j->err, j->errlen);
}

static int parse_record(struct jr *j, const cJSON *root, struct record_list *l,
                        struct case_record *r) {
    const cJSON *met, *tim, *grid, *probe;
    struct run_env env;
    if (parse_core(j, root, l, r) != 0) return -1;
    j->ctx = NULL;
    if (get_obj(j, root, "metrics", &met) != 0 || (met && parse_metrics(j, met, r) != 0)) return -1;
    j->ctx = NULL;
    if (get_obj(j, root, "time", &tim) != 0 || (tim && parse_times(j, tim, &r->d, &r->t) != 0))
        return -1;
    if (parse_env(j, root, &env) != 0) return -1;
    j->ctx = NULL;
    if (get_obj(j, root, "grid", &grid) != 0 || (grid && parse_grid(j, grid, r) != 0)) return -1;
    j->ctx = NULL;
    if (get_obj(j, root, "probe", &probe) != 0 || (probe && parse_probe(j, probe, r) != 0))
        return -1;
    if (record_list_env(l, &env, &r->env) != 0) {
        snprintf(j->err, j->errlen, "more than %d different environments", RECORD_ENV_MAX);
        return -1;
    }
    return 0;
}

int results_parse_line(const char *text, size_t len, struct record_list *l, struct case_record *r,
                       char *err, size_t errlen) {
    record_init(r);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        snprintf(err, errlen, "not valid JSON");
        return -1;
    }
    while (end && (size_t)(end - text) < len && *end && strchr(" \t\r\n", *end))
        end++;
    struct jr j = {err, errlen, NULL};
    int rc = -1;
    if (!end || (size_t)(end - text) != len || !cJSON_IsObject(root))
        snprintf(err, errlen, "want exactly one JSON object on the line");
    else
        rc = parse_record(&j, root, l, r);
    cJSON_Delete(root);
    if (rc != 0) record_free(r);
    return rc;
}

/* ---- reading a file ------------------------------------------------------- */

/* Reads one line (without its newline) into *buf. Returns 1 with *eol set
 * when it ended in a newline, 0 at the end of the file, -1 when too long. */
static int read_line(FILE *f, char **buf, size_t *cap, size_t *len, int *eol) {
    *len = 0;
    *eol = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (c == '\n') {
            *eol = 1;
            break;
        }
        if (*len + 1 >= *cap) {
            if (*cap >= RESULTS_MAX_LINE) return -1;
            size_t ncap = *cap ? 2 * *cap : 4096;
            char *nb = realloc(*buf, ncap);
            if (!nb) return -1;
            *buf = nb;
            *cap = ncap;
        }
        (*buf)[(*len)++] = (char)c;
    }
    if (*buf) (*buf)[*len] = 0;
    return (*len > 0 || *eol) ? 1 : 0;
}

static int blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(" \t\r", s[i])) return 0;
    return 1;
}

/* A line that is not one JSON object at all (a torn or spliced write), as
 * opposed to a record with a bad field. */
static int damaged(const char *msg) {
    return strcmp(msg, "not valid JSON") == 0 ||
           strcmp(msg, "want exactly one JSON object on the line") == 0;
}

int results_read_file(const char *path, struct record_list *l, struct results_read_info *info,
                      char *err, size_t errlen) {
    struct results_read_info dummy;
    if (!info) info = &dummy;
    memset(info, 0, sizeof *info);
    FILE *f = fopen_regular(path, err, errlen); /* a FIFO would block */
    if (!f) return -1;
    char *buf = NULL, msg[512];
    size_t cap = 0, len;
    int eol, rc = 0, got;
    long lineno = 0;
    while (rc == 0 && (got = read_line(f, &buf, &cap, &len, &eol)) != 0) {
        lineno++;
        if (got < 0) {
            snprintf(err, errlen, "%s:%ld: line longer than %zu bytes (or out of memory)", path,
                     lineno, RESULTS_MAX_LINE);
            rc = -1;
        } else if (!blank(buf, len)) {
            struct case_record r;
            if (l->n >= RESULTS_MAX_RECORDS) {
                snprintf(err, errlen, "%s:%ld: more than %d records", path, lineno,
                         RESULTS_MAX_RECORDS);
                rc = -1;
            } else if (results_parse_line(buf, len, l, &r, msg, sizeof msg) == 0) {
                if (record_list_push(l, &r) != 0) {
                    record_free(&r);
                    snprintf(err, errlen, "%s:%ld: out of memory", path, lineno);
                    rc = -1;
                }
                info->records++;
            } else if (!eol) {
                info->tail_ignored = 1; /* cut off by a killed run */
            } else if (damaged(msg)) {  /* a torn write: skipped, the caller warns */
                if (!info->damaged++) info->first_damaged = lineno;
            } else {
                snprintf(err, errlen, "%s:%ld: %s", path, lineno, msg);
                rc = -1;
            }
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        rc = -1;
    }
    free(buf);
    fclose(f);
    return rc;
}

void results_read_warn(FILE *f, const char *who, const char *path,
                       const struct results_read_info *info) {
    if (info->tail_ignored)
        fprintf(f, "%s: %s: last line cut off (killed run?), skipped\n", who, path);
    if (info->damaged)
        fprintf(f,
                "%s: warning: %s: %zu damaged line(s) (not JSON: a torn write?) skipped, the "
                "first is line %ld\n",
                who, path, info->damaged, info->first_damaged);
}

/* ---- the stream writer ---------------------------------------------------- */

/* Plain file descriptor I/O, no stdio buffer: after a failed write nothing
 * of that line may linger in a buffer to be flushed later (a disk that fills
 * up and then frees space would otherwise splice half a record onto the
 * next one). */
struct results_writer {
    int fd;
    off_t good; /* the end of the last complete line */
    int broken; /* a write failed: the file was cut back to good and stays so */
    char path[4096];
};

struct results_writer *results_writer_open(const char *path, char *err, size_t errlen) {
    struct results_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(w->path, sizeof w->path, "%s", path);
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(w);
        return NULL;
    }
    struct stat st;
    if (fstat(w->fd, &st) != 0 || !S_ISREG(st.st_mode)) w->good = -1; /* a pipe, /dev/null... */
    return w;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int results_writer_add(struct results_writer *w, const char *line, char *err, size_t errlen) {
    if (w->broken) {
        snprintf(err, errlen, "%s: not written (an earlier write failed)", w->path);
        return -1;
    }
    size_t n = strlen(line);
    char *buf = malloc(n + 1);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(buf, line, n);
    buf[n] = '\n';
    int rc = write_all(w->fd, buf, n + 1);
    int e = errno;
    free(buf);
    /* fsync is not possible on pipes and some special files: that is fine */
    if (rc == 0 && fsync(w->fd) != 0 && errno != EINVAL && errno != EROFS) {
        rc = -1;
        e = errno;
    }
    if (rc != 0) {
        w->broken = 1;
        int cut = w->good >= 0 && ftruncate(w->fd, w->good) == 0 &&
                  lseek(w->fd, w->good, SEEK_SET) == w->good;
        snprintf(err, errlen, "%s: write failed: %s%s", w->path, strerror(e),
                 cut ? "; cut back to its last complete record" : "");
        return -1;
    }
    if (w->good >= 0) w->good += (off_t)n + 1;
    return 0;
}

int results_writer_close(struct results_writer *w, char *err, size_t errlen) {
    if (!w) return 0;
    int rc = close(w->fd);
    if (rc != 0) snprintf(err, errlen, "%s: close failed: %s", w->path, strerror(errno));
    free(w);
    return rc == 0 ? 0 : -1;
}

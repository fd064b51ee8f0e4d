/* ckpt_decl.c - see ckpt_decl.h. */
#include "formats/ckpt_decl.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/desc.h"
#include "formats/v1zero.h"
#include "util/regfile.h"

#define CONFIG_MAX (1 << 20)

static void set_decl(struct ckpt_decl *d, const char *value, const char *source) {
    snprintf(d->value, sizeof d->value, "%s", value);
    snprintf(d->source, sizeof d->source, "%s", source);
    d->fmt = !strcmp(value, "gptq") ? FMT_GPTQ_V1 : !strcmp(value, "gptq_v2") ? FMT_GPTQ_V2 : -1;
}

/* Appends "; " + the formatted text to note (of size len). */
static void note_add(char *note, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note_add(char *note, size_t len, const char *fmt, ...) {
    size_t used = strlen(note);
    if (used + 3 >= len) return;
    if (used) {
        memcpy(note + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note + used, len - used, fmt, ap);
    va_end(ap);
}

/* Every \u0000 escape inside a JSON string of buf becomes \u2400 (the
 * visible symbol for NUL), in place. A C string ends at a NUL, so
 * "gptq\u0000_v2" would read as "gptq"; Python's json (the loaders) keeps
 * the whole value, which is neither "gptq" nor "gptq_v2", and so it is here,
 * and said as such where it matters. */
static void nul_escapes_visible(char *buf, size_t n) {
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in_str) {
            in_str = buf[i] == '"';
        } else if (buf[i] == '"') {
            in_str = 0;
        } else if (buf[i] == '\\' && i + 1 < n) {
            if (buf[i + 1] == 'u' && i + 5 < n && memcmp(buf + i + 2, "0000", 4) == 0) {
                memcpy(buf + i + 2, "2400", 4);
                i += 5;
            } else {
                i++; /* the escaped character */
            }
        }
    }
}

/* Reads a JSON file of at most CONFIG_MAX bytes; NULL when absent or bad
 * (bad: said in note, with the reason). */
static cJSON *read_json(const char *path, struct ckpt_decl *d) {
    if (access(path, F_OK) != 0) return NULL; /* absent: no declaration */
    char whyf[600];
    const char *why = NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = fopen_regular(path, whyf, sizeof whyf);
    if (!f)
        why = whyf;
    else if (!(buf = malloc(CONFIG_MAX + 1)))
        why = "out of memory";
    else if ((n = fread(buf, 1, CONFIG_MAX + 1, f)), ferror(f))
        why = "read error";
    else if (n > CONFIG_MAX)
        why = "larger than 1 MiB";
    if (f) fclose(f);
    cJSON *j = NULL;
    if (!why) {
        buf[n] = '\0';
        nul_escapes_visible(buf, n);
        j = cJSON_ParseWithLength(buf, n);
        why = !j ? "not valid JSON" : !cJSON_IsObject(j) ? "not a JSON object" : NULL;
    }
    free(buf);
    if (why) {
        if (why == whyf) /* fopen_regular's text names the path */
            note_add(d->note, sizeof d->note, "not read: %s", why);
        else
            note_add(d->note, sizeof d->note, "%s: not read (%s)", path, why);
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static const cJSON *item(const cJSON *o, const char *key) {
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* A string-valued declaration: checkpoint_format, else (in a GPTQ config:
 * neither compressed-tensors' config_groups nor quant_method awq) format. */
static const cJSON *declared_format(const cJSON *obj) {
    const cJSON *v = item(obj, "checkpoint_format");
    if (cJSON_IsString(v)) return v;
    const cJSON *qm = item(obj, "quant_method");
    int gptq = !item(obj, "config_groups") &&
               !(cJSON_IsString(qm) && qm->valuestring && strcmp(qm->valuestring, "gptq"));
    v = gptq ? item(obj, "format") : NULL;
    return cJSON_IsString(v) ? v : NULL;
}

/* A declaration in the config file name next to path, at key (inside
 * section when section is set). Returns 1 when found. */
static int from_config(const char *path, const char *name, const char *section,
                       struct ckpt_decl *d) {
    char cfg[4200];
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) : 1;
    snprintf(cfg, sizeof cfg, "%.*s/%s", dirlen, slash ? path : ".", name);
    struct ckpt_decl scratch; /* read_qcfg already noted a file that cannot be read */
    memset(&scratch, 0, sizeof scratch);
    cJSON *j = read_json(cfg, &scratch);
    if (!j) return 0;
    const cJSON *obj = section ? cJSON_GetObjectItemCaseSensitive(j, section) : j;
    const cJSON *v = declared_format(obj);
    int found = v && v->valuestring;
    if (found) {
        char src[4400];
        snprintf(src, sizeof src, "%s%s%s%s", cfg, section ? " " : "", section ? section : "",
                 item(obj, "checkpoint_format") == v ? "" : " (as \"format\")");
        set_decl(d, v->valuestring, src);
    }
    cJSON_Delete(j);
    return found;
}

/* Reading one config object: where its complaints go. */
struct cfg_read {
    const char *path; /* the file, for the note */
    struct ckpt_decl *d;
};

static void cfg_bad(const struct cfg_read *c, const char *key, const char *want) {
    note_add(c->d->note, sizeof c->d->note, "%s: \"%s\" is not %s: ignored", c->path, key, want);
}

/* A whole number in lo..hi at key into *out (when *out is still unset). */
static void take_long(const struct cfg_read *c, const cJSON *o, const char *key, long lo, long hi,
                      long *out, long unset) {
    const cJSON *v = item(o, key);
    if (!v || cJSON_IsNull(v)) return;
    double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(x >= (double)lo && x <= (double)hi) || x != floor(x)) {
        char want[80];
        snprintf(want, sizeof want, "a whole number in %ld..%ld", lo, hi);
        cfg_bad(c, key, want);
        return;
    }
    if (*out == unset) *out = (long)x;
}

static void take_int(const struct cfg_read *c, const cJSON *o, const char *key, int *out) {
    long v = *out;
    take_long(c, o, key, 1, 64, &v, -1);
    *out = (int)v;
}

static void take_bool(const struct cfg_read *c, const cJSON *o, const char *key, int invert,
                      int *out) {
    const cJSON *v = item(o, key);
    if (!v || cJSON_IsNull(v)) return;
    if (!cJSON_IsBool(v))
        cfg_bad(c, key, "true or false");
    else if (*out == -1)
        *out = cJSON_IsTrue(v) ? !invert : invert;
}

static void take_str(const struct cfg_read *c, const cJSON *o, const char *key, char *out,
                     size_t len) {
    const cJSON *v = item(o, key);
    if (!v || cJSON_IsNull(v)) return;
    if (!cJSON_IsString(v) || !v->valuestring)
        cfg_bad(c, key, "a string");
    else if (!out[0])
        snprintf(out, len, "%s", v->valuestring);
}

/* group_size (or key) of o: -1 (per channel) or 1..2^24. */
static void take_group(const struct cfg_read *c, const cJSON *o, const char *key,
                       struct ckpt_qcfg *q) {
    long gs = LONG_MIN;
    take_long(c, o, key, -1, 1L << 24, &gs, LONG_MIN);
    if (gs == 0) cfg_bad(c, key, "-1 or a positive group size");
    if (gs == LONG_MIN || gs == 0 || q->has_group) return;
    q->group_size = gs;
    q->has_group = 1;
}

/* meta.quantizer: one "name:version" string, or a list of them (the first
 * naming gptqmodel, else the first). */
static void take_writer(const cJSON *o, struct ckpt_qcfg *q) {
    const cJSON *quantizer = item(item(o, "meta"), "quantizer"), *pick = NULL;
    if (cJSON_IsString(quantizer)) pick = quantizer;
    const cJSON *list = cJSON_IsArray(quantizer) ? quantizer : NULL, *e;
    cJSON_ArrayForEach(e, list) {
        if (!cJSON_IsString(e) || !e->valuestring) continue;
        if (!pick || (!strncmp(e->valuestring, "gptqmodel", 9) &&
                      strncmp(pick->valuestring, "gptqmodel", 9)))
            pick = e;
    }
    if (pick && pick->valuestring && !q->writer[0])
        snprintf(q->writer, sizeof q->writer, "%s", pick->valuestring);
}

/* AWQ's layout (version, else GPTQModel's format), lower case. */
static void take_awq_layout(const struct cfg_read *c, const cJSON *o, struct ckpt_qcfg *q) {
    if (strcmp(q->quant_method, "awq")) return;
    take_str(c, o, "version", q->awq_layout, sizeof q->awq_layout);
    take_str(c, o, "format", q->awq_layout, sizeof q->awq_layout);
    for (char *p = q->awq_layout; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

/* The quantization settings of object o (quantize_config.json itself, or
 * config.json's quantization_config). Returns 1 when o states any. */
static int take_qcfg(const struct cfg_read *c, const cJSON *o, struct ckpt_qcfg *q) {
    if (!cJSON_IsObject(o)) return 0;
    const cJSON *groups = item(o, "config_groups"); /* compressed-tensors */
    const cJSON *w =
        cJSON_IsObject(groups) && groups->child ? item(groups->child, "weights") : NULL;
    take_str(c, o, "quant_method", q->quant_method, sizeof q->quant_method);
    take_str(c, o, "checkpoint_format", q->ckpt_format, sizeof q->ckpt_format);
    if (w) {
        take_str(c, o, "format", q->ckpt_format, sizeof q->ckpt_format);
        take_int(c, w, "num_bits", &q->bits);
        take_bool(c, w, "symmetric", 0, &q->sym);
        const cJSON *st = item(w, "strategy"), *ao = item(w, "actorder");
        if (cJSON_IsString(st) && !strcmp(st->valuestring, "channel")) {
            q->group_size = -1;
            q->has_group = 1;
        } else {
            take_group(c, w, "group_size", q);
        }
        if (q->desc_act == -1)
            q->desc_act = cJSON_IsString(ao) && !strcmp(ao->valuestring, "group");
    } else {
        if (strcmp(q->quant_method, "awq"))
            take_str(c, o, "format", q->ckpt_format, sizeof q->ckpt_format);
        take_int(c, o, "bits", &q->bits);
        take_int(c, o, "w_bit", &q->bits);
        take_group(c, o, item(o, "group_size") ? "group_size" : "q_group_size", q);
        take_bool(c, o, "desc_act", 0, &q->desc_act);
        take_bool(c, o, "sym", 0, &q->sym);
        take_bool(c, o, "zero_point", 1, &q->sym); /* AWQ: zero_point = asymmetric */
        int marlin = -1;
        take_bool(c, o, "is_marlin_format", 0, &marlin);
        q->marlin = q->marlin || marlin == 1;
        take_awq_layout(c, o, q);
    }
    take_writer(o, q);
    return q->bits != -1 || q->has_group || q->quant_method[0] || q->ckpt_format[0];
}

/* The settings from quantize_config.json, else config.json, next to path. */
static void read_qcfg(const char *path, struct ckpt_decl *d) {
    const char *names[2] = {"quantize_config.json", "config.json"};
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) : 1;
    for (int i = 0; i < 2; i++) {
        char cfg[4200];
        snprintf(cfg, sizeof cfg, "%.*s/%s", dirlen, slash ? path : ".", names[i]);
        cJSON *j = read_json(cfg, d); /* the one place a bad config is noted */
        if (!j) continue;
        const cJSON *o = i == 0 ? j : item(j, "quantization_config");
        const struct cfg_read c = {cfg, d};
        int got = take_qcfg(&c, o, &d->q);
        cJSON_Delete(j);
        if (got) {
            snprintf(d->q.source, sizeof d->q.source, "%.500s%s", cfg,
                     i ? " quantization_config" : "");
            return;
        }
    }
}

static void find_writer(const struct st_file *st, struct ckpt_decl *d) {
    const char *ag = st_meta_get(st, "auto_gptq_version");
    if (!d->q.writer[0] && ag) snprintf(d->q.writer, sizeof d->q.writer, "auto_gptq %s", ag);
    if (!strncmp(d->q.writer, "gptqmodel", 9) || !strncmp(d->q.writer, "autogptq", 8))
        d->q.writer_v1read = V1Z_WORD;
    else if (!strncmp(d->q.writer, "auto_gptq", 9))
        d->q.writer_v1read = V1Z_NIBBLE;
}

void ckpt_decl_set_v1read(struct ckpt_decl *d, int forced) {
    if (forced >= 0) {
        d->v1read = forced;
        snprintf(d->v1read_why, sizeof d->v1read_why, "--v1-zero");
    } else if (d->q.writer_v1read >= 0) {
        d->v1read = d->q.writer_v1read;
        snprintf(d->v1read_why, sizeof d->v1read_why, "the writer's (%.60s)", d->q.writer);
    } else {
        d->v1read = V1Z_NIBBLE;
        snprintf(d->v1read_why, sizeof d->v1read_why, "the default (no known writer)");
    }
}

void ckpt_declared(const struct st_file *st, const char *path, struct ckpt_decl *d) {
    memset(d, 0, sizeof *d);
    d->fmt = -1;
    d->q.bits = d->q.desc_act = d->q.sym = d->q.writer_v1read = -1;
    read_qcfg(path, d);
    find_writer(st, d);
    ckpt_decl_set_v1read(d, -1);
    const char *v = st_meta_get(st, "checkpoint_format");
    if (v) {
        set_decl(d, v, "__metadata__ checkpoint_format");
        return;
    }
    const char *line = st_meta_get(st, "descriptor");
    struct case_desc desc;
    char err[256];
    if (line && desc_parse(line, &desc, err, sizeof err) == 0 &&
        (desc.fmt == FMT_GPTQ_V1 || desc.fmt == FMT_GPTQ_V2)) {
        set_decl(d, desc.fmt == FMT_GPTQ_V1 ? "gptq" : "gptq_v2", "fixture descriptor");
        return;
    }
    if (from_config(path, "quantize_config.json", NULL, d)) return;
    if (from_config(path, "config.json", "quantization_config", d)) return;
    if (!strcmp(d->q.quant_method, "gptq")) { /* loaders read a bare gptq as v1 */
        char src[700];
        snprintf(src, sizeof src, "%.600s (quant_method gptq, no checkpoint_format)", d->q.source);
        set_decl(d, "gptq", src);
    }
}

const char *ckpt_decl_text(const struct ckpt_decl *d, char *buf, size_t len) {
    if (!d->value[0])
        snprintf(buf, len, "nothing (loaders assume gptq, v1)");
    else
        snprintf(buf, len, "%s (%s)", d->value,
                 d->fmt == FMT_GPTQ_V1   ? "v1"
                 : d->fmt == FMT_GPTQ_V2 ? "v2"
                                         : "not a GPTQ convention");
    return buf;
}

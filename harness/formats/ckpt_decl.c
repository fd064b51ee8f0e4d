/* ckpt_decl.c - see ckpt_decl.h. */
#include "formats/ckpt_decl.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/desc.h"
#include "formats/v1zero.h"
#include "util/regfile.h"

#define CONFIG_MAX (1 << 20)

static void set_decl(struct ckpt_decl *d, const char *value, const char *source) {
    snprintf(d->value, sizeof d->value, "%s", value);
    snprintf(d->source, sizeof d->source, "%s", source);
    d->fmt = !strcmp(value, "gptq") ? FMT_GPTQ_V1 : !strcmp(value, "gptq_v2") ? FMT_GPTQ_V2 : -1;
}

/* Reads a JSON file of at most CONFIG_MAX bytes; NULL when absent or bad
 * (bad: said in note). */
static cJSON *read_json(const char *path, struct ckpt_decl *d) {
    FILE *f = fopen_regular(path, NULL, 0); /* absent, or not a file: no declaration */
    if (!f) return NULL;
    char *buf = malloc(CONFIG_MAX + 1);
    size_t n = buf ? fread(buf, 1, CONFIG_MAX + 1, f) : 0;
    int bad = !buf || ferror(f) || n > CONFIG_MAX;
    fclose(f);
    cJSON *j = NULL;
    if (!bad) {
        buf[n] = '\0';
        j = cJSON_Parse(buf);
    }
    free(buf);
    if (!j || !cJSON_IsObject(j)) {
        size_t used = strlen(d->note);
        snprintf(d->note + used, sizeof d->note - used,
                 "%s%s: not read (unreadable, over 1 MiB "
                 "or not a JSON object)",
                 used ? "; " : "", path);
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* A declaration in the config file name next to path, at key (inside
 * section when section is set). Returns 1 when found. */
static int from_config(const char *path, const char *name, const char *section,
                       struct ckpt_decl *d) {
    char cfg[4200];
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) : 1;
    snprintf(cfg, sizeof cfg, "%.*s/%s", dirlen, slash ? path : ".", name);
    cJSON *j = read_json(cfg, d);
    if (!j) return 0;
    const cJSON *obj = section ? cJSON_GetObjectItemCaseSensitive(j, section) : j;
    const cJSON *v =
        cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, "checkpoint_format") : NULL;
    int found = cJSON_IsString(v) && v->valuestring;
    if (found) {
        char src[4400];
        snprintf(src, sizeof src, "%s%s%s", cfg, section ? " " : "", section ? section : "");
        set_decl(d, v->valuestring, src);
    }
    cJSON_Delete(j);
    return found;
}

static const cJSON *item(const cJSON *o, const char *key) {
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static void take_int(const cJSON *o, const char *key, int *out) {
    const cJSON *v = item(o, key);
    if (cJSON_IsNumber(v) && v->valuedouble >= -1 && v->valuedouble <= 1 << 20 && *out == -1)
        *out = (int)v->valuedouble;
}

static void take_bool(const cJSON *o, const char *key, int invert, int *out) {
    const cJSON *v = item(o, key);
    if (cJSON_IsBool(v) && *out == -1) *out = cJSON_IsTrue(v) ? !invert : invert;
}

static void take_str(const cJSON *o, const char *key, char *out, size_t len) {
    const cJSON *v = item(o, key);
    if (cJSON_IsString(v) && v->valuestring && !out[0]) snprintf(out, len, "%s", v->valuestring);
}

/* The quantization settings of object o (quantize_config.json itself, or
 * config.json's quantization_config). Returns 1 when o states any. */
static int take_qcfg(const cJSON *o, struct ckpt_qcfg *q) {
    if (!cJSON_IsObject(o)) return 0;
    const cJSON *groups = item(o, "config_groups"); /* compressed-tensors */
    const cJSON *w =
        cJSON_IsObject(groups) && groups->child ? item(groups->child, "weights") : NULL;
    take_str(o, "quant_method", q->quant_method, sizeof q->quant_method);
    take_str(o, "checkpoint_format", q->ckpt_format, sizeof q->ckpt_format);
    if (w) {
        take_str(o, "format", q->ckpt_format, sizeof q->ckpt_format);
        take_int(w, "num_bits", &q->bits);
        take_bool(w, "symmetric", 0, &q->sym);
        const cJSON *st = item(w, "strategy"), *gs = item(w, "group_size"),
                    *ao = item(w, "actorder");
        if (cJSON_IsString(st) && !strcmp(st->valuestring, "channel")) {
            q->group_size = -1;
            q->has_group = 1;
        } else if (cJSON_IsNumber(gs)) {
            q->group_size = (long)gs->valuedouble;
            q->has_group = 1;
        }
        if (q->desc_act == -1)
            q->desc_act = cJSON_IsString(ao) && !strcmp(ao->valuestring, "group");
    } else {
        take_int(o, "bits", &q->bits);
        take_int(o, "w_bit", &q->bits);
        const cJSON *gs = item(o, "group_size");
        if (!cJSON_IsNumber(gs)) gs = item(o, "q_group_size");
        if (cJSON_IsNumber(gs) && !q->has_group) {
            q->group_size = (long)gs->valuedouble;
            q->has_group = 1;
        }
        take_bool(o, "desc_act", 0, &q->desc_act);
        take_bool(o, "sym", 0, &q->sym);
        take_bool(o, "zero_point", 1, &q->sym); /* AWQ: zero_point = asymmetric */
    }
    const cJSON *quantizer = item(item(o, "meta"), "quantizer");
    const cJSON *first = cJSON_IsArray(quantizer) ? cJSON_GetArrayItem(quantizer, 0) : NULL;
    if (cJSON_IsString(first) && !q->writer[0])
        snprintf(q->writer, sizeof q->writer, "%s", first->valuestring);
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
        FILE *f = fopen(cfg, "rb");
        if (!f) continue;
        fclose(f);
        struct ckpt_decl scratch; /* read_json's complaints are already in d->note */
        memset(&scratch, 0, sizeof scratch);
        cJSON *j = read_json(cfg, &scratch);
        if (!j) continue;
        const cJSON *o = i == 0 ? j : item(j, "quantization_config");
        int got = take_qcfg(o, &d->q);
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
    if (!strncmp(d->q.writer, "gptqmodel", 9))
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

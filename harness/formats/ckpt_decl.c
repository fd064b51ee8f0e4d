/* ckpt_decl.c - see ckpt_decl.h. */
#include "formats/ckpt_decl.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/desc.h"
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

void ckpt_declared(const struct st_file *st, const char *path, struct ckpt_decl *d) {
    memset(d, 0, sizeof *d);
    d->fmt = -1;
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
    from_config(path, "config.json", "quantization_config", d);
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

/* ckpt_index.c - the index of a sharded checkpoint (see ckpt_index.h). */
#include "formats/ckpt_index.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/regfile.h"

/* The whole file (less than CKPT_INDEX_MAX_BYTES) as a string when it
 * starts like a JSON object, else NULL. */
static char *read_json_text(const char *path) {
    FILE *f = fopen_regular(path, NULL, 0);
    if (!f) return NULL;
    int c;
    while ((c = getc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t')
        ;
    char *text = NULL;
    if (c == '{' && (text = malloc((size_t)CKPT_INDEX_MAX_BYTES)) != NULL) {
        text[0] = '{';
        size_t n = 1 + fread(text + 1, 1, (size_t)CKPT_INDEX_MAX_BYTES - 1, f);
        if (n == (size_t)CKPT_INDEX_MAX_BYTES || ferror(f)) {
            free(text);
            text = NULL;
        } else {
            text[n] = '\0';
        }
    }
    if (fclose(f) != 0 && text) {
        free(text);
        text = NULL;
    }
    return text;
}

static int seen(const struct ckpt_index *ix, const char *shard) {
    for (size_t i = 0; i < ix->n_shards; i++)
        if (!strcmp(ix->shards[i], shard)) return 1;
    return 0;
}

/* The distinct shard names of weight_map; -1 when an entry is no string. */
static int collect_shards(struct ckpt_index *ix) {
    const cJSON *map = ix->map;
    for (const cJSON *e = map->child; e; e = e->next)
        ix->tensors++;
    ix->shards = calloc(ix->tensors ? ix->tensors : 1, sizeof *ix->shards);
    if (!ix->shards) return -1;
    for (const cJSON *e = map->child; e; e = e->next) {
        if (!cJSON_IsString(e) || !e->valuestring || !e->string) return -1;
        if (!seen(ix, e->valuestring)) ix->shards[ix->n_shards++] = e->valuestring;
    }
    return 0;
}

ckpt_json_t ckpt_index_read(const char *path, struct ckpt_index *ix) {
    memset(ix, 0, sizeof *ix);
    char *text = read_json_text(path);
    if (!text) return CKPT_NOT_JSON;
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsObject(root)) { /* e.g. a safetensors file whose first byte is '{' */
        cJSON_Delete(root);
        return CKPT_NOT_JSON;
    }
    ix->root = root;
    ix->map = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!cJSON_IsObject(ix->map) || collect_shards(ix) != 0) {
        ckpt_index_free(ix);
        return CKPT_OTHER_JSON;
    }
    return CKPT_INDEX;
}

void ckpt_index_free(struct ckpt_index *ix) {
    cJSON_Delete(ix->root);
    free(ix->shards);
    memset(ix, 0, sizeof *ix);
}

int ckpt_index_beside(const char *shard_path, struct ckpt_index *ix) {
    char path[4200];
    const char *slash = strrchr(shard_path, '/');
    const int dlen = slash ? (int)(slash - shard_path + 1) : 0;
    int n = snprintf(path, sizeof path, "%.*s%s", dlen, shard_path, CKPT_INDEX_NAME);
    if (n < 0 || (size_t)n >= sizeof path) return -1;
    if (ckpt_index_read(path, ix) == CKPT_INDEX) return 0;
    ckpt_index_free(ix);
    return -1;
}

const char *ckpt_index_shard_of(const struct ckpt_index *ix, const char *tensor) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ix->map, tensor);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The file name of a path (after its last '/'). */
static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

size_t ckpt_index_elsewhere(const struct ckpt_index *ix, const char *layer, const char *shard_path,
                            char *names, size_t len, const char **shard) {
    const cJSON *map = ix->map;
    const size_t ln = strlen(layer);
    size_t count = 0, used = 0;
    *shard = NULL;
    names[0] = '\0';
    for (const cJSON *e = map->child; e; e = e->next) {
        if (strncmp(e->string, layer, ln) != 0 || e->string[ln] != '.' ||
            !strcmp(e->valuestring, base_name(shard_path)))
            continue;
        if (!*shard) *shard = e->valuestring;
        int w = snprintf(names + used, len - used, "%s%s", count ? ", " : "", e->string + ln + 1);
        used = w < 0 || (size_t)w >= len - used ? len - 1 : used + (size_t)w;
        count++;
    }
    return count;
}

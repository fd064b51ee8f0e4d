/* ckpt_index.h - the index of a sharded checkpoint
 * (model.safetensors.index.json, as Hugging Face writes it): a JSON object
 * whose "weight_map" names, for every tensor, the shard file holding it.
 * inspect reads one safetensors file; given the index it says what it is and
 * which shards to inspect, and next to a shard it says where a layer's
 * missing tensors are. */
#ifndef GH_CKPT_INDEX_H
#define GH_CKPT_INDEX_H

#include <stddef.h>

#define CKPT_INDEX_NAME "model.safetensors.index.json"
#define CKPT_INDEX_MAX_BYTES (16L << 20) /* a larger file is not taken for an index */

struct ckpt_index {
    void *root;          /* the parsed JSON (cJSON) */
    const void *map;     /* its "weight_map" object */
    size_t tensors;      /* entries of weight_map */
    const char **shards; /* the distinct shard names, in first-seen order */
    size_t n_shards;
};

typedef enum { CKPT_NOT_JSON = 0, CKPT_INDEX, CKPT_OTHER_JSON } ckpt_json_t;

/* Reads path when it is a JSON object (under CKPT_INDEX_MAX_BYTES).
 * Returns CKPT_NOT_JSON (not one: a safetensors file, say; nothing held),
 * CKPT_OTHER_JSON (a JSON object without a weight_map of strings; nothing
 * held) or CKPT_INDEX (ix filled; ckpt_index_free releases it). */
ckpt_json_t ckpt_index_read(const char *path, struct ckpt_index *ix);
void ckpt_index_free(struct ckpt_index *ix);

/* The index in the directory of shard_path, when there is one: 0 (ix
 * filled), else -1. */
int ckpt_index_beside(const char *shard_path, struct ckpt_index *ix);

/* The shard that the index places tensor in, or NULL. */
const char *ckpt_index_shard_of(const struct ckpt_index *ix, const char *tensor);

/* The tensors "<layer>.X" that the index places in another file than
 * shard_path's: how many, their X joined by ", " in names (cut to len), and
 * the first one's shard in *shard (NULL when none). */
size_t ckpt_index_elsewhere(const struct ckpt_index *ix, const char *layer, const char *shard_path,
                            char *names, size_t len, const char **shard);

#endif

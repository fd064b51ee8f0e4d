/* ckpt_decl.h - which GPTQ zero convention a checkpoint declares.
 *
 * GPTQ checkpoints come in two zero-point conventions (docs/formats.md): v1 stores
 * Z - 1 (symmetric zeros 7), v2 stores Z (symmetric zeros 8). Loaders decide
 * by a declaration, "checkpoint_format": "gptq" (v1) or "gptq_v2" (v2), and
 * assume v1 when there is none. It is looked up, first found wins, in:
 *   1. the file's __metadata__ "checkpoint_format";
 *   2. the descriptor in a fixture's __metadata__ (fmt=gptq-v1 / gptq-v2);
 *   3. quantize_config.json next to the file (top-level "checkpoint_format",
 *      as GPTQModel writes it);
 *   4. config.json next to the file ("quantization_config" ->
 *      "checkpoint_format", as in a Hugging Face model directory).
 * Config files are read up to 1 MiB; one that cannot be read or parsed is
 * passed over (and said so in the note). */
#ifndef GH_CKPT_DECL_H
#define GH_CKPT_DECL_H

#include "formats/safetensors.h"

struct ckpt_decl {
    int fmt;          /* FMT_GPTQ_V1 or FMT_GPTQ_V2; -1: none declared, or not a GPTQ value */
    char value[64];   /* the declared string, "" when none */
    char source[600]; /* where it was found, "" when none */
    char note[600];   /* config files passed over, "" when none */
};

/* Fills d for the file at path, opened as st. Never fails: the absence of a
 * declaration is a result. */
void ckpt_declared(const struct st_file *st, const char *path, struct ckpt_decl *d);

/* "gptq (v1)", "gptq_v2 (v2)", or "nothing (loaders assume gptq, v1)". */
const char *ckpt_decl_text(const struct ckpt_decl *d, char *buf, size_t len);

#endif

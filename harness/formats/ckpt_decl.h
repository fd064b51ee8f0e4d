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
 * "format" is read as a synonym of "checkpoint_format" in a GPTQ config
 * (AutoGPTQ 0.8 wrote the declaration under that key; GPTQModel reads both).
 * Config files are read up to 1 MiB; one that cannot be read or parsed is
 * passed over, and the note says which file and why; so is a setting of the
 * wrong JSON type or out of range (a group_size of 1e300 or 32.5). The same
 * files' quantization settings (bits, group_size, desc_act, sym,
 * checkpoint_format, quant_method, AWQ's layout, Marlin repacking) fill q;
 * ckpt_scan prefers them to shape inference and says where the tensors
 * disagree. */
#ifndef GH_CKPT_DECL_H
#define GH_CKPT_DECL_H

#include "formats/safetensors.h"

/* The quantization settings a config file states (quantize_config.json first,
 * else config.json's quantization_config; compressed-tensors' config_groups ->
 * the first group's weights). -1 / "" where it says nothing. */
struct ckpt_qcfg {
    char source[600];      /* the file read, "" when none */
    int bits;              /* bits, w_bit or num_bits */
    long group_size;       /* group_size or q_group_size; -1 also for strategy "channel" */
    int has_group;         /* group_size was stated */
    int desc_act;          /* desc_act (GPTQ) or actorder "group" (compressed-tensors) */
    int sym;               /* sym, symmetric, or !zero_point (AWQ) */
    char quant_method[32]; /* gptq, awq, compressed-tensors */
    char ckpt_format[32];  /* checkpoint_format, else format (GPTQ: AutoGPTQ 0.8's and GPTQModel's
                              synonym; compressed-tensors: its own format) */
    char awq_layout[16];   /* AWQ: version (AutoAWQ, transformers) or format (GPTQModel),
                              lower case: gemm, gemv, gemv_fast, ...; "" unstated */
    int marlin;            /* is_marlin_format: true (AutoGPTQ's Marlin repacking) */
    char writer[64];       /* meta.quantizer (a string or a list; GPTQModel, AutoGPTQ 0.8) or
                              __metadata__ auto_gptq_version */
    int writer_v1read;     /* the writer's own v1 zero reading (v1zero_t), -1 unknown */
};

struct ckpt_decl {
    int fmt;             /* FMT_GPTQ_V1 or FMT_GPTQ_V2; -1: none declared, or not a GPTQ value */
    char value[64];      /* the declared string, "" when none */
    char source[600];    /* where it was found, "" when none */
    char note[600];      /* config files passed over, "" when none */
    struct ckpt_qcfg q;  /* the stated settings (item by item; shape inference is the fallback) */
    int v1read;          /* the v1 zero reading to use: --v1-zero, else the writer's, else nibble */
    char v1read_why[96]; /* "--v1-zero", "the writer's (gptqmodel:7.7.0)", "the default" */
};

/* Fills d for the file at path, opened as st. Never fails: the absence of a
 * declaration is a result. The writer is GPTQModel when the config's
 * meta.quantizer (a list of "name:version" strings, or one such string as
 * older releases wrote) names "gptqmodel", and AutoGPTQ 0.8 when it names
 * "autogptq": both write v1 by a whole-word subtraction from v2 zeros
 * (reading word). It is the older AutoGPTQ when __metadata__ has
 * auto_gptq_version: its packer ORs -1 in and its qlinear_cuda_old reads per
 * nibble (reading nibble). */
void ckpt_declared(const struct st_file *st, const char *path, struct ckpt_decl *d);

/* Sets d->v1read: forced (a v1zero_t) when >= 0, else the writer's reading,
 * else nibble; v1read_why says which. */
void ckpt_decl_set_v1read(struct ckpt_decl *d, int forced);

/* "gptq (v1)", "gptq_v2 (v2)", or "nothing (loaders assume gptq, v1)". */
const char *ckpt_decl_text(const struct ckpt_decl *d, char *buf, size_t len);

#endif

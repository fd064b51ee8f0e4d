/* ckpt_scan.h - the quantized layers of a checkpoint shard (or a fixture) and
 * what each one is, from the safetensors header plus the small tensors
 * (zeros, g_idx, weight_shape); the large ones are not read.
 *
 * Tensors are grouped by prefix: the name up to its last '.', and the part
 * after it names the role ("model.layers.0.mlp.down_proj." + qweight).
 * Roles: qweight qzeros scales g_idx (GPTQ, AWQ), weight_packed weight_scale
 * weight_zero_point weight_g_idx weight_shape (compressed-tensors), bias. A
 * group with a qweight or weight_packed is a layer; every other tensor is
 * "other". A fixture's tensors have no prefix: its layer is named "".
 *
 * Detection (4-bit, int32 words of 8 nibbles):
 *   format   weight_packed: ct. qweight with scales [G][N]: [K/8][N] is GPTQ,
 *            [K][N/8] is AWQ (decided by qweight's second dimension against
 *            scales' N). GPTQ v1 / v2 from the stored symmetric zeros
 *            (0x77777777 / 0x88888888); asymmetric GPTQ zeros cannot tell, so
 *            the declared convention (ckpt_decl.h) names the format.
 *   bits     32 * packed words per column / K where K is known independently
 *            (g_idx length, ct weight_shape); else 4 is assumed.
 *   group    the config's group_size (ckpt_decl.h) where the tensors agree with it
 *            (G = K / group_size; one group and group_size >= K: the config's
 *            value when it divides K, else -1); else K / G (g=-1 when G = 1);
 *            a disagreement is said in cfg_note (as are bits, sym, desc_act).
 *   zp       sym when no zero tensor (ct) or every stored zero word is the
 *            symmetric constant (7s for v1, 8s for v2 and awq), else asym.
 *   g_idx    none; trivial when g_idx[k] = k / group size; act otherwise
 *            (every group must then hold exactly group-size rows: the kernel
 *            ABI cannot express anything else).
 *   flagged  a symmetric GPTQ layer whose stored convention differs from the
 *            declared one (or from v1 when nothing is declared, as loaders
 *            assume): the case of vLLM PR #38966. */
#ifndef GH_CKPT_SCAN_H
#define GH_CKPT_SCAN_H

#include "formats/ckpt_decl.h"
#include "formats/v1zero.h"
#include "cases/desc.h"
#include "formats/safetensors.h"
#include "formats/tensor.h"

enum layer_role {
    LR_QWEIGHT = 0,
    LR_QZEROS,
    LR_SCALES,
    LR_GIDX,
    LR_WPACKED,
    LR_WSCALE,
    LR_WZERO,
    LR_WGIDX,
    LR_WSHAPE,
    LR_BIAS,
    LR_COUNT
};

typedef enum { ZC_NONE = 0, ZC_V1, ZC_V2 } zconv_t; /* stored GPTQ zero convention */

struct ckpt_layer {
    char *name;          /* prefix without its '.'; "" for a fixture */
    long role[LR_COUNT]; /* index in the st_file, or -1 */
    int ok;              /* a 4-bit layer the harness can run */
    char why[512];       /* !ok: why not */
    fmt_t fmt;
    int bits;
    int64_t K, N, G, gs;
    zp_t zp;
    gidx_t gidx;
    dtype_t dt;
    int bias;
    int64_t g;      /* group size as reported: the config's where it fits, else K/G (-1: G = 1) */
    zconv_t stored; /* symmetric GPTQ: the convention of its zeros */
    struct v1zero_stats v1; /* GPTQ/AWQ zero words as v1 Z - 1 words (v1zero.h) */
    v1zero_t v1read;        /* asymmetric v1: the reading used */
    char cfg_note[600];     /* where the config's settings and the tensors disagree */
    int flagged;            /* declared convention != stored one */
    char note[768];         /* what a flag means, or how the format was decided */
};

struct ckpt_scan {
    struct ckpt_layer *layers; /* sorted by name */
    size_t n;
    size_t other; /* tensors in no layer */
};

/* Scans st (decl: the declared convention). Returns 0 or -1 + err (out of
 * memory, or a small tensor that cannot be read). A layer that is not
 * understood is listed with ok = 0 and why. */
int ckpt_scan(const struct st_file *st, const struct ckpt_decl *decl, struct ckpt_scan *out,
              char *err, size_t errlen);
void ckpt_scan_free(struct ckpt_scan *s);

/* The layer named name ("model.layers.0.mlp.down_proj", a trailing '.'
 * allowed; "" or "(unprefixed)" for tensors without a prefix), or NULL. */
const struct ckpt_layer *ckpt_find_layer(const struct ckpt_scan *s, const char *name);

/* Reads the layer's tensors into set under the names its format uses
 * (qweight, scales, ...; "bias"), prefix stripped; U32 words are taken as
 * I32. weight_shape is not loaded. Returns 0 or -1 + err. */
int ckpt_load_layer(const struct st_file *st, const struct ckpt_layer *l, struct tensor_set *set,
                    char *err, size_t errlen);

/* The descriptor of a run of layer l: its fmt, zp, gidx, dt, k, n, g and
 * bias, with adapter a, m, seed and data=real. Returns 0 or -1 + err (the
 * layer is not ok, or its shape breaks a descriptor rule). */
int ckpt_layer_desc(const struct ckpt_layer *l, adapter_t a, int64_t m, uint64_t seed,
                    struct case_desc *d, char *err, size_t errlen);

/* "fmt=gptq-v2 bits=4 k=.. n=.. g=.. zp=sym gidx=none dt=f16 bias=0" */
int ckpt_layer_print(const struct ckpt_layer *l, char *buf, size_t len);

#endif

/* formats.h - checkpoint formats (docs/formats.md): pack a logical problem's weights
 * the way real checkpoints store them, and unpack them again.
 *
 * int32 words, nibble i = bits 4i..4i+3, low nibble first.
 *   gptq-v1: qweight [K/8][N] (I32), scales [G][N], qzeros [G][N/8] (stored Z-1;
 *            asym in the descriptor's v1zp convention, formats/v1zero.h: per nibble
 *            by default; sym stores 0x77777777), g_idx [K] (I32, when present)
 *   gptq-v2: as v1 but stored zero = Z (sym 0x88888888)
 *   ct:      weight_packed [N][K/8] (I32), weight_scale [N][G],
 *            weight_zero_point [N/8][G] (asym only), weight_g_idx [K] (when present)
 *   awq:     qweight [K][N/8] (I32) with nibble order [0,2,4,6,1,3,5,7], scales [G][N],
 *            qzeros [G][N/8] same interleave, stored zero = Z; no g_idx.
 * Scales use the activation dtype (F16 or BF16).
 * g_idx is stored when the descriptor says gidx=trivial or gidx=act. */
#ifndef GH_FORMATS_H
#define GH_FORMATS_H

#include "cases/problem.h"
#include "formats/tensor.h"

/* Logical weights recovered from a checkpoint. */
struct logical_weights {
    int64_t K, N, G;
    uint8_t *q;     /* [K][N] */
    uint8_t *z;     /* [G][N] (8 everywhere for sym; 0..15, or 16: v1 nowrap's F) */
    uint16_t *s;    /* [G][N] */
    int32_t *g_idx; /* [K] or NULL when the checkpoint stores none */
};

/* AWQ's nibble order: logical column j of an 8-column pack sits at nibble
 * awq_nibble_of[j]... expressed as the order list [0,2,4,6,1,3,5,7]:
 * nibble position i holds logical column AWQ_ORDER[i]. */
extern const int AWQ_ORDER[8];

/* Packs p's Q/Z/S/g_idx into out as format p->d.fmt. Returns 0 or -1 + err. */
int format_pack(const struct problem *p, struct tensor_set *out, char *err, size_t errlen);

/* Unpacks tensors of format fmt, symmetric or not, with K, N, G expected
 * (shapes are checked against them); asymmetric v1 zeros read per nibble.
 * Returns 0 or -1 + err. */
int format_unpack(fmt_t fmt, zp_t zp, const struct tensor_set *in, int64_t K, int64_t N, int64_t G,
                  struct logical_weights *out, char *err, size_t errlen);
/* The same, asymmetric v1 zeros read with convention v1read (formats/v1zero.h;
 * z may then hold 16: nowrap's reading of F). */
int format_unpack_read(fmt_t fmt, zp_t zp, v1zero_t v1read, const struct tensor_set *in, int64_t K,
                       int64_t N, int64_t G, struct logical_weights *out, char *err, size_t errlen);
void logical_weights_free(struct logical_weights *w);

/* Tensor names per format. */
const char *format_weight_name(fmt_t f);
const char *format_scale_name(fmt_t f);
const char *format_zero_name(fmt_t f);
const char *format_gidx_name(fmt_t f); /* NULL for awq */

#endif

/* faults.c - the planted-fault catalogue (see faults.h).
 *
 * Every fault rewrites the right kernel arguments (reference adapter output:
 * b [N][K/8] in group-sorted row order, scale [G][N], zp [G][N/8] or the
 * scalar 8, perm = argsort(g_idx) or NULL, bias) into what one buggy adapter
 * would produce. Decisions:
 *  - zero-plus-one and zero-minus-one model the two directions of the v1/v2
 *    confusion; they apply to asymmetric cases of the formats where that
 *    direction can happen (minus-one: only gptq-v1 stores Z-1; plus-one: the
 *    formats that store Z). Symmetric cases have the separate sym-zero-7.
 *  - group-boundary-next-row rotates the kernel's row order by one (with a
 *    permutation that keeps every row's own activation): the last row of each
 *    group then falls into the next group; the matrix's last row wraps to
 *    group 0, where a real kernel would read past the end.
 *  - Faults are planted on the reference adapter's arguments only; with
 *    adapter=vllm-xpu a fault is not applicable. A fault needs valid
 *    arguments to start from (so two faults compose in catalogue order); the
 *    two that break the contract come last.
 *  - Every fault checks what it rewrites is there (never trusts the rules
 *    alone), so no input makes it read out of bounds. */
#include "adapters/faults.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/adapter.h"
#include "formats/formats.h"
#include "formats/v1zero.h"

/* Rules on the descriptor. */
enum {
    R_ASYM = 1u << 0,     /* zp=asym */
    R_SYM = 1u << 1,      /* zp=sym */
    R_V1 = 1u << 2,       /* fmt=gptq-v1 */
    R_NOT_V1 = 1u << 3,   /* fmt stores Z itself */
    R_AWQ = 1u << 4,      /* fmt=awq */
    R_GIDX = 1u << 5,     /* a g_idx is stored (trivial or act) */
    R_ACT = 1u << 6,      /* act-order */
    R_GROUPS = 1u << 7,   /* more than one group */
    R_G_MINUS1 = 1u << 8, /* g=-1 */
    R_BIAS = 1u << 9      /* bias=1 */
};

struct fault {
    const char *name;
    const char *desc;
    unsigned rules;
    int (*apply)(const struct fault_ctx *c, struct abi_tensors *t); /* 0 or -1 */
};

/* ---- helpers on the right arguments --------------------------------------- */

static int64_t groups_of(const struct abi_tensors *t) {
    return t->K / t->group_size;
}

static unsigned nib(uint32_t w, int i) {
    return (w >> (4 * i)) & 0xFu;
}

static uint32_t with_nib(uint32_t w, int i, unsigned v) {
    return (w & ~(0xFu << (4 * i))) | ((uint32_t)(v & 0xFu) << (4 * i));
}

/* Weight nibble of column n, kernel row k in b [N][K/8]. */
static unsigned b_get(const uint32_t *b, int64_t K, int64_t n, int64_t k) {
    return nib(b[n * (K / 8) + k / 8], (int)(k % 8));
}

static void b_set(uint32_t *b, int64_t K, int64_t n, int64_t k, unsigned v) {
    uint32_t *w = &b[n * (K / 8) + k / 8];
    *w = with_nib(*w, (int)(k % 8), v);
}

/* Replaces *p (rows x cols elements of es bytes) by its transpose. */
static int transpose_buf(void **p, int64_t rows, int64_t cols, size_t es) {
    void *dst = malloc((size_t)(rows * cols) * es);
    if (!dst) return -1;
    adapter_transpose(dst, *p, rows, cols, es);
    free(*p);
    *p = dst;
    return 0;
}

/* A new zeroed b of the same size, or NULL. */
static uint32_t *new_b(const struct abi_tensors *t) {
    return calloc((size_t)t->b_words, sizeof(uint32_t));
}

static void replace_b(struct abi_tensors *t, uint32_t *nb) {
    free(t->b);
    t->b = nb;
}

/* Kernel row order back to the checkpoint's: row perm[k] of the result is
 * kernel row k; perm is dropped. */
static int ungather(struct abi_tensors *t) {
    if (!t->perm) return 0;
    uint32_t *nb = new_b(t);
    if (!nb) return -1;
    for (int64_t n = 0; n < t->N; n++)
        for (int64_t k = 0; k < t->K; k++)
            b_set(nb, t->K, n, t->perm[k], b_get(t->b, t->K, n, k));
    replace_b(t, nb);
    free(t->perm);
    t->perm = NULL;
    return 0;
}

/* ---- the faults ----------------------------------------------------------- */

static int f_zeros_transposed(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    if (!t->zp) return 0;
    return transpose_buf((void **)&t->zp, groups_of(t), t->N / 8, sizeof *t->zp);
}

static void shift_zeros(struct abi_tensors *t, unsigned delta) {
    for (int64_t i = 0; i < t->zp_words; i++)
        for (int j = 0; j < 8; j++)
            t->zp[i] = with_nib(t->zp[i], j, nib(t->zp[i], j) + delta);
}

static int f_zero_plus_one(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    shift_zeros(t, 1u);
    return 0;
}

static int f_zero_minus_one(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    shift_zeros(t, 15u); /* -1 modulo 16 */
    return 0;
}

/* The zero-point words as the case's writer stored them (v1zp), read back by
 * another reader than the writer's. */
static int reread_zeros(const struct fault_ctx *c, struct abi_tensors *t, v1zero_t reader) {
    for (int64_t i = 0; i < t->zp_words; i++) {
        uint8_t z[8];
        for (int j = 0; j < 8; j++)
            z[j] = (uint8_t)nib(t->zp[i], j);
        v1zero_decode(reader, v1zero_encode(c->d->v1z, z), z);
        uint32_t w = 0;
        for (int j = 0; j < 8; j++)
            w = with_nib(w, j, z[j]);
        t->zp[i] = w;
    }
    return 0;
}

/* Whole-word reader (+ 0x11111111): a change only where the writer masked
 * per nibble (or ORed, as AutoGPTQ), not for a whole-word writer. */
static int f_zero_word_carry(const struct fault_ctx *c, struct abi_tensors *t) {
    return reread_zeros(c, t, V1Z_WORD);
}

/* Per-nibble reader: a change only where the writer's borrow crossed nibbles
 * (a whole-word writer, GPTQModel's v1) or the writer ORed F's upward. */
static int f_zero_nibble_on_word(const struct fault_ctx *c, struct abi_tensors *t) {
    return reread_zeros(c, t, V1Z_NIBBLE);
}

static int f_sym_zero_7(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    if (!t->zp) t->zp_scalar = 7;
    return 0;
}

static int f_scales_transposed(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    return transpose_buf((void **)&t->scale, groups_of(t), t->N, sizeof *t->scale);
}

static int f_nibble_reversed(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    for (int64_t i = 0; i < t->b_words; i++) {
        uint32_t w = t->b[i], r = 0;
        for (int j = 0; j < 8; j++)
            r = with_nib(r, 7 - j, nib(w, j));
        t->b[i] = r;
    }
    return 0;
}

/* Zero-point words back in AWQ's stored nibble order (nibble i holds column
 * AWQ_ORDER[i]), as an adapter that never undid the interleave hands them. */
static void zeros_interleaved(struct abi_tensors *t) {
    for (int64_t i = 0; t->zp && i < t->zp_words; i++) {
        uint32_t w = t->zp[i], r = 0;
        for (int j = 0; j < 8; j++)
            r = with_nib(r, j, nib(w, AWQ_ORDER[j]));
        t->zp[i] = r;
    }
}

static int f_awq_interleave_ignored(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    /* The buggy unpacker takes nibble i for column i; column AWQ_ORDER[i] is there. */
    uint32_t *nb = new_b(t);
    if (!nb) return -1;
    const int64_t K8 = t->K / 8;
    for (int64_t n = 0; n < t->N; n++) {
        const int64_t src = n - n % 8 + AWQ_ORDER[n % 8];
        memcpy(nb + n * K8, t->b + src * K8, (size_t)K8 * sizeof *nb);
    }
    replace_b(t, nb);
    zeros_interleaved(t);
    return 0;
}

static int f_awq_as_gptq(const struct fault_ctx *c, struct abi_tensors *t) {
    const struct tensor *q = tensor_set_get(c->ckpt, format_weight_name(FMT_AWQ));
    if (!q || q->dtype != TD_I32 || q->ndim != 2 || q->shape[0] != t->K ||
        q->shape[1] != t->N / 8 || t->perm)
        return -1;
    /* qweight [K][N/8] transposed as GPTQ's [K/8][N] would be: memory [N/8][K] */
    uint32_t *nb = new_b(t);
    if (!nb) return -1;
    adapter_transpose(nb, q->data, t->K, t->N / 8, sizeof *nb);
    replace_b(t, nb);
    zeros_interleaved(t);
    return 0;
}

static int f_zeros_dropped(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    free(t->zp);
    t->zp = NULL;
    t->zp_words = 0;
    t->zp_scalar = 8;
    return 0;
}

static int f_gidx_ignored(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    return ungather(t);
}

static int f_gidx_as_perm(const struct fault_ctx *c, struct abi_tensors *t) {
    const char *name = format_gidx_name(c->d->fmt);
    const struct tensor *g = name ? tensor_set_get(c->ckpt, name) : NULL;
    if (!g || g->dtype != TD_I32 || tensor_numel(g) != t->K) return -1;
    if (ungather(t) != 0) return -1;
    t->perm = malloc((size_t)t->K * sizeof *t->perm);
    if (!t->perm) return -1;
    memcpy(t->perm, g->data, (size_t)t->K * sizeof *t->perm);
    return 0;
}

static int f_group_size_unnormalised(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    t->group_size = -1;
    return 0;
}

static int f_weight_wrong_axis(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    uint32_t *nb = new_b(t); /* [K][N/8]: word (k, c) nibble j = column 8c+j of row k */
    if (!nb) return -1;
    const int64_t N8 = t->N / 8;
    for (int64_t k = 0; k < t->K; k++)
        for (int64_t n = 0; n < t->N; n++) {
            uint32_t *w = &nb[k * N8 + n / 8];
            *w = with_nib(*w, (int)(n % 8), b_get(t->b, t->K, n, k));
        }
    replace_b(t, nb);
    return 0;
}

static int f_weight_not_transposed(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    return transpose_buf((void **)&t->b, t->N, t->K / 8, sizeof *t->b);
}

static int f_group_boundary_next_row(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    const int64_t K = t->K;
    uint32_t *nb = new_b(t);
    int32_t *np = malloc((size_t)K * sizeof *np);
    if (!nb || !np) {
        free(nb);
        free(np);
        return -1;
    }
    for (int64_t k = 0; k < K; k++) {
        const int64_t from = (k + K - 1) % K; /* kernel row k gets the row before it */
        np[k] = t->perm ? t->perm[from] : (int32_t)from;
        for (int64_t n = 0; n < t->N; n++)
            b_set(nb, K, n, k, b_get(t->b, K, n, from));
    }
    replace_b(t, nb);
    free(t->perm);
    t->perm = np;
    return 0;
}

static int f_perm_inverse(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    if (!t->perm) return 0;
    int32_t *inv = malloc((size_t)t->K * sizeof *inv);
    if (!inv) return -1;
    for (int64_t k = 0; k < t->K; k++)
        inv[t->perm[k]] = (int32_t)k;
    free(t->perm);
    t->perm = inv;
    return 0;
}

static int f_bias_dropped(const struct fault_ctx *c, struct abi_tensors *t) {
    (void)c;
    free(t->bias);
    t->bias = NULL;
    return 0;
}

static const struct fault CATALOGUE[] = {
    {"zeros-transposed", "zero points [G][N/8] handed over as [N/8][G] (transposed)",
     R_ASYM | R_GROUPS, f_zeros_transposed},
    {"zero-plus-one",
     "zero point one too high: v1's +1 applied to a checkpoint that stores Z (read as v1)",
     R_ASYM | R_NOT_V1, f_zero_plus_one},
    {"zero-minus-one", "zero point one too low: v1's stored Z-1 used as is (v1 read as v2)",
     R_ASYM | R_V1, f_zero_minus_one},
    {"zero-word-carry",
     "v1's -1 undone by adding 0x11111111 to whole words: a stored 0xF carries into the next "
     "nibble",
     R_ASYM | R_V1, f_zero_word_carry},
    {"zero-nibble-on-word",
     "v1's -1 undone per nibble on words a whole-word writer stored: where a Z of 0 borrowed "
     "from the nibble above, that zero point is read one too low",
     R_ASYM | R_V1, f_zero_nibble_on_word},
    {"zeros-dropped", "zero points dropped: the symmetric 8 used for an asymmetric checkpoint",
     R_ASYM, f_zeros_dropped},
    {"sym-zero-7", "symmetric zero point 7 (v1's stored 0x77777777) instead of 8", R_SYM | R_V1,
     f_sym_zero_7},
    {"scales-transposed", "scales [G][N] handed over as [N][G] (transposed)", R_GROUPS,
     f_scales_transposed},
    {"nibble-reversed", "weight words packed high nibble first (nibble order reversed)", 0,
     f_nibble_reversed},
    {"awq-interleave-ignored",
     "AWQ's nibble order [0,2,4,6,1,3,5,7] ignored: columns swapped within each pack of 8", R_AWQ,
     f_awq_interleave_ignored},
    {"awq-as-gptq",
     "AWQ checkpoint taken as GPTQ: qweight [K][N/8] transposed to [N/8][K], zero points left "
     "interleaved",
     R_AWQ, f_awq_as_gptq},
    {"gidx-ignored",
     "act-order g_idx ignored: rows treated as sequential (no permutation, weights not reordered)",
     R_ACT, f_gidx_ignored},
    {"weight-wrong-axis", "weights packed along N ([K][N/8]) where the kernel reads [N][K/8]", 0,
     f_weight_wrong_axis},
    {"weight-not-transposed", "qweight [K/8][N] handed over without the transpose to [N][K/8]", 0,
     f_weight_not_transposed},
    {"group-boundary-next-row",
     "row order shifted by one: the last row of each group takes the next group's scale and zero",
     R_GROUPS, f_group_boundary_next_row},
    {"perm-inverse", "the inverse of the act-order permutation handed over", R_ACT, f_perm_inverse},
    {"bias-dropped", "bias not passed to the kernel", R_BIAS, f_bias_dropped},
    {"gidx-as-perm",
     "g_idx group ids handed over where a permutation is expected (weights not reordered)", R_GIDX,
     f_gidx_as_perm},
    {"group-size-unnormalised", "group_size -1 passed to the kernel instead of K", R_G_MINUS1,
     f_group_size_unnormalised},
};

#define NFAULTS (sizeof CATALOGUE / sizeof CATALOGUE[0])

size_t fault_count(void) {
    return NFAULTS;
}

const struct fault *fault_at(size_t i) {
    return i < NFAULTS ? &CATALOGUE[i] : NULL;
}

const struct fault *fault_find(const char *name) {
    for (size_t i = 0; name && i < NFAULTS; i++)
        if (strcmp(CATALOGUE[i].name, name) == 0) return &CATALOGUE[i];
    return NULL;
}

const char *fault_name(const struct fault *f) {
    return f ? f->name : "?";
}

const char *fault_description(const struct fault *f) {
    return f ? f->desc : "?";
}

int fault_list_names(char *buf, size_t len) {
    size_t used = 0;
    int total = 0;
    if (len) buf[0] = '\0';
    for (size_t i = 0; i < NFAULTS; i++) {
        int w = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0, "%s%s",
                         i ? " " : "", CATALOGUE[i].name);
        if (w < 0) return w;
        total += w;
        used += (size_t)w;
    }
    return total;
}

int fault_check_name(const char *name, char *err, size_t errlen) {
    if (!name[0] || fault_find(name)) return 0;
    char names[1024];
    fault_list_names(names, sizeof names);
    snprintf(err, errlen, "unknown fault '%s' (known: %s)", name, names);
    return -1;
}

/* The first rule of f that d breaks, as text; NULL when all hold. */
static const char *broken_rule(unsigned rules, const struct case_desc *d) {
    static const struct {
        unsigned bit;
        const char *text;
    } RULES[] = {
        {R_ASYM, "needs zp=asym (a zero-point tensor)"},
        {R_SYM, "needs zp=sym"},
        {R_V1, "needs fmt=gptq-v1"},
        {R_NOT_V1, "needs a format that stores Z (not gptq-v1)"},
        {R_AWQ, "needs fmt=awq"},
        {R_GIDX, "needs a stored g_idx (gidx=trivial or act)"},
        {R_ACT, "needs gidx=act"},
        {R_GROUPS, "needs more than one group"},
        {R_G_MINUS1, "needs g=-1"},
        {R_BIAS, "needs bias=1"},
    };
    const int holds[] = {
        d->zp == ZP_ASYM,  d->zp == ZP_SYM,      d->fmt == FMT_GPTQ_V1, d->fmt != FMT_GPTQ_V1,
        d->fmt == FMT_AWQ, d->gidx != GIDX_NONE, d->gidx == GIDX_ACT,   desc_groups(d) > 1,
        d->g == -1,        d->bias == 1,
    };
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++)
        if ((rules & RULES[i].bit) && !holds[i]) return RULES[i].text;
    return NULL;
}

int fault_rule_holds(const struct fault *f, const struct case_desc *d, char *why, size_t len) {
    const char *broken = d->adapter != ADAPTER_REFERENCE
                             ? "faults are planted on adapter=reference only"
                             : broken_rule(f->rules, d);
    if (broken) snprintf(why, len, "%s %s", f->name, broken);
    return broken == NULL;
}

int fault_apply(const struct fault *f, const struct fault_ctx *c, struct abi_tensors *t, char *why,
                size_t len) {
    if (!fault_rule_holds(f, c->d, why, len)) return 1;
    if (abi_check(t, NULL, 0) != 0) {
        snprintf(why, len, "%s cannot be planted on arguments that break the contract already",
                 f->name);
        return 1;
    }
    struct abi_tensors before;
    if (abi_tensors_copy(&before, t) != 0) {
        snprintf(why, len, "out of memory planting %s", f->name);
        return -1;
    }
    int rc = 0;
    if (f->apply(c, t) != 0) {
        snprintf(why, len, "planting %s failed (out of memory, or a checkpoint tensor missing)",
                 f->name);
        rc = -1;
    } else if (abi_tensors_equal(&before, t)) {
        snprintf(why, len, "%s changes nothing in this case", f->name);
        rc = 1;
    }
    abi_tensors_free(&before);
    return rc;
}

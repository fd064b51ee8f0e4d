/* ckpt_scan.c - layers of a checkpoint and what they are (see ckpt_scan.h). */
#include "formats/ckpt_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errmsg.h"

/* Tensor name suffix of each role; also the name the formats use. */
static const char *const ROLE_NAMES[LR_COUNT] = {
    [LR_QWEIGHT] = "qweight",         [LR_QZEROS] = "qzeros",
    [LR_SCALES] = "scales",           [LR_GIDX] = "g_idx",
    [LR_WPACKED] = "weight_packed",   [LR_WSCALE] = "weight_scale",
    [LR_WZERO] = "weight_zero_point", [LR_WGIDX] = "weight_g_idx",
    [LR_WSHAPE] = "weight_shape",     [LR_BIAS] = "bias"};

#define SYM_V1 0x77777777u
#define SYM_V2 0x88888888u

static int role_of(const char *suffix) {
    for (int r = 0; r < LR_COUNT; r++)
        if (strcmp(ROLE_NAMES[r], suffix) == 0) return r;
    return -1;
}

/* ---- detection ---------------------------------------------------------- */

struct det {
    const struct st_file *st;
    const struct ckpt_decl *decl;
    struct ckpt_layer *l;
};

static const struct st_entry *ent(const struct det *x, int role) {
    long i = x->l->role[role];
    return i >= 0 ? &x->st->e[i] : NULL;
}

static int is_words(const struct st_entry *e) {
    return e && (e->dtype == ST_I32 || e->dtype == ST_U32) && e->ndim == 2;
}

static int is_half(const struct st_entry *e) {
    return e && (e->dtype == ST_F16 || e->dtype == ST_BF16);
}

/* Marks the layer unusable (why); returns 0: a result, not an error. */
static int unusable(struct ckpt_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int unusable(struct ckpt_layer *l, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->why, sizeof l->why, fmt, ap);
    va_end(ap);
    l->ok = 0;
    return 0;
}

/* Reads a small tensor whole (malloc'd). Returns NULL + err. */
static void *read_all(const struct det *x, int role, char *err, size_t errlen) {
    long i = x->l->role[role];
    size_t bytes = (size_t)st_entry_bytes(&x->st->e[i]);
    void *buf = malloc(bytes ? bytes : 1);
    if (!buf) {
        errmsg(err, errlen, "out of memory reading '%s'", x->st->e[i].name);
        return NULL;
    }
    if (st_read(x->st, (size_t)i, buf, bytes, err, errlen) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* K from ct's weight_shape [N, K] (I64 or I32); 0 when absent. */
static int ct_shape_k(const struct det *x, int64_t N, int64_t *K, char *err, size_t errlen) {
    const struct st_entry *e = ent(x, LR_WSHAPE);
    *K = 0;
    if (!e) return 0;
    if (e->ndim != 1 || e->shape[0] != 2 || (e->dtype != ST_I64 && e->dtype != ST_I32))
        return unusable(x->l, "weight_shape is not two integers");
    void *v = read_all(x, LR_WSHAPE, err, errlen);
    if (!v) return -1;
    int64_t n = e->dtype == ST_I64 ? ((int64_t *)v)[0] : ((int32_t *)v)[0];
    *K = e->dtype == ST_I64 ? ((int64_t *)v)[1] : ((int32_t *)v)[1];
    free(v);
    if (n != N || *K <= 0)
        return unusable(x->l, "weight_shape [%lld, %lld] does not match N=%lld", (long long)n,
                        (long long)*K, (long long)N);
    return 0;
}

/* compressed-tensors' zero points: I32 [N/8][G], packed along N. */
static int ct_zero_points(struct ckpt_layer *l, const struct st_entry *z) {
    if (!z) return 0;
    if (z->ndim == 2 && z->shape[0] == l->N && z->shape[1] == l->G &&
        (z->dtype == ST_I8 || z->dtype == ST_U8 || z->dtype == ST_I32))
        return unusable(l,
                        "weight_zero_point is %s [N=%lld][G=%lld]: one zero point per element, "
                        "unpacked; the harness reads them packed, I32 [N/8][G]",
                        st_dtype_name(z->dtype), (long long)l->N, (long long)l->G);
    if (!is_words(z) || z->shape[0] * 8 != l->N || z->shape[1] != l->G)
        return unusable(l, "weight_zero_point is not an I32 [N/8=%lld][G=%lld] tensor",
                        (long long)(l->N / 8), (long long)l->G);
    return 0;
}

static int detect_ct(struct det *x, char *err, size_t errlen) {
    struct ckpt_layer *l = x->l;
    const struct st_entry *wp = ent(x, LR_WPACKED), *ws = ent(x, LR_WSCALE);
    l->fmt = FMT_CT;
    if (!is_words(wp)) return unusable(l, "weight_packed is not a 2-D I32/U32 tensor");
    if (!is_half(ws) || ws->ndim != 2 || ws->shape[0] != wp->shape[0])
        return unusable(l, "weight_scale is missing or not F16/BF16 [N][G] with weight_packed's N");
    l->N = wp->shape[0];
    l->G = ws->shape[1];
    int64_t words = wp->shape[1], K;
    if (ct_shape_k(x, l->N, &K, err, errlen) != 0) return -1;
    if (l->why[0]) return 0;
    l->K = K ? K : words * 8;
    if (words * 32 % l->K != 0)
        return unusable(l, "weight_packed [N][%lld] fits no bit width for K=%lld (weight_shape)",
                        (long long)words, (long long)l->K);
    if (words * 32 / l->K != 4)
        return unusable(l,
                        "%lld-bit weights by weight_packed [N][%lld] and weight_shape's K=%lld (or "
                        "a weight_shape that does not match the tensors): the harness handles "
                        "4-bit only",
                        (long long)(words * 32 / l->K), (long long)words, (long long)l->K);
    l->bits = 4;
    l->dt = ws->dtype == ST_BF16 ? DT_BF16 : DT_F16;
    l->zp = ent(x, LR_WZERO) ? ZP_ASYM : ZP_SYM;
    return ct_zero_points(l, ent(x, LR_WZERO));
}

/* Stored zeros of a GPTQ/AWQ layer: symmetric constant or not. */
static int classify_zeros(struct det *x, char *err, size_t errlen) {
    struct ckpt_layer *l = x->l;
    const struct st_entry *qz = ent(x, LR_QZEROS);
    if (is_words(qz) && qz->shape[0] == l->G && qz->shape[1] > 0 && qz->shape[1] * 32 % l->N == 0 &&
        qz->shape[1] * 8 != l->N)
        return unusable(l,
                        "qzeros [%lld][%lld] holds %lld-bit zero points for N=%lld (4-bit: "
                        "[G][N/8]): the harness handles 4-bit only",
                        (long long)qz->shape[0], (long long)qz->shape[1],
                        (long long)(qz->shape[1] * 32 / l->N), (long long)l->N);
    if (!is_words(qz) || qz->shape[0] != l->G || qz->shape[1] * 8 != l->N)
        return unusable(l, "qzeros is missing or not a [G][N/8] I32 tensor (G=%lld, N=%lld)",
                        (long long)l->G, (long long)l->N);
    uint32_t *w = read_all(x, LR_QZEROS, err, errlen);
    if (!w) return -1;
    int64_t n = qz->shape[0] * qz->shape[1], v1 = 0, v2 = 0;
    for (int64_t i = 0; i < n; i++) {
        v1 += w[i] == SYM_V1;
        v2 += w[i] == SYM_V2;
    }
    v1zero_scan(w, (size_t)n, &l->v1);
    free(w);
    /* AWQ stores Z itself: only 8s are its symmetric zero (7s are Z = 7) */
    l->zp = (v2 == n || (v1 == n && l->fmt != FMT_AWQ)) ? ZP_SYM : ZP_ASYM;
    if (l->zp == ZP_SYM) l->stored = v2 == n ? ZC_V2 : ZC_V1;
    return 0;
}

static int detect_gptq_awq(struct det *x, char *err, size_t errlen) {
    struct ckpt_layer *l = x->l;
    const struct st_entry *qw = ent(x, LR_QWEIGHT), *sc = ent(x, LR_SCALES), *gi = ent(x, LR_GIDX);
    if (!is_words(qw)) return unusable(l, "qweight is not a 2-D I32/U32 tensor");
    if (!is_half(sc) || sc->ndim != 2)
        return unusable(l, "scales is missing or not F16/BF16 [G][N]");
    l->G = sc->shape[0];
    l->N = sc->shape[1];
    l->dt = sc->dtype == ST_BF16 ? DT_BF16 : DT_F16;
    if (qw->shape[1] == l->N) { /* GPTQ [K/8][N] */
        l->fmt = FMT_GPTQ_V1;
        int by_gidx = gi && gi->ndim == 1;
        l->K = by_gidx ? gi->shape[0] : qw->shape[0] * 8;
        if (l->K <= 0 || qw->shape[0] * 32 % l->K != 0)
            return unusable(l, "qweight [%lld][..] fits no bit width for K=%lld (g_idx's length)",
                            (long long)qw->shape[0], (long long)l->K);
        l->bits = (int)(qw->shape[0] * 32 / l->K);
        if (l->bits != 4 && by_gidx)
            return unusable(l,
                            "%d-bit weights by qweight [%lld][N] and g_idx's K=%lld (or a g_idx of "
                            "the wrong length): the harness handles 4-bit only",
                            l->bits, (long long)qw->shape[0], (long long)l->K);
    } else if (qw->shape[1] * 8 == l->N) { /* AWQ [K][N/8] */
        l->fmt = FMT_AWQ;
        l->K = qw->shape[0];
        l->bits = 4;
        if (gi) return unusable(l, "qweight is laid out as AWQ [K][N/8] but a g_idx is present");
    } else {
        return unusable(l,
                        "qweight [%lld][%lld] fits scales [%lld][%lld] neither as GPTQ [K/8][N] "
                        "nor as AWQ [K][N/8]",
                        (long long)qw->shape[0], (long long)qw->shape[1], (long long)l->G,
                        (long long)l->N);
    }
    if (l->bits != 4) return 0;
    return classify_zeros(x, err, errlen);
}

static int check_shape(struct ckpt_layer *l) {
    if (l->bits != 4) return unusable(l, "%d-bit weights: the harness handles 4-bit only", l->bits);
    if (l->K <= 0 || l->N <= 0 || l->G <= 0 || l->K % 8 || l->N % 8 || l->K % l->G)
        return unusable(l, "K=%lld N=%lld G=%lld: need K, N multiples of 8 and G dividing K",
                        (long long)l->K, (long long)l->N, (long long)l->G);
    /* any group size that divides K: the formats store one scale row per
     * group whatever its size, and the ABI's group_size only has to divide K */
    l->gs = l->K / l->G;
    return 0;
}

static int classify_gidx(struct det *x, char *err, size_t errlen) {
    struct ckpt_layer *l = x->l;
    int role = l->fmt == FMT_CT ? LR_WGIDX : LR_GIDX;
    const struct st_entry *e = ent(x, role);
    l->gidx = GIDX_NONE;
    if (!e) return 0;
    if (e->dtype != ST_I32 || e->ndim != 1 || e->shape[0] != l->K)
        return unusable(l, "%s is not an I32 [K=%lld] tensor", ROLE_NAMES[role], (long long)l->K);
    int32_t *g = read_all(x, role, err, errlen);
    int64_t *count = calloc((size_t)l->G, sizeof *count);
    if (!g || !count) {
        free(g);
        free(count);
        return g ? errmsg(err, errlen, "out of memory") : -1;
    }
    int trivial = 1, bad = 0;
    for (int64_t k = 0; k < l->K && !bad; k++) {
        if (g[k] < 0 || g[k] >= l->G)
            bad = 1;
        else
            count[g[k]]++;
        trivial = trivial && g[k] == k / l->gs;
    }
    for (int64_t i = 0; i < l->G && !bad; i++)
        bad = count[i] != l->gs ? 2 : 0;
    free(g);
    free(count);
    if (bad == 1)
        return unusable(l, "%s holds a group id outside 0..%lld", ROLE_NAMES[role],
                        (long long)l->G - 1);
    if (bad == 2)
        return unusable(l,
                        "%s groups are uneven (not %lld rows each): the kernel ABI cannot express "
                        "them",
                        ROLE_NAMES[role], (long long)l->gs);
    l->gidx = trivial ? GIDX_TRIVIAL : GIDX_ACT;
    return 0;
}

/* Appends the text to buf's earlier notes, after "; ". */
static void append_say(char *buf, size_t len, const char *fmt, va_list ap) {
    size_t used = strlen(buf);
    if (used + 3 >= len) return;
    if (used) {
        memcpy(buf + used, "; ", 3);
        used += 2;
    }
    vsnprintf(buf + used, len - used, fmt, ap);
}

/* A note on the layer, after any earlier one (a bias left out and the zero
 * convention are both said). */
static void note_say(struct ckpt_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note_say(struct ckpt_layer *l, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    append_say(l->note, sizeof l->note, fmt, ap);
    va_end(ap);
}

static void flag(struct ckpt_layer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check_bias(struct det *x) {
    const struct st_entry *b = ent(x, LR_BIAS);
    struct ckpt_layer *l = x->l;
    st_dtype_t want = l->dt == DT_BF16 ? ST_BF16 : ST_F16;
    l->bias = b && b->dtype == want && b->ndim == 1 && b->shape[0] == l->N;
    if (b && !l->bias)
        note_say(l, "bias left out: not %s [N=%lld]", st_dtype_name(want), (long long)l->N);
}

/* GPTQ: v1 or v2, and the flag for a declaration that disagrees. */
static void gptq_convention(struct det *x) {
    struct ckpt_layer *l = x->l;
    int declared = x->decl->fmt >= 0 ? x->decl->fmt : FMT_GPTQ_V1;
    char said[160];
    ckpt_decl_text(x->decl, said, sizeof said);
    if (l->zp == ZP_ASYM) {
        l->fmt = (fmt_t)declared;
        note_say(l,
                 "zero convention from the declaration, %s: asymmetric zeros cannot tell v1 from "
                 "v2",
                 said);
        return;
    }
    l->fmt = l->stored == ZC_V1 ? FMT_GPTQ_V1 : FMT_GPTQ_V2;
    if ((int)l->fmt == declared) return;
    int v2 = l->fmt == FMT_GPTQ_V2;
    flag(l,
         "declares %s%s%.200s but stores %s zeros (0x%08X): a %s loader %s, so every weight is "
         "dequantized one step off (the case of vLLM PR #38966)",
         said, x->decl->source[0] ? " in " : "", x->decl->source, v2 ? "v2" : "v1",
         v2 ? SYM_V2 : SYM_V1, v2 ? "v1" : "v2",
         v2 ? "adds 1 and uses zero 9 instead of 8" : "uses zero 7 instead of 8");
}

static void cfg_say(struct ckpt_layer *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void cfg_say(struct ckpt_layer *l, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    append_say(l->cfg_note, sizeof l->cfg_note, fmt, ap);
    va_end(ap);
}

/* The config's stated settings against the tensors: its group size is
 * preferred where they agree; every disagreement is said. */
static void apply_config(struct det *x) {
    struct ckpt_layer *l = x->l;
    const struct ckpt_qcfg *q = &x->decl->q;
    l->g = l->G == 1 ? -1 : l->gs;
    if (!q->source[0]) return;
    if (q->has_group) {
        long gs = q->group_size;
        if (gs == -1 || gs == l->K) {
            if (l->G != 1)
                cfg_say(l, "config says group_size %ld (one group), the tensors hold %lld groups",
                        gs, (long long)l->G);
            else
                l->g = gs;
        } else if (gs > 0 && l->K % gs == 0 && l->K / gs == l->G) {
            l->g = gs;
        } else if (gs > l->K && l->G == 1) {
            cfg_say(l,
                    "config says group_size %ld, larger than K=%lld: the tensors hold one group "
                    "(run as g=-1)",
                    gs, (long long)l->K);
        } else {
            cfg_say(l, "config says group_size %ld, the tensors hold %lld groups over K=%lld", gs,
                    (long long)l->G, (long long)l->K);
        }
    }
    if (q->sym != -1 && (q->sym == 1) != (l->zp == ZP_SYM))
        cfg_say(l, "config says %s, the stored zero points are %s", q->sym ? "sym" : "asym",
                l->zp == ZP_SYM ? "the symmetric constant" : "not the symmetric constant");
    if (q->desc_act == 1 && l->gidx != GIDX_ACT && l->G > 1) /* one group: any order is trivial */
        cfg_say(l, "config says desc_act (act-order), the layer's g_idx is %s", gidx_name(l->gidx));
    if (q->desc_act == 0 && l->gidx == GIDX_ACT)
        cfg_say(l, "config says no act-order, the layer's g_idx is a permutation (act)");
}

/* Flags the layer: what follows is a reading a loader gets wrong; said
 * before any earlier note. */
static void flag(struct ckpt_layer *l, const char *fmt, ...) {
    char msg[sizeof l->note], old[sizeof l->note];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(old, sizeof old, "%s", l->note);
    if (snprintf(l->note, sizeof l->note, "%s%s%s", msg, old[0] ? "; " : "", old) >=
        (int)sizeof l->note)
        l->note[sizeof l->note - 1] = '\0'; /* cut short: the flag's own text comes first */
    l->flagged = 1;
}

static int is_gptq(fmt_t f) {
    return f == FMT_GPTQ_V1 || f == FMT_GPTQ_V2;
}

/* Layouts the config names that the tensors' shapes alone do not tell (and
 * may even fit by chance): a Marlin-repacked GPTQ checkpoint, an AWQ layout
 * other than GEMM. Decided before the shapes are looked at. */
static int config_layout(struct det *x) {
    struct ckpt_layer *l = x->l;
    const struct ckpt_qcfg *q = &x->decl->q;
    if (l->role[LR_WPACKED] >= 0) return 0; /* compressed-tensors: its own layout */
    if (strcmp(q->quant_method, "awq") && (q->marlin || !strcmp(x->decl->value, "marlin")))
        return unusable(l,
                        "the config says the weights are repacked for Marlin (%s): a layout the "
                        "harness does not read",
                        q->marlin ? "is_marlin_format" : "checkpoint_format marlin");
    if (!strcmp(q->quant_method, "awq") && q->awq_layout[0] && strcmp(q->awq_layout, "gemm"))
        return unusable(l,
                        "the config says AWQ layout '%s'%s: the harness reads AWQ's GEMM layout "
                        "(qweight [K][N/8]) only",
                        q->awq_layout,
                        !strncmp(q->awq_layout, "gemv", 4) ? " (qweight [N][K/8], padded scales)"
                                                           : "");
    return 0;
}

/* The config against what the tensors are: a loader follows the config. */
static void config_contradictions(struct det *x) {
    struct ckpt_layer *l = x->l;
    const struct ckpt_qcfg *q = &x->decl->q;
    const char *qm = q->quant_method, *is = l->fmt == FMT_CT    ? "compressed-tensors"
                                            : l->fmt == FMT_AWQ ? "AWQ"
                                                                : "GPTQ";
    int known = !strcmp(qm, "gptq") || !strcmp(qm, "awq") || !strcmp(qm, "compressed-tensors");
    int agrees = !strcmp(qm, "gptq")  ? is_gptq(l->fmt)
                 : !strcmp(qm, "awq") ? l->fmt == FMT_AWQ
                                      : l->fmt == FMT_CT;
    if (known && !agrees)
        flag(l,
             "config says quant_method %s, the tensors are laid out as %s: a loader that "
             "follows the config reads them in the wrong layout",
             qm, is);
    if (q->bits != -1 && q->bits != l->bits)
        flag(l,
             "config says bits=%d, the tensors hold %d-bit weights: a loader that follows the "
             "config misreads every weight",
             q->bits, l->bits);
    if (is_gptq(l->fmt) && x->decl->value[0] && x->decl->fmt < 0)
        flag(l,
             "declares checkpoint_format '%.40s', neither gptq (v1) nor gptq_v2: read as v1, as "
             "loaders that test for gptq_v2 do, but its writer may have meant another layout",
             x->decl->value);
}

/* A layer holding tensors of both families (GPTQ/AWQ's qweight, qzeros,
 * scales, g_idx and compressed-tensors' weight_*) is not read as either:
 * which one a loader takes depends on the loader, and reading one silently
 * would leave the other unchecked. Returns the first of each, or 0. */
static int mixed_families(const struct ckpt_layer *l, int *gptq, int *ct) {
    *gptq = *ct = -1;
    for (int r = LR_QWEIGHT; r <= LR_GIDX; r++)
        if (l->role[r] >= 0 && *gptq < 0) *gptq = r;
    for (int r = LR_WPACKED; r <= LR_WSHAPE; r++)
        if (l->role[r] >= 0 && *ct < 0) *ct = r;
    return *gptq >= 0 && *ct >= 0;
}

static int detect(struct det *x, char *err, size_t errlen) {
    struct ckpt_layer *l = x->l;
    const struct ckpt_qcfg *q = &x->decl->q;
    l->ok = 1;
    int gr, cr;
    if (mixed_families(l, &gr, &cr)) {
        unusable(l,
                 "holds both GPTQ/AWQ tensors (%s) and compressed-tensors tensors (%s): "
                 "ambiguous, which one a loader reads depends on the loader",
                 ROLE_NAMES[gr], ROLE_NAMES[cr]);
        l->ok = 0;
        return 0;
    }
    config_layout(x);
    int rc = l->why[0]                  ? 0
             : l->role[LR_WPACKED] >= 0 ? detect_ct(x, err, errlen)
                                        : detect_gptq_awq(x, err, errlen);
    if (rc == 0 && l->why[0] && q->bits != -1 && q->bits != 4) {
        char why[sizeof l->why];
        snprintf(why, sizeof why, "%s", l->why);
        unusable(l, "config says bits=%d; %s", q->bits, why);
    }
    if (rc != 0 || l->why[0]) {
        l->ok = 0;
        return rc;
    }
    check_shape(l);
    if (l->why[0]) return 0;
    if (classify_gidx(x, err, errlen) != 0) return -1;
    if (l->why[0]) return 0;
    check_bias(x);
    if (l->fmt == FMT_GPTQ_V1) gptq_convention(x);
    l->v1read = (v1zero_t)x->decl->v1read;
    apply_config(x);
    config_contradictions(x);
    return 0;
}

/* ---- grouping ----------------------------------------------------------- */

struct rec {
    const char *name;
    size_t plen; /* prefix length, '.' included */
    int role;
    size_t idx;
};

static int rec_cmp(const void *a, const void *b) {
    const struct rec *x = a, *y = b;
    size_t n = x->plen < y->plen ? x->plen : y->plen;
    int c = memcmp(x->name, y->name, n);
    if (c) return c;
    if (x->plen != y->plen) return x->plen < y->plen ? -1 : 1;
    return x->role - y->role;
}

static int new_layer(struct ckpt_scan *s, const struct rec *r, size_t cnt, char *err,
                     size_t errlen) {
    struct ckpt_layer *l = &s->layers[s->n];
    memset(l, 0, sizeof *l);
    for (int i = 0; i < LR_COUNT; i++)
        l->role[i] = -1;
    for (size_t i = 0; i < cnt; i++)
        l->role[r[i].role] = (long)r[i].idx;
    size_t nl = r->plen ? r->plen - 1 : 0;
    l->name = malloc(nl + 1);
    if (!l->name) return errmsg(err, errlen, "out of memory");
    memcpy(l->name, r->name, nl);
    l->name[nl] = '\0';
    s->n++;
    return 0;
}

static int group(const struct st_file *st, const struct ckpt_decl *decl, struct rec *recs,
                 size_t nrec, struct ckpt_scan *s, char *err, size_t errlen) {
    qsort(recs, nrec, sizeof *recs, rec_cmp);
    for (size_t i = 0; i < nrec;) {
        size_t j = i + 1;
        while (j < nrec && recs[j].plen == recs[i].plen &&
               memcmp(recs[j].name, recs[i].name, recs[i].plen) == 0)
            j++;
        int is_layer = 0;
        for (size_t k = i; k < j; k++)
            is_layer |= recs[k].role == LR_QWEIGHT || recs[k].role == LR_WPACKED;
        if (!is_layer) {
            s->other += j - i;
        } else {
            if (new_layer(s, &recs[i], j - i, err, errlen) != 0) return -1;
            struct det x = {st, decl, &s->layers[s->n - 1]};
            if (detect(&x, err, errlen) != 0) return -1;
        }
        i = j;
    }
    return 0;
}

int ckpt_scan(const struct st_file *st, const struct ckpt_decl *decl, struct ckpt_scan *out,
              char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    struct rec *recs = malloc((st->n ? st->n : 1) * sizeof *recs);
    out->layers = calloc(st->n ? st->n : 1, sizeof *out->layers);
    if (!recs || !out->layers) {
        free(recs);
        free(out->layers);
        out->layers = NULL;
        return errmsg(err, errlen, "out of memory");
    }
    size_t nrec = 0;
    for (size_t i = 0; i < st->n; i++) {
        const char *name = st->e[i].name, *dot = strrchr(name, '.');
        int role = role_of(dot ? dot + 1 : name);
        if (role < 0) {
            out->other++;
            continue;
        }
        recs[nrec++] = (struct rec){name, dot ? (size_t)(dot - name) + 1 : 0, role, i};
    }
    int rc = group(st, decl, recs, nrec, out, err, errlen);
    free(recs);
    if (rc != 0) ckpt_scan_free(out);
    return rc;
}

void ckpt_scan_free(struct ckpt_scan *s) {
    for (size_t i = 0; s->layers && i < s->n; i++)
        free(s->layers[i].name);
    free(s->layers);
    memset(s, 0, sizeof *s);
}

const struct ckpt_layer *ckpt_find_layer(const struct ckpt_scan *s, const char *name) {
    /* the name inspect prints for tensors without a prefix (a fixture's) */
    if (strcmp(name, "(unprefixed)") == 0) name = "";
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.') n--;
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->layers[i].name) == n && strncmp(s->layers[i].name, name, n) == 0)
            return &s->layers[i];
    return NULL;
}

/* ---- running a layer ---------------------------------------------------- */

int ckpt_load_layer(const struct st_file *st, const struct ckpt_layer *l, struct tensor_set *set,
                    char *err, size_t errlen) {
    for (int r = 0; r < LR_COUNT; r++) {
        if (l->role[r] < 0 || r == LR_WSHAPE || (r == LR_BIAS && !l->bias)) continue;
        struct tensor *t = st_load(st, (size_t)l->role[r], set, ROLE_NAMES[r], err, errlen);
        if (!t) return -1;
        if (t->dtype == TD_U32) t->dtype = TD_I32; /* the same words */
    }
    return 0;
}

int ckpt_layer_desc(const struct ckpt_layer *l, adapter_t a, int64_t m, uint64_t seed,
                    struct case_desc *d, char *err, size_t errlen) {
    if (!l->ok) return errmsg(err, errlen, "layer '%s' cannot be run: %s", l->name, l->why);
    desc_default(d);
    d->fmt = l->fmt;
    d->adapter = a;
    d->m = m;
    d->n = l->N;
    d->k = l->K;
    d->g = l->g;
    d->zp = l->zp;
    if (d->fmt == FMT_GPTQ_V1 && d->zp == ZP_ASYM) d->v1z = l->v1read;
    d->gidx = l->gidx;
    d->dt = l->dt;
    d->data = DATA_REAL;
    d->bias = l->bias;
    d->seed = seed;
    char why[400];
    if (desc_validate(d, why, sizeof why) != 0)
        return errmsg(err, errlen, "layer '%s' does not fit a case descriptor: %s", l->name, why);
    return 0;
}

int ckpt_layer_print(const struct ckpt_layer *l, char *buf, size_t len) {
    return snprintf(buf, len, "fmt=%s bits=%d k=%lld n=%lld g=%lld zp=%s gidx=%s dt=%s bias=%d",
                    fmt_name(l->fmt), l->bits, (long long)l->K, (long long)l->N, (long long)l->g,
                    zp_name(l->zp), gidx_name(l->gidx), dt_name(l->dt), l->bias);
}

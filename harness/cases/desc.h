/* desc.h - the case descriptor (docs/descriptors.md): one line that fully describes and
 * reproduces one case, e.g.
 *   fmt=gptq-v1 adapter=reference m=1 n=4096 k=4096 g=128 zp=asym gidx=act dt=f16 data=exact seed=7
 *
 * Keys and defaults (unset keys take these):
 *   fmt      gptq-v1 | gptq-v2 | ct | awq                    (gptq-v1)
 *   adapter  reference | vllm-xpu | vllm-xpu-awq | xpu-kernels | exec (exec: --adapter exec:CMD)
 *            (reference; adapters/adapter.h)
 *   m n k    positive integers; n % 8 == 0, k % 8 == 0       (1 64 128)
 *   g        32 | 64 | 128 | -1  (any positive multiple of 8 dividing k is accepted) (128)
 *   zp       sym | asym                                      (sym)
 *   gidx     none | trivial | act                            (none)
 *   dt       f16 | bf16                                      (f16)
 *   data     exact | real | edge                             (exact)
 *   bias     0 | 1                                           (0)
 *   seed     unsigned 64-bit integer                         (1)
 *   perm     random | identity | ends | reverse | ingroup | swap
 *            (gidx=act only: the act-order permutation's family)  (random)
 *   zproute  auto | zp | nozp  (vllm-xpu only: does the layer have zero points) (auto)
 *   v1zp     nibble | nowrap | word  (gptq-v1 zp=asym only: the Z - 1 convention of the
 *            writer, formats/v1zero.h; the reference adapter reads with the same) (nibble)
 *   tp       none | row:R/W | col:R/W  (tensor-parallel shard R of W, 0 <= R < W, 2 <= W <=
 *            TP_WORLD_MAX; row splits the layer's K, col its N. m n k are the shard's
 *            shape, the layer is W times larger along the split axis; g is the layer's
 *            group size) (none)
 *   fault    none | <catalogued fault name>                  (none)
 */
#ifndef GH_DESC_H
#define GH_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "reference/dtype.h"

typedef enum { FMT_GPTQ_V1 = 0, FMT_GPTQ_V2, FMT_CT, FMT_AWQ, FMT_COUNT } fmt_t;
/* ADAPTER_COUNT counts the built-in adapters; adapter=exec is an external
 * runner (--adapter exec:CMD, docs/runners.md), beyond them. */
typedef enum {
    ADAPTER_REFERENCE = 0,
    ADAPTER_VLLM_XPU,
    ADAPTER_VLLM_XPU_AWQ,
    ADAPTER_XPU_KERNELS,
    ADAPTER_COUNT,
    ADAPTER_EXEC = ADAPTER_COUNT
} adapter_t;
typedef enum { ZP_SYM = 0, ZP_ASYM } zp_t;
typedef enum { GIDX_NONE = 0, GIDX_TRIVIAL, GIDX_ACT } gidx_t;
/* DATA_EDGE: exact data with values at the edges of the number formats
 * (problem.h); compared exactly, like DATA_EXACT. */
typedef enum { DATA_EXACT = 0, DATA_REAL, DATA_EDGE } data_t;
/* Act-order permutation families (cases/perm.h). */
typedef enum {
    PERM_RANDOM = 0,
    PERM_IDENTITY,
    PERM_ENDS,
    PERM_REVERSE,
    PERM_INGROUP,
    PERM_SWAP,
    PERM_COUNT
} perm_t;
typedef enum { ZPROUTE_AUTO = 0, ZPROUTE_ZP, ZPROUTE_NOZP } zproute_t;
/* GPTQ v1's Z - 1 conventions (formats/v1zero.h): how the writer stored it and a loader reads it */
typedef enum { V1Z_NIBBLE = 0, V1Z_NOWRAP, V1Z_WORD, V1Z_COUNT } v1zero_t;

/* Tensor-parallel split (descriptor key tp): none, K split (row-parallel), N split (column). */
typedef enum { TP_NONE = 0, TP_ROW, TP_COL, TP_COUNT } tp_split_t;
#define TP_WORLD_MAX 64

#define DESC_FAULT_MAX 48

struct case_desc {
    fmt_t fmt;
    adapter_t adapter;
    int64_t m, n, k;
    int64_t g; /* group size as written: positive or -1 */
    zp_t zp;
    gidx_t gidx;
    dtype_t dt;
    data_t data;
    int bias;
    uint64_t seed;
    zproute_t zproute;
    v1zero_t v1z;
    tp_split_t tp; /* TP_NONE: the whole layer */
    int tp_rank;   /* 0..tp_world-1 */
    int tp_world;  /* 2..TP_WORLD_MAX (1 with TP_NONE) */
    perm_t perm;
    char fault[DESC_FAULT_MAX]; /* "" = none */
};

/* Limits on shapes accepted by the parser (bad input must never lead to a
 * huge allocation): each dimension at most DESC_DIM_MAX. */
#define DESC_DIM_MAX (1 << 20)

void desc_default(struct case_desc *d);

/* Parses a descriptor line (keys in any order, whitespace separated; a key
 * given twice is an error). On error returns -1 and writes a message naming the
 * key and the rule into err (errlen bytes). Validation is included. */
int desc_parse(const char *line, struct case_desc *d, char *err, size_t errlen);

/* Like desc_parse, but checks only the rules on single keys (ranges, n % 8,
 * k % 8, the form of g, names); the cross-key rules of desc_validate are left
 * out. Lets batch expansion tell a bad value (an error) from an impossible
 * combination in a cross product (skipped). */
int desc_parse_fields(const char *line, struct case_desc *d, char *err, size_t errlen);

/* Checks every rule: single keys (ranges, n % 8, k % 8, g = -1 or a positive
 * multiple of 8, bias 0|1, fault name) and the cross-key rules: k % g,
 * act-order with g = -1, awq with g_idx, zproute other than auto without
 * adapter=vllm-xpu (print omits zproute there), perm other than random
 * without gidx=act (print omits perm=random). Returns 0 or -1 with a
 * message. */
int desc_validate(const struct case_desc *d, char *err, size_t errlen);

/* Canonical one-line form; parse(print(d)) == d. Returns chars written
 * (like snprintf). */
int desc_print(const struct case_desc *d, char *buf, size_t len);

/* Effective group size (g = -1 -> k) and the group count of the stored scales:
 * k / group size, except for an act-order row-parallel shard, whose scales stay
 * whole (the layer's k * tp_world / g groups; docs/descriptors.md). */
int64_t desc_group_size(const struct case_desc *d);
int64_t desc_groups(const struct case_desc *d);
/* The whole layer's k and n (the shard's times tp_world along the split axis). */
int64_t desc_layer_k(const struct case_desc *d);
int64_t desc_layer_n(const struct case_desc *d);

const char *fmt_name(fmt_t f);
const char *adapter_name(adapter_t a);
const char *zp_name(zp_t z);
const char *gidx_name(gidx_t g);
const char *data_name(data_t d);
const char *zproute_name(zproute_t r);
const char *tp_split_name(tp_split_t t);
const char *perm_name(perm_t p);
/* 1 for the data modes compared exactly (one right answer): exact, edge. */
int data_is_exact(data_t d);
int desc_equal(const struct case_desc *a, const struct case_desc *b);

#endif

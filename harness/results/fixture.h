/* fixture.h - one case as a file: a gzip'd safetensors file
 * (*.safetensors.gz) that replays the case anywhere without regenerating it.
 *
 * Tensors:
 *   the packed checkpoint, named as its format names them (formats.h):
 *     qweight, qzeros, scales, g_idx (gptq-v1/v2, awq without g_idx) or
 *     weight_packed, weight_scale, weight_zero_point, weight_g_idx (ct)
 *   x      [M][K] activations, F16 or BF16 (the descriptor's dt)
 *   bias   [N] (only with bias=1)
 *   y_ref  [M][N] F64: the double reference before rounding to dt. Stored
 *          unrounded so that the golden test can hold the reference to its
 *          exact bits, and so that replay can apply the real-mode bound,
 *          which needs the unrounded value; the rounded answer is
 *          dt_from_double(dt, y_ref) (RNE).
 *   y_dev  [M][N] in dt: what the device wrote (only when the kernel ran)
 * __metadata__ (strings):
 *   format "gptq-harness-fixture/1", descriptor (the canonical descriptor
 *   line), adapter, verdict, reason (not for PASSED), device, kernel,
 *   kernel_hash (FNV-1a 64 of the kernel source, when known),
 *   harness_version. Keys without a value are left out. */
#ifndef GH_FIXTURE_H
#define GH_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "cases/desc.h"
#include "formats/tensor.h"

#define FIXTURE_FORMAT "gptq-harness-fixture/1"
#define FIXTURE_SUFFIX ".safetensors.gz"

struct fixture_case {
    const struct case_desc *d;
    const struct tensor_set *ckpt;                                /* packed checkpoint */
    const uint16_t *x;                                            /* [M][K] */
    const uint16_t *bias;                                         /* [N]; used when d->bias */
    const double *yref;                                           /* [M][N] */
    const uint16_t *ydev;                                         /* [M][N] or NULL */
    const char *verdict, *reason, *device, *kernel, *kernel_hash; /* NULL or "": left out */
};

/* Writes the fixture to path (gzip'd). Returns 0 or -1 + err. */
int fixture_write(const char *path, const struct fixture_case *c, char *err, size_t errlen);

#define FIXTURE_META_MAX 256

struct fixture {
    struct case_desc d;
    struct tensor_set ckpt;          /* the packed tensors */
    struct tensor_set io;            /* x, bias, y_ref, y_dev */
    const uint16_t *x, *bias, *ydev; /* into io; bias, ydev NULL when absent */
    const double *yref;
    char verdict[FIXTURE_META_MAX], device[FIXTURE_META_MAX], kernel[FIXTURE_META_MAX],
        kernel_hash[FIXTURE_META_MAX], version[FIXTURE_META_MAX];
};

/* Reads and checks a fixture (plain or gzip'd safetensors): the format key,
 * a valid descriptor, only tensors a fixture holds, x / bias / y_ref / y_dev
 * with the descriptor's shapes and dtypes. The packed tensors are checked
 * when they are unpacked. max_bytes: the reader's cap (0: default). Returns
 * 0, or -1 + err (fx is then empty). */
int fixture_read(const char *path, uint64_t max_bytes, struct fixture *fx, char *err,
                 size_t errlen);
/* Same, from a whole file held in memory (for fuzzing). */
int fixture_read_mem(const void *buf, size_t len, uint64_t max_bytes, struct fixture *fx, char *err,
                     size_t errlen);
void fixture_free(struct fixture *fx);

/* A new file name for d in dir: the descriptor with unsafe characters
 * replaced ("fmt-gptq-v1_adapter-reference_m-1_..."), FIXTURE_SUFFIX, and
 * "-2", "-3", ... before the suffix when the name is taken. Returns 0, or -1
 * when it does not fit len. */
int fixture_name(const char *dir, const struct case_desc *d, char *out, size_t len);

#endif

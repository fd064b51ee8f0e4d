/* w4a16.h - the kernel contract as a C function (docs/abi.md): the public
 * header of native kernels loaded from a shared library with
 * `gptq-harness run --kernel plugin:PATH.so`. A plugin is an independent
 * library: it includes this header and nothing else of the harness.
 *
 * A plugin exports (C linkage, default visibility):
 *
 *   uint32_t w4a16_abi_version(void);              required: returns W4A16_ABI_VERSION
 *   int w4a16_gemm(const struct w4a16_args *args);  required: 0 on success
 *   const char *w4a16_name(void);                   optional: one line naming the
 *                                                   implementation and its device
 *
 * The harness dlopens the library (RTLD_NOW | RTLD_LOCAL), checks that both
 * required symbols exist and that w4a16_abi_version() equals the harness's
 * W4A16_ABI_VERSION, and otherwise reports every case as ERROR with the reason.
 * w4a16_gemm should also check args->version (the field is first in every
 * version of the struct) and return non-zero on a mismatch. A non-zero
 * return is reported as ERROR "plugin returned N"; a message on stderr
 * helps the user. The harness calls w4a16_gemm from one thread at a time;
 * a plugin may use threads or a device inside the call.
 *
 * Tensors (host memory, valid only during the call; G = K / group_size):
 *   a      [M][K]   activations, f16/bf16 bits (dtype)
 *   b      [N][K/8] uint32, nibble i of word (n, j) = weight row 8j+i of column n,
 *                   rows in kernel order (group-sorted when perm is given):
 *                   row k belongs to group k / group_size
 *   scale  [G][N]   dtype bits
 *   zp     [G][N/8] uint32 packed along N (nibble j of word (g, c) = zero point of
 *                   column 8c+j), low nibble first, used as is (no +1);
 *                   NULL: every zero point is zp_scalar (8 for uint4b8)
 *   perm   [K]      int32 permutation of A's columns (A'[:, k] = A[:, perm[k]]), or NULL
 *   bias   [N]      dtype bits, or NULL
 *   out    [M][N]   dtype bits; every element must be written, nothing before or
 *                   after it, no input, nothing after returning (the harness
 *                   checks guard zones around out and every input, and keeps
 *                   the buffers, which are copies, to see late writes)
 * Absent tensors are NULL pointers, and flags says the same (W4A16_HAS_*).
 *
 * Arithmetic: W[k][n] = (q - z) * scale[k / group_size][n] computed in float;
 * Y[m][n] = sum_k A'[m][k] * W[k][n] accumulated in float (+ bias[n]); the
 * result rounded to the output dtype to nearest even (never truncated).
 * Preconditions the harness guarantees: 1 <= M, N, K <= INT32_MAX, N % 8 == 0,
 * K % 8 == 0, group_size > 0 divides K (it need not be a multiple of 8).
 *
 * Timing: kernel_ms points to a double set to -1 before the call. A plugin
 * that can time its device work (without host<->device copies) stores the
 * milliseconds there; otherwise the harness reports the wall time of the
 * call. Other hosts may pass kernel_ms == NULL. */
#ifndef GH_W4A16_H
#define GH_W4A16_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define W4A16_ABI_VERSION 1u

/* Names the harness looks up with dlsym. */
#define W4A16_SYM_GEMM "w4a16_gemm"
#define W4A16_SYM_VERSION "w4a16_abi_version"
#define W4A16_SYM_NAME "w4a16_name"

#if defined(__GNUC__) || defined(__clang__)
#define W4A16_EXPORT __attribute__((visibility("default")))
#else
#define W4A16_EXPORT
#endif

enum w4a16_dtype { W4A16_F16 = 0, W4A16_BF16 = 1 };

/* flags: the same facts as the OpenCL build options W4_HAS_* */
enum w4a16_flags { W4A16_HAS_ZP = 1u << 0, W4A16_HAS_PERM = 1u << 1, W4A16_HAS_BIAS = 1u << 2 };

struct w4a16_args {
    uint32_t version; /* W4A16_ABI_VERSION; always the first field */
    uint32_t dtype;   /* enum w4a16_dtype, of a, scale, bias and out */
    uint32_t flags;   /* enum w4a16_flags */
    int32_t M, N, K;
    int32_t group_size; /* positive, divides K */
    int32_t zp_scalar;  /* used when zp == NULL */
    const uint16_t *a;
    const uint32_t *b;
    const uint16_t *scale;
    const uint32_t *zp;
    const int32_t *perm;
    const uint16_t *bias;
    uint16_t *out;
    double *kernel_ms; /* out: device time in ms, when the plugin measures it */
};

typedef int (*w4a16_gemm_fn)(const struct w4a16_args *args);
typedef uint32_t (*w4a16_abi_version_fn)(void);
typedef const char *(*w4a16_name_fn)(void);

/* The entry points, for plugins to define (the harness never links them). */
W4A16_EXPORT uint32_t w4a16_abi_version(void);
W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *args);
W4A16_EXPORT const char *w4a16_name(void);

#ifdef __cplusplus
}
#endif

#endif

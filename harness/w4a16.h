/* w4a16.h - the kernel contract as a C function (DESIGN §4), for native
 * kernels loaded from a shared library with --kernel plugin:PATH.so.
 *
 * A plugin exports
 *     int w4a16_gemm(const struct w4a16_args *args);   // 0 on success
 * and checks args->version == W4A16_ABI_VERSION.
 *
 *   a      [M][K]   activations, f16/bf16 bits (dtype)
 *   b      [N][K/8] uint32, nibble i of word (n, j) = weight row 8j+i of column n,
 *                   rows in kernel order (group-sorted when perm is given)
 *   scale  [G][N]   dtype bits, G = K / group_size
 *   zp     [G][N/8] uint32 packed along N, low nibble first, used as is;
 *                   NULL: every zero point is zp_scalar
 *   perm   [K]      int32 permutation of A's columns (A'[:, k] = A[:, perm[k]]), or NULL
 *   bias   [N]      dtype bits, or NULL
 *   out    [M][N]   dtype bits; every element must be written
 * Arithmetic: dequantize and accumulate in float, round the result to the
 * output dtype to nearest even. */
#ifndef GH_W4A16_H
#define GH_W4A16_H

#include <stdint.h>

#define W4A16_ABI_VERSION 1u

enum w4a16_dtype { W4A16_F16 = 0, W4A16_BF16 = 1 };

struct w4a16_args {
    uint32_t version; /* W4A16_ABI_VERSION */
    uint32_t dtype;   /* enum w4a16_dtype */
    int32_t M, N, K;
    int32_t group_size; /* positive, divides K */
    int32_t zp_scalar;  /* used when zp == NULL (8 for uint4b8) */
    const uint16_t *a;
    const uint32_t *b;
    const uint16_t *scale;
    const uint32_t *zp;
    const int32_t *perm;
    const uint16_t *bias;
    uint16_t *out;
};

typedef int (*w4a16_gemm_fn)(const struct w4a16_args *args);

#endif

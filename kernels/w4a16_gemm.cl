/* w4a16_gemm.cl - the plain reference kernel of the W4A16 contract
 * (docs/abi.md). One work-item per output element, no local memory, no
 * tricks: it is meant to be obviously correct, not fast.
 *
 * Build options (set by the harness):
 *   -DW4_BF16=0|1      activations/scales/bias/out are bf16 (1) or f16 (0)
 *   -DW4_HAS_ZP=0|1    zero points from zp [G][N/8] (1) or zp_scalar (0)
 *   -DW4_HAS_PERM=0|1  A'[:, k] = A[:, perm[k]] (1) or A' = A (0)
 *   -DW4_HAS_BIAS=0|1  add bias[n] (1)
 * Absent tensors are never read.
 *
 * Arithmetic: f16 through vload_half / vstore_half_rte (no cl_khr_fp16),
 * bf16 by bit shifts with round-to-nearest-even on store; dequantize and
 * accumulate in float; round once to the output dtype. OpenCL C 1.2. */

#ifndef W4_BF16
#define W4_BF16 0
#endif
#ifndef W4_HAS_ZP
#define W4_HAS_ZP 0
#endif
#ifndef W4_HAS_PERM
#define W4_HAS_PERM 0
#endif
#ifndef W4_HAS_BIAS
#define W4_HAS_BIAS 0
#endif

/* Element i of a buffer of 16-bit activation-dtype values, as float (exact). */
static float w4_load(__global const ushort *p, size_t i) {
#if W4_BF16
    return as_float((uint)p[i] << 16);
#else
    return vload_half(i, (__global const half *)p);
#endif
}

#if W4_BF16
/* float -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN. */
static ushort w4_float_to_bf16(float v) {
    const uint bits = as_uint(v);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (ushort)((bits >> 16) | 0x0040u);
    return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}
#endif

/* Stores v to element i, rounded once to the output dtype (RNE). */
static void w4_store(__global ushort *p, size_t i, float v) {
#if W4_BF16
    p[i] = w4_float_to_bf16(v);
#else
    vstore_half_rte(v, i, (__global half *)p);
#endif
}

/* Nibble j (0..7) of a 32-bit word, low nibble first. */
static int w4_nibble(uint word, int j) { return (int)((word >> (4 * j)) & 0xFu); }

__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size,
                         int zp_scalar) {
    const int n = (int)get_global_id(0);
    const int m = (int)get_global_id(1);
    if (n >= N || m >= M) return;

    __global const uint *bcol = b + (size_t)n * (size_t)(K / 8); /* row n of [N][K/8] */
    __global const ushort *arow = a + (size_t)m * (size_t)K;     /* row m of [M][K] */

    float acc = 0.0f;
    for (int k = 0; k < K; k++) {
        const int g = k / group_size;
        const int q = w4_nibble(bcol[k / 8], k % 8);
#if W4_HAS_ZP
        const int z = w4_nibble(zp[(size_t)g * (size_t)(N / 8) + (size_t)(n / 8)], n % 8);
#else
        const int z = zp_scalar;
#endif
        const float w = (float)(q - z) * w4_load(scale, (size_t)g * (size_t)N + (size_t)n);
#if W4_HAS_PERM
        const int src = perm[k];
#else
        const int src = k;
#endif
        acc += w4_load(arow, (size_t)src) * w;
    }
#if W4_HAS_BIAS
    acc += w4_load(bias, (size_t)n);
#endif
    w4_store(out, (size_t)m * (size_t)N + (size_t)n, acc);
}

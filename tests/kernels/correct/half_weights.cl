/* half_weights.cl - a correct kernel written differently: each dequantized
 * weight (q - z) * s is rounded to the activation dtype (f16 or bf16, RNE)
 * before it is multiplied and accumulated in float, as kernels that feed
 * half-precision matrix units do. The real-mode bound's u_w term covers it;
 * in exact mode (q - z) * s is exact in the dtype anyway. */
#include "../w4_test_common.h"

/* v rounded to the activation dtype and back. */
static float to_dtype(float v) {
#if W4_BF16
    const uint bits = as_uint(v);
    return as_float(((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16) << 16);
#else
    ushort h[1];
    vstore_half_rte(v, 0, (__private half *)h);
    return vload_half(0, (__private const half *)h);
#endif
}

__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= N || m >= M) return;
    float acc = 0.0f;
    for (int k = 0; k < K; k++)
        acc += act(a, perm, m, k, K) *
               to_dtype(weight(b, scale, zp, n, k, N, K, group_size, zp_scalar));
#if W4_HAS_BIAS
    acc += ld(bias, n);
#endif
    st(out, (size_t)m * N + n, acc);
}

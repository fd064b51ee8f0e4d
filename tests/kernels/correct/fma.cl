/* fma.cl - a correct kernel written differently: the plain algorithm with
 * every multiply-add fused (fma: one rounding per step instead of two). The
 * comparison must accept it (exact mode: every partial sum is exact either
 * way; real mode: within the bound). */
#include "../w4_test_common.h"

__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= N || m >= M) return;
    float acc = 0.0f;
    for (int k = 0; k < K; k++)
        acc = fma(act(a, perm, m, k, K), weight(b, scale, zp, n, k, N, K, group_size, zp_scalar),
                  acc);
#if W4_HAS_BIAS
    acc += ld(bias, n);
#endif
    st(out, (size_t)m * N + n, acc);
}

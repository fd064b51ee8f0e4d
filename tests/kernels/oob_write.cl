/* oob_write.cl - a correct kernel that also writes one element past the
 * output (into the harness's guard region): must end FAILED. */
#include "w4_test_common.h"

__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= N || m >= M) return;
    float acc = part_sum(a, b, scale, zp, perm, m, n, N, K, group_size, zp_scalar, 0, K);
#if W4_HAS_BIAS
    acc += ld(bias, n);
#endif
    st(out, (size_t)m * N + n, acc);
    if (n == N - 1 && m == M - 1) st(out, (size_t)M * N, acc); /* one past the end */
}

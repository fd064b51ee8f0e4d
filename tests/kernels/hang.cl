/* hang.cl - a correct kernel, except that for M == 2 it never finishes (it
 * spins on a volatile read that never matches): the per-case watchdog must
 * end that case as ERROR and the sweep must go on with a fresh context. */
#include "w4_test_common.h"

__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (M == 2) {
        volatile __global const uint *vb = (volatile __global const uint *)b;
        uint spins = 0;
        while (vb[0] != ~vb[0] || K > 0) spins++; /* always true: K > 0 */
        out[n] = (ushort)spins;
    }
    if (n >= N || m >= M) return;
    float acc = part_sum(a, b, scale, zp, perm, m, n, N, K, group_size, zp_scalar, 0, K);
#if W4_HAS_BIAS
    acc += ld(bias, n);
#endif
    st(out, (size_t)m * N + n, acc);
}

/* splitk_tree.cl - a correct kernel written differently: split-K with a
 * tree reduction. An 8 x 8 work-group owns an 8-column x 8-row block of the
 * output; work-item (lx, ly) sums K slice ly (of 8) for column lx and all 8
 * rows, the 8 slices are combined pairwise in local memory (slices 4 apart,
 * then 2, then 1), and work-item (lx, ly) stores row ly, column lx. */
#include "../w4_test_common.h"

#define BX 8
#define BY 8
#define SLICES BY

__kernel __attribute__((reqd_work_group_size(BX, BY, 1))) void
w4a16_gemm(__global const ushort *a, __global const uint *b, __global const ushort *scale,
           __global const uint *zp, __global const int *perm, __global const ushort *bias,
           __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    __local float part[SLICES][BY][BX];
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int n = get_global_id(0), m0 = get_group_id(1) * BY;
    const int per = (K + SLICES - 1) / SLICES;
    const int k0 = ly * per, k1 = min(K, k0 + per);
    float acc[BY];
    for (int r = 0; r < BY; r++)
        acc[r] = 0.0f;
    if (n < N)
        for (int k = k0; k < k1; k++) {
            const float w = weight(b, scale, zp, n, k, N, K, group_size, zp_scalar);
            for (int r = 0; r < BY && m0 + r < M; r++)
                acc[r] += act(a, perm, m0 + r, k, K) * w;
        }
    for (int r = 0; r < BY; r++)
        part[ly][r][lx] = acc[r];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = SLICES / 2; stride > 0; stride /= 2) {
        if (ly < stride)
            for (int r = 0; r < BY; r++)
                part[ly][r][lx] += part[ly + stride][r][lx];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const int m = m0 + ly;
    if (n >= N || m >= M) return;
    float y = part[0][ly][lx];
#if W4_HAS_BIAS
    y += ld(bias, n);
#endif
    st(out, (size_t)m * N + n, y);
}

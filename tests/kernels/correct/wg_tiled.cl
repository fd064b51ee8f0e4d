/* wg_tiled.cl - a correct kernel written differently: 16 x 8 work-groups
 * (a shape of its own) that stage a 8-row x 64-k tile of the activations in
 * local memory, shared by the group's 16 columns. Work-items past N or M
 * help load and wait at the barriers but store nothing. */
#include "../w4_test_common.h"

#define WX 16
#define WY 8
#define TK 64

__kernel __attribute__((reqd_work_group_size(WX, WY, 1))) void
w4a16_gemm(__global const ushort *a, __global const uint *b, __global const ushort *scale,
           __global const uint *zp, __global const int *perm, __global const ushort *bias,
           __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    __local float xs[WY][TK];
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int n = get_global_id(0), m = get_global_id(1);
    const int m0 = get_group_id(1) * WY;
    const int lid = ly * WX + lx;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TK) {
        /* the group loads rows m0..m0+WY-1, columns k0..k0+TK-1 (in kernel order) */
        for (int i = lid; i < WY * TK; i += WX * WY) {
            const int r = i / TK, kk = k0 + i % TK, mr = m0 + r;
            const float v = mr < M && kk < K ? act(a, perm, mr, kk, K) : 0.0f;
            xs[r][i % TK] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (n < N && m < M) {
            for (int kk = 0; kk < TK && k0 + kk < K; kk++)
                acc += xs[ly][kk] *
                       weight(b, scale, zp, n, k0 + kk, N, K, group_size, zp_scalar);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (n >= N || m >= M) return;
#if W4_HAS_BIAS
    acc += ld(bias, n);
#endif
    st(out, (size_t)m * N + n, acc);
}

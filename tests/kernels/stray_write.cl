/* stray_write.cl - a correct kernel that also writes one element where it
 * must not, chosen by M (so that one file covers every memory-integrity
 * check; the harness must end each case FAILED, naming what was hit):
 *   M = 1: out[-1], just before the output (the guard zone before it)
 *   M = 2: out[M*N + 2000], far past the end (inside the guard zone after it
 *          when N <= 64: compare_guard is at least 2048 elements)
 *   M = 3..8: the last element of a, b, scale, zp, perm, bias (in that order)
 *   M = 9: out[-100000], M = 10: out[M*N + 100000] (a wrong base or a stray
 *          constant offset: inside the guard zones, at least 131072 elements)
 * The stray write is made by the last work-item after its own store. */
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
    if (n != N - 1 || m != M - 1) return;
    const int G = K / group_size;
    if (M == 1) out[-1] = 0x1234;
    if (M == 2) out[M * N + 2000] = 0x1234;
    if (M == 3) ((__global ushort *)a)[M * K - 1] ^= 1;
    if (M == 4) ((__global uint *)b)[N * (K / 8) - 1] ^= 1;
    if (M == 5) ((__global ushort *)scale)[G * N - 1] ^= 1;
    if (M == 6) ((__global uint *)zp)[G * (N / 8) - 1] ^= 1;
    if (M == 7) ((__global int *)perm)[K - 1] ^= 1;
    if (M == 8) ((__global ushort *)bias)[N - 1] ^= 1;
    if (M == 9) out[-100000] = 0x1234;
    if (M == 10) out[M * N + 100000] = 0x1234;
}

/* racy.cl - each output gets its two halves of K from two work-items of
 * different work-groups, added with an atomic compare-exchange in whatever
 * order they arrive: right within tolerance, but the bits depend on the
 * schedule (for the --repeat bitwise test, real data). */
#include "w4_test_common.h"

/* Adds v to the f16/bf16 element i with a compare-exchange loop on the
 * 32-bit word holding it; the poison (a NaN) counts as "empty". */
static void add_to(__global ushort *out, size_t i, float v) {
    volatile __global uint *w = (volatile __global uint *)(out + (i & ~(size_t)1));
    const int hi = (int)(i & 1);
    for (;;) {
        const uint old = *w;
        const ushort cur = hi ? (ushort)(old >> 16) : (ushort)(old & 0xFFFFu);
        float have;
#if W4_BF16
        have = as_float((uint)cur << 16);
#else
        have = vload_half(0, (const __private half *)&cur);
#endif
        const float sum = isnan(have) ? v : have + v;
        ushort nb;
#if W4_BF16
        const uint bits = as_uint(sum);
        nb = (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
#else
        ushort tmp2;
        vstore_half_rte(sum, 0, (__private half *)&tmp2);
        nb = tmp2;
#endif
        const uint neu = hi ? ((old & 0xFFFFu) | ((uint)nb << 16)) : ((old & 0xFFFF0000u) | nb);
        if (atomic_cmpxchg(w, old, neu) == old) return;
    }
}

/* Work-group = 8 columns. Work-item (n, m) adds the first half of K of its
 * own column and the second half of column (n + N/2) % N (a work-group far
 * away, likely on another compute unit or thread), so every output gets two
 * atomic additions from two work-groups, in schedule order. Needs N % 16 == 0. */
__kernel __attribute__((reqd_work_group_size(8, 1, 1))) void
w4a16_gemm(__global const ushort *a, __global const uint *b, __global const ushort *scale,
           __global const uint *zp, __global const int *perm, __global const ushort *bias,
           __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= N || m >= M) return;
    const int h = K / 2 - (K / 2) % 8;
    float own = part_sum(a, b, scale, zp, perm, m, n, N, K, group_size, zp_scalar, 0, h);
#if W4_HAS_BIAS
    own += ld(bias, n);
#endif
    add_to(out, (size_t)m * N + n, own);
    const int o = (n + N / 2) % N;
    if (N % 16 == 0)
        add_to(out, (size_t)m * N + o, part_sum(a, b, scale, zp, perm, m, o, N, K, group_size,
                                                zp_scalar, h, K));
}

/* hang.cl - a correct kernel, except that for M == 2 it never finishes (it
 * spins on a volatile read that never matches): the per-case watchdog must
 * end that case as ERROR and the sweep must go on with a fresh context. */
#ifndef W4_BF16
#define W4_BF16 0
#endif
static float ld(__global const ushort *p, size_t i) {
#if W4_BF16
    return as_float((uint)p[i] << 16);
#else
    return vload_half(i, (__global const half *)p);
#endif
}
static void st(__global ushort *p, size_t i, float v) {
#if W4_BF16
    const uint bits = as_uint(v);
    p[i] = (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
#else
    vstore_half_rte(v, i, (__global half *)p);
#endif
}
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
    float acc = 0.0f;
    for (int k = 0; k < K; k++) {
        const int g = k / group_size;
#if W4_HAS_PERM
        const float x = ld(a, (size_t)m * K + perm[k]);
#else
        const float x = ld(a, (size_t)m * K + k);
#endif
        const int q = (b[(size_t)n * (K / 8) + k / 8] >> (4 * (k % 8))) & 15;
#if W4_HAS_ZP
        const int z = (zp[(size_t)g * (N / 8) + n / 8] >> (4 * (n % 8))) & 15;
#else
        const int z = zp_scalar;
#endif
        acc += x * ((float)(q - z) * ld(scale, (size_t)g * N + n));
    }
#if W4_HAS_BIAS
    acc += ld(bias, n);
#endif
    st(out, (size_t)m * N + n, acc);
}

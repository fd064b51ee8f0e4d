/* w4_test_common.h - shared by the test kernels next to it (the harness
 * builds kernels with -I their directory): activation-dtype load and store,
 * one activation and one dequantized weight in kernel order, and a plain
 * partial sum of one output over rows k0..k1-1 as the ABI (docs/abi.md)
 * defines it. Build options: W4_BF16, W4_HAS_ZP, W4_HAS_PERM. */
#ifndef W4_TEST_COMMON_H
#define W4_TEST_COMMON_H

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

/* Activation (m, k) in kernel order: A'[m][k] = A[m][perm[k]] with a perm. */
static float act(__global const ushort *a, __global const int *perm, int m, int k, int K) {
#if W4_HAS_PERM
    return ld(a, (size_t)m * K + perm[k]);
#else
    return ld(a, (size_t)m * K + k);
#endif
}

/* The dequantized weight of kernel row k, column n: (q - z) * s, in float. */
static float weight(__global const uint *b, __global const ushort *scale, __global const uint *zp,
                    int n, int k, int N, int K, int group_size, int zp_scalar) {
    const int g = k / group_size;
    const int q = (b[(size_t)n * (K / 8) + k / 8] >> (4 * (k % 8))) & 15;
#if W4_HAS_ZP
    const int z = (zp[(size_t)g * (N / 8) + n / 8] >> (4 * (n % 8))) & 15;
#else
    const int z = zp_scalar;
#endif
    return (float)(q - z) * ld(scale, (size_t)g * N + n);
}

static float part_sum(__global const ushort *a, __global const uint *b,
                      __global const ushort *scale, __global const uint *zp,
                      __global const int *perm, int m, int n, int N, int K, int group_size,
                      int zp_scalar, int k0, int k1) {
    float acc = 0.0f;
    for (int k = k0; k < k1; k++)
        acc += act(a, perm, m, k, K) * weight(b, scale, zp, n, k, N, K, group_size, zp_scalar);
    return acc;
}

#endif

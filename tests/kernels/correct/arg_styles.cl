/* arg_styles.cl - a correct kernel whose argument declarations differ from
 * the ABI's spelling in ways that mean the same: activations, scales, bias
 * and out as `short` or `half` pointers, the zero points as `int`, the
 * permutation as `uint`, `__constant` for the bias, the sizes as a typedef,
 * `uint` and `const unsigned int`. The argument checks (docs/abi.md) must
 * accept it and every case must pass. */
typedef int dim_t;

static float ld_bits(ushort bits) {
#if W4_BF16
    return as_float(((uint)bits) << 16);
#else
    return vload_half(0, (const half *)&bits);
#endif
}

static ushort st_bits(float v) {
#if W4_BF16
    const uint u = as_uint(v);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (ushort)((u >> 16) | 0x40u);
    return (ushort)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
#else
    ushort h;
    vstore_half_rte(v, 0, (half *)&h);
    return h;
#endif
}

__kernel void w4a16_gemm(__global const short *a, __global const uint *b,
                         __global const half *scale, __global const int *zp,
                         __global const uint *perm, __constant ushort *bias,
                         __global short *out, dim_t M, uint N, const unsigned int K,
                         int group_size, const int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= (int)N || m >= M) return;
    const int KK = (int)K, NN = (int)N;
    float acc = 0.0f;
    for (int k = 0; k < KK; k++) {
        const int g = k / group_size;
        const int q = (int)((b[(size_t)n * (KK / 8) + k / 8] >> (4 * (k % 8))) & 15u);
#if W4_HAS_ZP
        const int z = (zp[(size_t)g * (NN / 8) + n / 8] >> (4 * (n % 8))) & 15;
#else
        const int z = zp_scalar;
#endif
        const float s = ld_bits(as_ushort(scale[(size_t)g * NN + n]));
#if W4_HAS_PERM
        const int src = (int)perm[k];
#else
        const int src = k;
#endif
        acc += ld_bits((ushort)a[(size_t)m * KK + src]) * ((float)(q - z) * s);
    }
#if W4_HAS_BIAS
    acc += ld_bits(bias[n]);
#endif
    out[(size_t)m * NN + n] = (short)st_bits(acc);
}

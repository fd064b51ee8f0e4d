/* float_m.cl - M declared float: the same size as the ABI's int, so the
 * launch would go ahead and read garbage; the argument check must refuse
 * it, naming argument 7. */
__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b, __global const ushort *scale, __global const uint *zp, __global const int *perm, __global const ushort *bias,
                         __global ushort *out, float M, int N, int K, int group_size,
                         int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (n < N && m < (int)M) out[(size_t)m * N + n] = 0;
}

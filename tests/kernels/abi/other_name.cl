/* other_name.cl - a kernel under another name: the message lists the
 * kernels the program does define. */
__kernel void w4a16_gemm_v2(__global const ushort *a, __global const uint *b, __global const ushort *scale, __global const uint *zp, __global const int *perm, __global const ushort *bias,
                            __global ushort *out, int M, int N, int K, int group_size,
                            int zp_scalar) {
    const int n = get_global_id(0), m = get_global_id(1);
    if (n < N && m < M) out[(size_t)m * N + n] = 0;
}

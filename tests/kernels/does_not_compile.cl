/* A kernel with a syntax error: the harness must report ERROR with this
 * build log, not crash. */
__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    int n = get_global_id(0)
    out[n] = undeclared_identifier;
}

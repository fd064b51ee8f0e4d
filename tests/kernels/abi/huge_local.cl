/* huge_local.cl - a static __local array of 256 MiB, more than any device's
 * local memory: refused before a launch (PoCL would abort the process at
 * the launch). */
__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size,
                         int zp_scalar) {
    __local uint tile[64 * 1024 * 1024];
    const int n = get_global_id(0), m = get_global_id(1);
    tile[get_local_id(0)] = (uint)n;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (n < N && m < M) out[(size_t)m * N + n] = (ushort)tile[0];
}

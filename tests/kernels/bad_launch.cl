/* bad_launch.cl - builds, but demands a work-group of 65536 work-items,
 * more than any device allows: the launch fails at run time
 * (CL_INVALID_WORK_GROUP_SIZE or similar) and the case must be ERROR. */
__kernel __attribute__((reqd_work_group_size(65536, 1, 1))) void
w4a16_gemm(__global const ushort *a, __global const uint *b, __global const ushort *scale,
           __global const uint *zp, __global const int *perm, __global const ushort *bias,
           __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    const int n = get_global_id(0);
    if (n < N * M) out[n] = 0;
}

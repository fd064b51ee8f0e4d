/* hang.cl - a kernel that never finishes (for the per-case watchdog test):
 * it spins on a volatile read that never matches. */
__kernel void w4a16_gemm(__global const ushort *a, __global const uint *b,
                         __global const ushort *scale, __global const uint *zp,
                         __global const int *perm, __global const ushort *bias,
                         __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    volatile __global const uint *vb = (volatile __global const uint *)b;
    uint spins = 0;
    while (vb[0] != ~vb[0] || K > 0) spins++; /* always true: K > 0 */
    out[get_global_id(0)] = (ushort)spins;
}

/* stray_write.c - the CPU plugin, plus one write where it must not, chosen
 * by M as in tests/kernels/stray_write.cl: M = 1 just before out, M = 2
 * 2000 elements past its end, M = 3..8 the last element of a, b, scale, zp,
 * perm, bias; M = 9 100000 elements before out, M = 10 100000 past its end.
 * The harness must end each case FAILED, naming what was hit. */
#include "cpu_wrap.h"

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *args) {
    int rc = cpu_gemm(args);
    if (rc != 0) return rc;
    const int64_t M = args->M, N = args->N, K = args->K, G = K / args->group_size;
    if (M == 1) args->out[-1] = 0x1234;
    if (M == 2) args->out[M * N + 2000] = 0x1234;
    if (M == 3) ((uint16_t *)args->a)[M * K - 1] ^= 1;
    if (M == 4) ((uint32_t *)args->b)[N * (K / 8) - 1] ^= 1;
    if (M == 5) ((uint16_t *)args->scale)[G * N - 1] ^= 1;
    if (M == 6 && args->zp) ((uint32_t *)args->zp)[G * (N / 8) - 1] ^= 1;
    if (M == 7 && args->perm) ((int32_t *)args->perm)[K - 1] ^= 1;
    if (M == 8 && args->bias) ((uint16_t *)args->bias)[N - 1] ^= 1;
    if (M == 9) args->out[-100000] = 0x1234;
    if (M == 10) args->out[M * N + 100000] = 0x1234;
    return 0;
}

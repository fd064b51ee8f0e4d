/* probe.c - a test plugin that reports what it received: out[0..9] hold
 * flags, whether zp/perm/bias are NULL, dtype, M, N, K, group_size and
 * zp_scalar; the rest of out is zero. It reports a kernel time of 1.25 ms
 * and names itself. Needs M*N >= 10. */
#include <stddef.h>

#include "w4a16.h"

#define PROBE_MS 1.25

W4A16_EXPORT uint32_t w4a16_abi_version(void) {
    return W4A16_ABI_VERSION;
}

W4A16_EXPORT const char *w4a16_name(void) {
    return "probe plugin";
}

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *p) {
    if (!p || p->version != W4A16_ABI_VERSION || (int64_t)p->M * p->N < 10) return 1;
    const int64_t total = (int64_t)p->M * p->N;
    const uint16_t facts[10] = {(uint16_t)p->flags,    p->zp == NULL,      p->perm == NULL,
                                p->bias == NULL,       (uint16_t)p->dtype, (uint16_t)p->M,
                                (uint16_t)p->N,        (uint16_t)p->K,     (uint16_t)p->group_size,
                                (uint16_t)p->zp_scalar};
    for (int64_t i = 0; i < total; i++)
        p->out[i] = i < 10 ? facts[i] : 0;
    if (p->kernel_ms) *p->kernel_ms = PROBE_MS;
    return 0;
}

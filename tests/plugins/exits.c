/* exits.c - a plugin that calls exit(0) when M == 2 and writes zeros
 * otherwise (so its other cases FAIL). In a worker its exit ends only that
 * case as ERROR; under --no-isolation the run must not end green, silently,
 * without its reports. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "w4a16.h"

__attribute__((visibility("default"))) uint32_t w4a16_abi_version(void) {
    return W4A16_ABI_VERSION;
}

__attribute__((visibility("default"))) int w4a16_gemm(const struct w4a16_args *a) {
    if (a->M == 2) exit(0);
    memset(a->out, 0, (size_t)a->M * (size_t)a->N * sizeof *a->out);
    return 0;
}

/* crash.c - a plugin that dies with SIGSEGV when M == 2 and is correct
 * otherwise... of a kind: it writes zeros (so its other cases FAIL). With
 * the device worker, its crash must end only that case as ERROR. */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "w4a16.h"

__attribute__((visibility("default"))) uint32_t w4a16_abi_version(void) {
    return W4A16_ABI_VERSION;
}

__attribute__((visibility("default"))) int w4a16_gemm(const struct w4a16_args *a) {
    if (a->M == 2) raise(SIGSEGV);
    memset(a->out, 0, (size_t)a->M * (size_t)a->N * sizeof *a->out);
    return 0;
}

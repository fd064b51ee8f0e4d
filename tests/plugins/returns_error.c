/* returns_error.c - a test plugin whose w4a16_gemm fails: the harness must
 * report ERROR "plugin returned 7" and go on with the sweep. */
#include <stdio.h>

#include "w4a16.h"

W4A16_EXPORT uint32_t w4a16_abi_version(void) {
    return W4A16_ABI_VERSION;
}

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *args) {
    (void)args;
    fprintf(stderr, "returns_error: failing on purpose\n");
    return 7;
}

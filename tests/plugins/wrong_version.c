/* wrong_version.c - a test plugin built for another ABI version (42). */
#include "w4a16.h"

#define WRONG_VERSION 42u

W4A16_EXPORT uint32_t w4a16_abi_version(void) {
    return WRONG_VERSION;
}

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *args) {
    return args ? 0 : 1;
}

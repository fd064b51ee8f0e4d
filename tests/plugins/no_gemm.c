/* no_gemm.c - a test plugin without the w4a16_gemm symbol. */
#include "w4a16.h"

W4A16_EXPORT uint32_t w4a16_abi_version(void) {
    return W4A16_ABI_VERSION;
}

/* no_version.c - a test plugin without the w4a16_abi_version symbol (as if
 * built against a header that predates it). */
#include "w4a16.h"

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *args) {
    return args ? 0 : 1;
}

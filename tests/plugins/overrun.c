/* overrun.c - the CPU plugin, plus one write just past the output: the
 * harness must see the guard change and report FAILED, although every
 * output element is right. */
#include "cpu_wrap.h"

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *args) {
    int rc = cpu_gemm(args);
    if (rc == 0) args->out[(int64_t)args->M * args->N] = 0; /* the first guard element */
    return rc;
}

/* late_write.c - the CPU plugin, plus a late write: each call first changes
 * one element of the output of the call before it (as an asynchronous copy
 * that lands after the plugin returned would), then computes its own output
 * correctly. The harness must charge the write to the earlier case (an
 * ERROR line naming it), pass the case that made no mistake of its own...
 * and, with --no-isolation, must not crash. */
#include "cpu_wrap.h"

static uint16_t *previous_out;

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *args) {
    if (previous_out) previous_out[0] ^= 1;
    previous_out = args->out;
    return cpu_gemm(args);
}

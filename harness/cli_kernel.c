/* cli_kernel.c - the kernel under test as the commands find and call it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend_cl.h"
#include "commands.h"

#define DEFAULT_KERNEL "kernels/w4a16_gemm.cl"

/* The default kernel: ./kernels/... when run from the checkout, else next to
 * the executable (build/../kernels/...). */
const char *cli_default_kernel(char *buf, size_t len) {
    if (access(DEFAULT_KERNEL, R_OK) == 0) return DEFAULT_KERNEL;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(buf, len, "%s/../%s", exe, DEFAULT_KERNEL);
            if (access(buf, R_OK) == 0) return buf;
        }
    }
    return DEFAULT_KERNEL;
}

void cli_cl_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t total,
                struct bk_result *res) {
    clb_run(self, t, out, total, res);
}

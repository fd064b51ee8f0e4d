/* cli_kernel.c - the kernel under test as the commands find and call it. */
#include <stdio.h>
#include <string.h>

#include "backends/backend_cl.h"
#include "cli/commands.h"

void cli_cl_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                struct bk_result *res) {
    clb_run(self, t, out, guard, res);
}

/* backend.c - the small helpers of the kernel-backend interface (see
 * backend.h). */
#include "backends/backend.h"

#include <stdlib.h>
#include <string.h>

const char *bk_input_name(int i) {
    static const char *const names[BK_NIN] = {"a", "b", "scale", "zp", "perm", "bias"};
    return i >= 0 && i < BK_NIN ? names[i] : "?";
}

void bk_result_clear(struct bk_result *r) {
    free(r->log);
    memset(r, 0, sizeof *r);
}

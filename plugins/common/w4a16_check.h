/* w4a16_check.h - argument checks for plugins (C and CUDA C++): whatever the
 * host passes, a plugin should refuse bad arguments with a message instead
 * of crashing. Header-only, so that a plugin stays one independent library;
 * it needs only w4a16.h. */
#ifndef W4A16_CHECK_H
#define W4A16_CHECK_H

#include <stdio.h>

#include "w4a16.h"

/* Returns 0, or 1 after printing "who: what is wrong" on stderr. Checks the
 * version, dtype, shape rules, group size, required pointers, that flags
 * agree with the optional pointers, zp_scalar, and that perm holds indices
 * in 0..K-1 (O(K)). */
static inline int w4a16_check_args(const struct w4a16_args *p, const char *who) {
    const char *bad = NULL;
    if (!p)
        bad = "args is NULL";
    else if (p->version != W4A16_ABI_VERSION)
        bad = "args->version is not the W4A16_ABI_VERSION this plugin was built with";
    else if (p->dtype != W4A16_F16 && p->dtype != W4A16_BF16)
        bad = "unknown dtype";
    else if (p->M <= 0 || p->N <= 0 || p->K <= 0 || p->N % 8 != 0 || p->K % 8 != 0)
        bad = "bad shape (M, N, K >= 1; N and K multiples of 8)";
    else if (p->group_size <= 0 || p->K % p->group_size != 0)
        bad = "group_size must be positive and divide K";
    else if (!p->a || !p->b || !p->scale || !p->out)
        bad = "a, b, scale or out is NULL";
    else if (!(p->flags & W4A16_HAS_ZP) != !p->zp || !(p->flags & W4A16_HAS_PERM) != !p->perm ||
             !(p->flags & W4A16_HAS_BIAS) != !p->bias)
        bad = "flags disagree with the optional pointers";
    else if (!p->zp && (p->zp_scalar < 0 || p->zp_scalar > 15))
        bad = "zp_scalar outside 0..15";
    else if (p->perm)
        for (int32_t k = 0; k < p->K && !bad; k++)
            if (p->perm[k] < 0 || p->perm[k] >= p->K) bad = "perm holds an index outside 0..K-1";
    if (!bad) return 0;
    fprintf(stderr, "%s: %s\n", who, bad);
    return 1;
}

#endif

/* randcase.c - random descriptors (see randcase.h). */
#include "cases/randcase.h"

#include "cases/prng.h"

/* Field f of case i: its own counter, so adding a field never shifts another. */
static int64_t pick(uint64_t seed, uint64_t i, unsigned f, int64_t lo, int64_t hi) {
    return prng_range(seed, RT_RANDCASE, i * 64 + f, lo, hi);
}

static int64_t draw_m(uint64_t seed, uint64_t i) {
    static const int64_t primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 61, 67, 97, 127};
    switch (pick(seed, i, 0, 0, 4)) {
    case 0:
        return 1;
    case 1:
        return pick(seed, i, 1, 1, 8);
    case 2:
        return primes[pick(seed, i, 1, 0, 15)];
    case 3: /* multiples of 4, 8, 16 */
        return ((int64_t)1 << pick(seed, i, 1, 2, 4)) * pick(seed, i, 2, 1, 8);
    default:
        return pick(seed, i, 1, 64, 256);
    }
}

static int64_t draw_n(uint64_t seed, uint64_t i) {
    switch (pick(seed, i, 3, 0, 3)) {
    case 0:
        return 8 * pick(seed, i, 4, 1, 32);
    case 1: /* around a multiple of 256 */
        return 256 * pick(seed, i, 4, 1, 8) + 8 * pick(seed, i, 5, -2, 2);
    case 2: /* a multiple of 32, 64 or 128 */
        return ((int64_t)32 << pick(seed, i, 4, 0, 2)) * pick(seed, i, 5, 1, 16);
    default:
        return 8 * pick(seed, i, 4, 1, 512);
    }
}

/* K's group count for group size g (K = g * groups): short, around 4096 and
 * 8192, or anywhere up to 16384. */
static int64_t draw_groups(uint64_t seed, uint64_t i, int64_t g) {
    int64_t target;
    switch (pick(seed, i, 6, 0, 3)) {
    case 0:
        target = pick(seed, i, 7, g, 512);
        break;
    case 1:
        target = 4096 + 8 * pick(seed, i, 7, -2, 4);
        break;
    case 2:
        target = 8192 + 8 * pick(seed, i, 7, -2, 4);
        break;
    default:
        target = pick(seed, i, 7, g, 16384);
    }
    int64_t groups = target / g;
    return groups < 1 ? 1 : groups;
}

void randcase_draw(uint64_t seed, uint64_t i, int64_t max_macs, struct case_desc *d) {
    static const int64_t gsizes[] = {8, 16, 24, 32, 40, 64, 128, 256, -1, 0 /* g = K */};
    desc_default(d);
    d->fmt = (fmt_t)pick(seed, i, 10, 0, FMT_COUNT - 1);
    d->zp = (zp_t)pick(seed, i, 11, 0, 1);
    d->dt = (dtype_t)pick(seed, i, 12, 0, 1);
    d->data = (data_t)pick(seed, i, 13, 0, 2);
    d->bias = (int)pick(seed, i, 14, 0, 1);
    d->seed = prng_u64(seed, RT_RANDCASE, i * 64 + 15);
    d->gidx = d->fmt == FMT_AWQ ? GIDX_NONE : (gidx_t)pick(seed, i, 16, 0, 2);
    int64_t g = gsizes[pick(seed, i, 17, 0, 9)];
    if (g == -1 && d->gidx == GIDX_ACT) g = 0; /* act-order needs groups: g = K */
    d->m = draw_m(seed, i);
    d->n = draw_n(seed, i);
    int64_t unit = g > 0 ? g : 8; /* g = -1 and g = K: any K % 8 == 0 */
    int64_t groups = draw_groups(seed, i, unit);
    /* the work cap: halve M, then N, then the group count */
    while (d->m * d->n * unit * groups > max_macs) {
        if (d->m > 1)
            d->m = (d->m + 1) / 2;
        else if (d->n > 8)
            d->n = (d->n / 16) * 8 > 8 ? (d->n / 16) * 8 : 8;
        else if (groups > 1)
            groups = (groups + 1) / 2;
        else
            break;
    }
    d->k = unit * groups;
    d->g = g > 0 ? g : g == -1 ? -1 : d->k;
    if (d->gidx == GIDX_ACT) d->perm = (perm_t)pick(seed, i, 18, 0, PERM_COUNT - 1);
}

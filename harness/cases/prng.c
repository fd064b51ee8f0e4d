/* prng.c - counter-based random numbers.
 *
 * prng_u64 hashes (seed, tensor, index) in three stages, each followed by a
 * 64-bit finalizer (the splitmix64 output function): the seed alone, then the
 * tensor id folded in with an odd-constant multiply, then the index folded in
 * the same way with a different constant. Every stage is a bijection of its
 * state for a fixed key, so for one (seed, tensor) distinct indices never
 * collide, and the tensor and seed perturb the whole state before the index is
 * added.
 *
 * Derived draws (the second draw of a rejection loop, the two uniforms of
 * Box-Muller) use a 64-bit "stream key" whose high half is a salt, so they
 * cannot coincide with prng_u64 of any 32-bit tensor id. */
#include "cases/prng.h"

#include <math.h>

#define GOLDEN_GAMMA 0x9E3779B97F4A7C15ull /* odd, 2^64 / golden ratio */
#define TENSOR_MULT 0xD6E8FEB86659FD93ull  /* odd */
#define INDEX_MULT 0xC2B2AE3D27D4EB4Full   /* odd */
#define SALT_NORMAL (1ull << 32)           /* stream key of prng_normal */
#define SALT_RETRY (2ull << 32)            /* stream key of prng_range retries */
#define RANGE_MAX_TRIES 64

static const double TWO_PI = 6.283185307179586476925286766559;

/* splitmix64 finalizer: a bijection on 64 bits with full avalanche. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t hash3(uint64_t seed, uint64_t stream, uint64_t index) {
    uint64_t h = mix64(seed + GOLDEN_GAMMA);
    h = mix64(h ^ (stream * TENSOR_MULT + GOLDEN_GAMMA));
    return mix64(h ^ (index * INDEX_MULT + GOLDEN_GAMMA));
}

/* Top 53 bits as a double in [0, 1). */
static double unit53(uint64_t r) {
    return (double)(r >> 11) * 0x1.0p-53;
}

uint64_t prng_u64(uint64_t seed, uint32_t tensor, uint64_t index) {
    return hash3(seed, tensor, index);
}

double prng_unit(uint64_t seed, uint32_t tensor, uint64_t index) {
    return unit53(prng_u64(seed, tensor, index));
}

/* Rejection sampling: accept r only outside the short first stretch
 * [0, 2^64 mod span) so that r mod span is exactly uniform. Attempt 0 is
 * prng_u64 itself; attempt a > 0 hashes (index, a) under a salted stream.
 * The rejection chance is below span / 2^64 per attempt, so the fallback after
 * RANGE_MAX_TRIES (plain modulo) is never reached in practice. hi < lo gives lo. */
int64_t prng_range(uint64_t seed, uint32_t tensor, uint64_t index, int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1u; /* 0 means all 2^64 values */
    uint64_t r = prng_u64(seed, tensor, index);
    if (span != 0) {
        uint64_t reject_below = (0u - span) % span; /* 2^64 mod span */
        if (r < reject_below) {
            uint64_t base = hash3(seed, SALT_RETRY | tensor, index);
            for (uint64_t a = 1; r < reject_below && a < RANGE_MAX_TRIES; a++)
                r = mix64(base + a * GOLDEN_GAMMA);
        }
        r %= span;
    }
    /* lo + r computed unsigned (no signed overflow); the conversion back wraps
     * modulo 2^64 on every compiler the harness supports. */
    return (int64_t)((uint64_t)lo + r);
}

/* Box-Muller (cosine branch) from counters 2*index and 2*index+1 of a salted
 * stream. u1 is in (0, 1], so log(u1) is finite. Indices >= 2^63 wrap. */
double prng_normal(uint64_t seed, uint32_t tensor, uint64_t index) {
    uint64_t stream = SALT_NORMAL | tensor;
    double u1 = (double)((hash3(seed, stream, 2 * index) >> 11) + 1u) * 0x1.0p-53;
    double u2 = unit53(hash3(seed, stream, 2 * index + 1u));
    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

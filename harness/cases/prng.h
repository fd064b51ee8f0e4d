/* prng.h - counter-based random numbers.
 *
 * A value is a pure function of (seed, tensor id, element index): a hash, not
 * a stream, so the bits of a tensor never depend on generation order or on the
 * number of threads. */
#ifndef GH_PRNG_H
#define GH_PRNG_H

#include <stdint.h>

/* Tensor ids: each generated tensor draws from its own id. */
enum prng_tensor {
    RT_X = 1,
    RT_Q,
    RT_Z,
    RT_S,
    RT_PERM,
    RT_BIAS,
    RT_WREAL, /* latent Gaussian weights (real mode) */
    RT_XREAL,
    RT_AUX,
    RT_EDGE_ROW, /* edge mode: row classes and their values */
    RT_EDGE_COL, /* edge mode: column classes, targets and exponents */
    RT_RANDCASE  /* run --random: the descriptors drawn (randcase.h) */
};

uint64_t prng_u64(uint64_t seed, uint32_t tensor, uint64_t index);
/* Uniform in [0, 1) with 53 random bits. */
double prng_unit(uint64_t seed, uint32_t tensor, uint64_t index);
/* Uniform integer in [lo, hi] (inclusive). */
int64_t prng_range(uint64_t seed, uint32_t tensor, uint64_t index, int64_t lo, int64_t hi);
/* Standard normal (Box-Muller from two hashed counters). */
double prng_normal(uint64_t seed, uint32_t tensor, uint64_t index);

#endif

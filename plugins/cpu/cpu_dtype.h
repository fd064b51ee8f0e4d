/* cpu_dtype.h - f16/bf16 <-> float for the CPU plugin, written here because
 * a plugin is an independent library (it must not link the harness).
 * Narrowing rounds to nearest, ties to even; NaN stays a (quiet) NaN,
 * overflow becomes Inf, tiny values become subnormals or signed zero. */
#ifndef W4A16_CPU_DTYPE_H
#define W4A16_CPU_DTYPE_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float cpu_bits_to_float(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t cpu_float_to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float cpu_f16_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t expo = (h >> 10) & 0x1Fu;
    const uint32_t frac = h & 0x3FFu;
    if (expo == 0) { /* zero or subnormal: frac units of 2^-24, exact in float */
        const float v = (float)frac * 0x1p-24f;
        return sign ? -v : v;
    }
    if (expo == 0x1F) /* Inf or NaN: keep the payload, NaN stays NaN */
        return cpu_bits_to_float(sign | 0x7F800000u | (frac << 13));
    return cpu_bits_to_float(sign | ((expo + 112u) << 23) | (frac << 13));
}

static inline uint16_t cpu_float_to_f16(float x) {
    const uint32_t u = cpu_float_to_bits(x);
    const uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t mag = u & 0x7FFFFFFFu;
    if (mag > 0x7F800000u) return sign | 0x7E00u;  /* NaN */
    if (mag >= 0x477FF000u) return sign | 0x7C00u; /* >= 65520 rounds to Inf */
    if (mag < 0x38800000u) {                       /* below 2^-14: subnormal result */
        /* |x| * 2^24 is exact; rint rounds it to an integer, ties to even
         * (the default rounding mode). 1024 is the smallest normal's code. */
        return sign | (uint16_t)rintf(cpu_bits_to_float(mag) * 0x1p24f);
    }
    /* Normal: drop 13 fraction bits with ties to even; a carry moves into
     * the exponent, which is the right result. Rebias 127 -> 15. */
    mag += 0xFFFu + ((mag >> 13) & 1u);
    return sign | (uint16_t)((mag - 0x38000000u) >> 13);
}

static inline float cpu_bf16_to_float(uint16_t h) {
    return cpu_bits_to_float((uint32_t)h << 16);
}

static inline uint16_t cpu_float_to_bf16(float x) {
    uint32_t u = cpu_float_to_bits(x);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x40u); /* quiet NaN */
    u += 0x7FFFu + ((u >> 16) & 1u); /* ties to even; overflow carries into Inf */
    return (uint16_t)(u >> 16);
}

#endif

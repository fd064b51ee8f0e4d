/* dtype.h - f16 / bf16 <-> float / double conversions.
 *
 * Every narrowing conversion rounds to nearest, ties to even (RNE), handles
 * subnormals, signed zero, infinities and NaN (NaN stays NaN, quiet). Widening
 * conversions are exact. Pure functions, no state. */
#ifndef GH_DTYPE_H
#define GH_DTYPE_H

#include <stdint.h>

typedef enum { DT_F16 = 0, DT_BF16 = 1 } dtype_t;

double f16_to_double(uint16_t h);
float f16_to_float(uint16_t h);
uint16_t double_to_f16(double d); /* RNE, overflow -> +-Inf */
uint16_t float_to_f16(float f);   /* RNE, overflow -> +-Inf */

double bf16_to_double(uint16_t b);
float bf16_to_float(uint16_t b);
uint16_t double_to_bf16(double d); /* RNE (from the exact double value) */
uint16_t float_to_bf16(float f);   /* RNE */

/* Generic by dtype. */
double dt_to_double(dtype_t dt, uint16_t bits);
uint16_t dt_from_double(dtype_t dt, double d);
int dt_is_nan(dtype_t dt, uint16_t bits);
int dt_is_inf(dtype_t dt, uint16_t bits);
/* Index of the first NaN or infinity among v[0..n), or -1 (also for v NULL). */
int64_t dt_first_nonfinite(dtype_t dt, const uint16_t *v, int64_t n);
/* Unit roundoff: 2^-11 (f16), 2^-8 (bf16). */
double dt_unit_roundoff(dtype_t dt);
/* Distance between the two representable values around |d| (the ulp at d);
 * for d in the subnormal range, the subnormal spacing. */
double dt_ulp(dtype_t dt, double d);
/* Largest finite value. */
double dt_max(dtype_t dt);
/* Smallest positive normal value (2^-14 f16, 2^-126 bf16). */
double dt_min_normal(dtype_t dt);
/* Ordered integer key so that ulp distance = |key(a) - key(b)| (NaN excluded). */
int32_t dt_ordered(dtype_t dt, uint16_t bits);
const char *dt_name(dtype_t dt);

#endif

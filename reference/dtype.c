/* dtype.c - f16 / bf16 <-> float / double conversions.
 *
 * Both 16-bit formats are IEEE-style binary formats that differ only in the
 * width of their fields, so one pair of routines (decode / encode) serves both,
 * driven by a small format table.
 *
 * Narrowing works on the bits of the double: the significand is shifted right
 * to the target's quantum and rounded to nearest, ties to even, in integer
 * arithmetic. The target's quantum is fixed by the binade of the input, or by
 * the smallest normal binade for subnormal results, so one shift handles
 * normals, subnormals and the carry into the next binade (a carry out of the
 * largest binade yields the Inf encoding, which is overflow under RNE).
 * float -> f16/bf16 widens to double first (exact), so it is a single rounding
 * from the float value too. */
#include "dtype.h"

#include <assert.h>
#include <math.h>
#include <string.h>

struct fmt {
    int mant_bits; /* stored fraction bits (t) */
    int exp_bits;  /* exponent field width */
    int bias;      /* exponent bias; also the largest unbiased exponent */
    const char *name;
};

static const struct fmt FMT_F16 = {10, 5, 15, "f16"};
static const struct fmt FMT_BF16 = {7, 8, 127, "bf16"};

#define SIGN_BIT 0x8000u

static const struct fmt *fmt_of(dtype_t dt) {
    assert(dt == DT_F16 || dt == DT_BF16);
    return dt == DT_BF16 ? &FMT_BF16 : &FMT_F16;
}

static unsigned inf_bits(const struct fmt *f) {
    return ((1u << f->exp_bits) - 1u) << f->mant_bits;
}

static unsigned quiet_bit(const struct fmt *f) {
    return 1u << (f->mant_bits - 1);
}

static int min_exp(const struct fmt *f) {
    return 1 - f->bias;
}

static uint64_t double_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bits_double(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ---- widening ---------------------------------------------------------- */

/* Quiet NaN with the sign and the payload of a 16-bit NaN. */
static double nan_to_double(const struct fmt *f, unsigned bits) {
    uint64_t sign = (uint64_t)(bits >> 15) << 63;
    uint64_t payload = (uint64_t)(bits & ((1u << f->mant_bits) - 1u)) << (52 - f->mant_bits);
    return bits_double(sign | 0x7FF0000000000000ull | (1ull << 51) | payload);
}

static float nan_to_float(const struct fmt *f, unsigned bits) {
    uint32_t sign = (uint32_t)(bits >> 15) << 31;
    uint32_t payload = (uint32_t)(bits & ((1u << f->mant_bits) - 1u)) << (23 - f->mant_bits);
    uint32_t u = sign | 0x7F800000u | (1u << 22) | payload;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static int is_nan_bits(const struct fmt *f, unsigned bits) {
    return (bits & ~SIGN_BIT) > inf_bits(f);
}

/* Exact value of a 16-bit pattern (every f16/bf16 value is a double). */
static double decode(const struct fmt *f, unsigned bits) {
    unsigned t = (unsigned)f->mant_bits;
    unsigned expf = (bits & ~SIGN_BIT) >> t;
    unsigned mant = bits & ((1u << t) - 1u);
    double mag;
    if (is_nan_bits(f, bits)) return nan_to_double(f, bits);
    if (expf == (1u << f->exp_bits) - 1u)
        mag = INFINITY;
    else if (expf == 0) /* mant * 2^(min_exp - t), a normal double power of two: exact */
        mag = (double)mant * bits_double((uint64_t)(min_exp(f) - (int)t + 1023) << 52);
    else /* the same fields, widened (no ldexp: this is on the reference's path) */
        mag =
            bits_double((uint64_t)((int)expf - f->bias + 1023) << 52 | (uint64_t)mant << (52 - t));
    return (bits & SIGN_BIT) ? -mag : mag;
}

static float decode_float(const struct fmt *f, unsigned bits) {
    if (is_nan_bits(f, bits)) return nan_to_float(f, bits);
    return (float)decode(f, bits); /* exact: both formats are subsets of float */
}

/* ---- narrowing --------------------------------------------------------- */

/* sig / 2^shift rounded to nearest, ties to even (shift >= 1). */
static uint64_t shift_rne(uint64_t sig, int shift) {
    if (shift >= 64) return 0; /* sig < 2^53 is below half of 2^shift */
    uint64_t q = sig >> shift;
    uint64_t rem = sig & ((1ull << shift) - 1u);
    uint64_t half = 1ull << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) q++;
    return q;
}

static uint16_t encode_special(const struct fmt *f, unsigned sign, uint64_t dman) {
    if (dman == 0) return (uint16_t)(sign | inf_bits(f));
    /* NaN: keep the sign and the top payload bits, force quiet. */
    unsigned payload = (unsigned)(dman >> (52 - f->mant_bits));
    return (uint16_t)(sign | inf_bits(f) | quiet_bit(f) | payload);
}

static uint16_t encode(const struct fmt *f, double d) {
    uint64_t u = double_bits(d);
    unsigned sign = (unsigned)(u >> 63) << 15;
    int dexp = (int)((u >> 52) & 0x7FF);
    uint64_t dman = u & ((1ull << 52) - 1u);
    if (dexp == 0x7FF) return encode_special(f, sign, dman);

    /* |d| = sig * 2^(e - 52); a double subnormal is far below either target's
     * range, so its e only has to be below the target's minimum exponent. */
    uint64_t sig = dexp ? (dman | (1ull << 52)) : dman;
    int e = dexp ? dexp - 1023 : -1022;
    int emin = min_exp(f);
    int e_tgt = e < emin ? emin : e; /* binade whose quantum applies */
    int shift = (e_tgt - f->mant_bits) - (e - 52);
    uint64_t q = shift_rne(sig, shift);
    /* For a normal binade q includes the implicit bit, which adds 1 to the
     * exponent field; a carry out of the significand moves to the next binade. */
    uint64_t enc = ((uint64_t)(e_tgt - emin) << f->mant_bits) + q;
    if (enc >= inf_bits(f)) return (uint16_t)(sign | inf_bits(f));
    return (uint16_t)(sign | (unsigned)enc);
}

/* ---- public API -------------------------------------------------------- */

double f16_to_double(uint16_t h) {
    return decode(&FMT_F16, h);
}
float f16_to_float(uint16_t h) {
    return decode_float(&FMT_F16, h);
}
uint16_t double_to_f16(double d) {
    return encode(&FMT_F16, d);
}
uint16_t float_to_f16(float f) {
    return encode(&FMT_F16, (double)f);
}

double bf16_to_double(uint16_t b) {
    return decode(&FMT_BF16, b);
}
float bf16_to_float(uint16_t b) {
    return decode_float(&FMT_BF16, b);
}
uint16_t double_to_bf16(double d) {
    return encode(&FMT_BF16, d);
}
uint16_t float_to_bf16(float f) {
    return encode(&FMT_BF16, (double)f);
}

double dt_to_double(dtype_t dt, uint16_t bits) {
    return decode(fmt_of(dt), bits);
}
uint16_t dt_from_double(dtype_t dt, double d) {
    return encode(fmt_of(dt), d);
}

int dt_is_nan(dtype_t dt, uint16_t bits) {
    return is_nan_bits(fmt_of(dt), bits);
}

int dt_is_inf(dtype_t dt, uint16_t bits) {
    return (bits & ~SIGN_BIT) == inf_bits(fmt_of(dt));
}

int64_t dt_first_nonfinite(dtype_t dt, const uint16_t *v, int64_t n) {
    for (int64_t i = 0; v && i < n; i++)
        if (dt_is_nan(dt, v[i]) || dt_is_inf(dt, v[i])) return i;
    return -1;
}

double dt_unit_roundoff(dtype_t dt) {
    return ldexp(1.0, -(fmt_of(dt)->mant_bits + 1));
}

/* Spacing of the binade that holds |d| (the subnormal spacing below the
 * smallest normal, including 0). Above the largest finite value the binades
 * are continued as if the exponent range were unbounded. NaN -> NaN,
 * Inf -> Inf. */
double dt_ulp(dtype_t dt, double d) {
    const struct fmt *f = fmt_of(dt);
    if (isnan(d)) return NAN;
    if (isinf(d)) return INFINITY;
    int e = min_exp(f);
    if (d != 0.0) {
        int x;
        (void)frexp(fabs(d), &x); /* |d| = m * 2^x, m in [0.5, 1) */
        if (x - 1 > e) e = x - 1;
    }
    return ldexp(1.0, e - f->mant_bits);
}

double dt_min_normal(dtype_t dt) {
    return ldexp(1.0, min_exp(fmt_of(dt)));
}

double dt_max(dtype_t dt) {
    const struct fmt *f = fmt_of(dt);
    return ldexp(2.0 - ldexp(1.0, -f->mant_bits), f->bias);
}

/* Sign-magnitude -> two's complement on the magnitude bits: consecutive
 * representable values have consecutive keys, and +0 / -0 share key 0. */
int32_t dt_ordered(dtype_t dt, uint16_t bits) {
    (void)fmt_of(dt); /* both formats keep the sign in bit 15 */
    int32_t mag = (int32_t)(bits & ~SIGN_BIT);
    return (bits & SIGN_BIT) ? -mag : mag;
}

const char *dt_name(dtype_t dt) {
    if (dt != DT_F16 && dt != DT_BF16) return "?";
    return fmt_of(dt)->name;
}

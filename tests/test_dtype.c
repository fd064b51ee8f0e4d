/* test_dtype.c - f16 / bf16 conversions (reference/dtype.c).
 *
 * The conversions are checked against computations that share no code with
 * them: an ldexp-based decoder, an ldexp/nearbyint rounding reference, the
 * F16C instruction (x86, when the CPU has it), and the usual add-and-shift
 * rounding of float bits to bf16. Loops count mismatches and print the first
 * few, then assert the count is zero. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "reference/dtype.h"
#include "suites.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_F16C_TEST 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define HAVE_F16C_TEST 0
#endif

/* ---- mismatch tally ---------------------------------------------------- */

struct tally {
    const char *what;
    long fails;
};

static void mismatch(struct tally *t, const char *fmt, ...) {
    if (t->fails++ >= 8) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\n  %s: ", t->what);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* ---- independent reference -------------------------------------------- */

/* Field layout of a format, stated once here, independently of dtype.c. */
struct ref_fmt {
    dtype_t dt;
    int frac;   /* stored fraction bits */
    int ebits;  /* exponent field width */
    int emin;   /* smallest normal exponent */
    int emax;   /* largest finite exponent */
    double max; /* largest finite value */
};

static struct ref_fmt ref_of(dtype_t dt) {
    struct ref_fmt r;
    r.dt = dt;
    r.frac = dt == DT_F16 ? 10 : 7;
    r.ebits = dt == DT_F16 ? 5 : 8;
    r.emax = (1 << (r.ebits - 1)) - 1;
    r.emin = 1 - r.emax;
    r.max = ldexp((double)((1 << (r.frac + 1)) - 1), r.emax - r.frac);
    return r;
}

static unsigned ref_inf(const struct ref_fmt *r) {
    return ((1u << r->ebits) - 1u) << r->frac;
}

static int ref_is_nan(const struct ref_fmt *r, unsigned bits) {
    return (bits & 0x7FFFu) > ref_inf(r);
}

/* Value of a bit pattern from its fields (NaN patterns -> NAN). */
static double ref_decode(const struct ref_fmt *r, unsigned bits) {
    unsigned e = (bits >> r->frac) & ((1u << r->ebits) - 1u);
    unsigned m = bits & ((1u << r->frac) - 1u);
    double v;
    if (e == (1u << r->ebits) - 1u)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = m * ldexp(1.0, r->emin - r->frac);
    else
        v = (1.0 + m * ldexp(1.0, -r->frac)) * ldexp(1.0, (int)e - r->emax);
    return (bits & 0x8000u) ? -v : v;
}

/* d rounded to the format: scale so the format's quantum at |d| is 1 (exact,
 * a power-of-two scaling), round to an integer with nearbyint in
 * FE_TONEAREST, scale back; beyond the largest finite value -> Inf. */
static double ref_round(const struct ref_fmt *r, double d) {
    if (isnan(d) || isinf(d) || d == 0.0) return d;
    int x;
    (void)frexp(fabs(d), &x);
    int e = x - 1 < r->emin ? r->emin : x - 1;
    int q = e - r->frac;
    double v = ldexp(nearbyint(ldexp(fabs(d), -q)), q);
    if (v > r->max) v = INFINITY;
    return copysign(v, d);
}

static int set_nearest(void) {
    return fesetround(FE_TONEAREST) == 0 && fegetround() == FE_TONEAREST;
}

/* Does bits (produced by dtype.c) hold the value want (NaN: any NaN)? */
static int holds(const struct ref_fmt *r, unsigned bits, double want) {
    double got = ref_decode(r, bits);
    if (isnan(want)) return ref_is_nan(r, bits);
    return got == want && !signbit(got) == !signbit(want);
}

static uint64_t dbits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double from_dbits(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint32_t fbits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float from_fbits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* xorshift64*: test-local random bits, independent of harness/cases/prng.c. */
static uint64_t xs_next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static uint16_t to_dt(dtype_t dt, double d) {
    return dt == DT_F16 ? double_to_f16(d) : double_to_bf16(d);
}
static uint16_t to_dt_f(dtype_t dt, float f) {
    return dt == DT_F16 ? float_to_f16(f) : float_to_bf16(f);
}
static double from_dt(dtype_t dt, uint16_t b) {
    return dt == DT_F16 ? f16_to_double(b) : bf16_to_double(b);
}
static float from_dt_f(dtype_t dt, uint16_t b) {
    return dt == DT_F16 ? f16_to_float(b) : bf16_to_float(b);
}

/* ---- exhaustive round trips and decoding ------------------------------ */

static void roundtrip_nan(struct tally *t, dtype_t dt, unsigned b) {
    unsigned quiet = dt == DT_F16 ? 0x0200u : 0x0040u;
    double d = from_dt(dt, b);
    float f = from_dt_f(dt, b);
    if (!isnan(d) || !isnan(f) || !signbit(d) != !(b & 0x8000u) || !signbit(f) != !(b & 0x8000u))
        mismatch(t, "0x%04x: widened NaN lost NaN-ness or sign", b);
    /* Payload survives, the quiet bit is forced. */
    unsigned bd = to_dt(dt, d), bf = to_dt_f(dt, f);
    if (bd != (b | quiet) || bf != (b | quiet))
        mismatch(t, "0x%04x: NaN came back as 0x%04x (double) / 0x%04x (float)", b, bd, bf);
}

static void check_roundtrip(dtype_t dt) {
    struct ref_fmt r = ref_of(dt);
    struct tally t = {dt == DT_F16 ? "f16 round trip" : "bf16 round trip", 0};
    for (unsigned b = 0; b <= 0xFFFFu; b++) {
        if (ref_is_nan(&r, b)) {
            roundtrip_nan(&t, dt, b);
            continue;
        }
        double d = from_dt(dt, b);
        float f = from_dt_f(dt, b);
        if ((double)f != d || !signbit(f) != !signbit(d))
            mismatch(&t, "0x%04x: float %a != double %a", b, (double)f, d);
        unsigned bd = to_dt(dt, d), bf = to_dt_f(dt, f);
        if (bd != b || bf != b)
            mismatch(&t, "0x%04x -> %a -> 0x%04x (double) / 0x%04x (float)", b, d, bd, bf);
    }
    CU_ASSERT_EQUAL(t.fails, 0);
}

static void test_f16_roundtrip_exhaustive(void) {
    check_roundtrip(DT_F16);
}
static void test_bf16_roundtrip_exhaustive(void) {
    check_roundtrip(DT_BF16);
}

static void check_decode(dtype_t dt) {
    struct ref_fmt r = ref_of(dt);
    struct tally t = {dt == DT_F16 ? "f16 decode" : "bf16 decode", 0};
    for (unsigned b = 0; b <= 0xFFFFu; b++) {
        double want = ref_decode(&r, b);
        double got = dt_to_double(dt, (uint16_t)b);
        int nan_ok = !!dt_is_nan(dt, (uint16_t)b) == !!isnan(want);
        int inf_ok = !!dt_is_inf(dt, (uint16_t)b) == !!isinf(want);
        if (!holds(&r, b, got) || !nan_ok || !inf_ok)
            mismatch(&t, "0x%04x: got %a want %a (nan %d inf %d)", b, got, want,
                     dt_is_nan(dt, (uint16_t)b), dt_is_inf(dt, (uint16_t)b));
        if (from_dt(dt, (uint16_t)b) != got && !isnan(got))
            mismatch(&t, "0x%04x: dt_to_double disagrees with the typed function", b);
    }
    CU_ASSERT_EQUAL(t.fails, 0);
}

static void test_decode_exhaustive(void) {
    check_decode(DT_F16);
    check_decode(DT_BF16);
}

/* ---- exhaustive ties and near-ties ------------------------------------ */

/* Midpoint of every pair of adjacent finite values (and max/Inf), with the
 * nearest double and float on either side of it, both signs. */
static void check_tie_pair(struct tally *t, dtype_t dt, unsigned b, unsigned sign) {
    struct ref_fmt r = ref_of(dt);
    double lo = ref_decode(&r, b);
    /* Above the largest finite value: where the next value would be. */
    double hi = b + 1 == ref_inf(&r) ? 2 * lo - ref_decode(&r, b - 1) : ref_decode(&r, b + 1);
    double m = (lo + hi) / 2; /* exact */
    double s = sign ? -1.0 : 1.0;
    unsigned even = (b & 1u) ? b + 1 : b;
    unsigned above = (b + 1) | sign, below = b | sign;
    float mf = (float)m; /* exact: the midpoint needs frac + 2 bits */
    if (to_dt(dt, s * m) != (even | sign)) mismatch(t, "tie %a -> not 0x%04x", s * m, even | sign);
    if (to_dt(dt, s * nextafter(m, INFINITY)) != above)
        mismatch(t, "just above tie %a -> not 0x%04x", s * m, above);
    if (to_dt(dt, s * nextafter(m, 0.0)) != below)
        mismatch(t, "just below tie %a -> not 0x%04x", s * m, below);
    if (to_dt_f(dt, (float)s * mf) != (even | sign))
        mismatch(t, "float tie %a -> not 0x%04x", s * m, even | sign);
    if (to_dt_f(dt, (float)s * nextafterf(mf, INFINITY)) != above)
        mismatch(t, "float just above tie %a -> not 0x%04x", s * m, above);
    if (to_dt_f(dt, (float)s * nextafterf(mf, 0.0f)) != below)
        mismatch(t, "float just below tie %a -> not 0x%04x", s * m, below);
}

static void check_ties(dtype_t dt) {
    struct ref_fmt r = ref_of(dt);
    struct tally t = {dt == DT_F16 ? "f16 ties" : "bf16 ties", 0};
    CU_ASSERT_FATAL(set_nearest());
    for (unsigned b = 0; b < ref_inf(&r); b++) {
        check_tie_pair(&t, dt, b, 0);
        check_tie_pair(&t, dt, b, 0x8000u);
    }
    CU_ASSERT_EQUAL(t.fails, 0);
}

static void test_f16_ties_exhaustive(void) {
    check_ties(DT_F16);
}
static void test_bf16_ties_exhaustive(void) {
    check_ties(DT_BF16);
}

/* ---- hand-picked values ----------------------------------------------- */

struct case_ {
    double d;
    unsigned want;
};

static void check_cases(dtype_t dt, const struct case_ *c, size_t n) {
    struct tally t = {dt == DT_F16 ? "f16 cases" : "bf16 cases", 0};
    struct ref_fmt r = ref_of(dt);
    CU_ASSERT_FATAL(set_nearest());
    for (size_t i = 0; i < n; i++) {
        unsigned got = to_dt(dt, c[i].d);
        if (got != c[i].want) mismatch(&t, "%a -> 0x%04x, want 0x%04x", c[i].d, got, c[i].want);
        if (!holds(&r, c[i].want, ref_round(&r, c[i].d)))
            mismatch(&t, "reference disagrees with the table at %a", c[i].d);
        if (dt_from_double(dt, c[i].d) != got) mismatch(&t, "dt_from_double differs at %a", c[i].d);
        if ((double)(float)c[i].d == c[i].d && to_dt_f(dt, (float)c[i].d) != c[i].want)
            mismatch(&t, "float %a -> 0x%04x", c[i].d, to_dt_f(dt, (float)c[i].d));
    }
    CU_ASSERT_EQUAL(t.fails, 0);
}

#define P2(e) ldexp(1.0, (e))

static void test_f16_boundaries(void) {
    const struct case_ c[] = {
        {0.0, 0x0000},
        {-0.0, 0x8000},
        {1.0, 0x3C00},
        {-2.0, 0xC000},
        {0.5, 0x3800},
        {0.1, 0x2E66},
        {1.0 / 3.0, 0x3555},
        {1.0 + P2(-11), 0x3C00},     /* tie, even below */
        {1.0 + 3 * P2(-11), 0x3C02}, /* tie, even above */
        {2049.0, 0x6800},
        {2051.0, 0x6802},
        {P2(-24), 0x0001},                 /* smallest subnormal */
        {P2(-25), 0x0000},                 /* half of it: tie to zero */
        {-P2(-25), 0x8000},                /* ... keeping the sign */
        {nextafter(P2(-25), 1.0), 0x0001}, /* just above half */
        {nextafter(P2(-25), 0.0), 0x0000}, /* just below half */
        {1.5 * P2(-24), 0x0002},           /* tie 1|2 */
        {2.5 * P2(-24), 0x0002},           /* tie 2|3 */
        {1022.5 * P2(-24), 0x03FE},        /* tie 0x3fe|0x3ff */
        {1023 * P2(-24), 0x03FF},          /* largest subnormal */
        {1023.5 * P2(-24), 0x0400},        /* tie into the normals */
        {nextafter(1023.5 * P2(-24), 0), 0x03FF},
        {P2(-14), 0x0400}, /* smallest normal */
        {DBL_TRUE_MIN, 0x0000},
        {-DBL_TRUE_MIN, 0x8000},
        {DBL_MIN, 0x0000},
        {65504.0, 0x7BFF},
        {65519.0, 0x7BFF},
        {nextafter(65520.0, 0.0), 0x7BFF},
        {65520.0, 0x7C00}, /* max + half ulp: overflow */
        {-65520.0, 0xFC00},
        {65536.0, 0x7C00},
        {1e300, 0x7C00},
        {DBL_MAX, 0x7C00},
        {-DBL_MAX, 0xFC00},
        {INFINITY, 0x7C00},
        {-INFINITY, 0xFC00},
    };
    check_cases(DT_F16, c, sizeof c / sizeof c[0]);
}

static void test_bf16_boundaries(void) {
    const double bmax = 255 * P2(120); /* 3.3895314e38 */
    const struct case_ c[] = {
        {0.0, 0x0000},
        {-0.0, 0x8000},
        {1.0, 0x3F80},
        {-2.0, 0xC000},
        {0.1, 0x3DCD},
        {1.0 + P2(-8), 0x3F80},     /* tie, even below */
        {1.0 + 3 * P2(-8), 0x3F82}, /* tie, even above */
        {257.0, 0x4380},
        {259.0, 0x4382},
        {P2(-133), 0x0001}, /* smallest subnormal */
        {P2(-134), 0x0000}, /* tie to zero */
        {-P2(-134), 0x8000},
        {nextafter(P2(-134), 1.0), 0x0001},
        {127 * P2(-133), 0x007F},   /* largest subnormal */
        {127.5 * P2(-133), 0x0080}, /* tie into the normals */
        {nextafter(127.5 * P2(-133), 0), 0x007F},
        {P2(-126), 0x0080}, /* smallest normal */
        {DBL_TRUE_MIN, 0x0000},
        {bmax, 0x7F7F},
        {nextafter(255.5 * P2(120), 0.0), 0x7F7F},
        {255.5 * P2(120), 0x7F80}, /* max + half ulp: overflow */
        {-255.5 * P2(120), 0xFF80},
        {(double)FLT_MAX, 0x7F80},
        {1e39, 0x7F80},
        {DBL_MAX, 0x7F80},
        {INFINITY, 0x7F80},
        {-INFINITY, 0xFF80},
    };
    check_cases(DT_BF16, c, sizeof c / sizeof c[0]);
}

/* A double just above a tie whose float rounding lands on the tie: rounding
 * through float would give the even (lower) neighbour. */
static void test_no_double_rounding(void) {
    double d16 = 1.0 + P2(-11) + P2(-40);
    CU_ASSERT_EQUAL((double)(float)d16, 1.0 + P2(-11));
    CU_ASSERT_EQUAL(double_to_f16(d16), 0x3C01);
    CU_ASSERT_EQUAL(float_to_f16((float)d16), 0x3C00);
    double b16 = 1.0 + P2(-8) + P2(-40);
    CU_ASSERT_EQUAL((double)(float)b16, 1.0 + P2(-8));
    CU_ASSERT_EQUAL(double_to_bf16(b16), 0x3F81);
    CU_ASSERT_EQUAL(float_to_bf16((float)b16), 0x3F80);
}

static void test_nan_inf_zero(void) {
    /* Quiet NaN of either sign. */
    CU_ASSERT_EQUAL(double_to_f16(NAN) & 0xFE00u, 0x7E00u);
    CU_ASSERT_EQUAL(double_to_f16(-NAN) & 0xFE00u, 0xFE00u);
    CU_ASSERT_EQUAL(double_to_bf16(NAN) & 0xFFC0u, 0x7FC0u);
    CU_ASSERT_EQUAL(double_to_bf16(-NAN) & 0xFFC0u, 0xFFC0u);
    CU_ASSERT_EQUAL(float_to_f16(-NAN) & 0xFE00u, 0xFE00u);
    CU_ASSERT_EQUAL(float_to_bf16(NAN) & 0xFFC0u, 0x7FC0u);
    /* A signalling NaN whose payload is all in the dropped bits must not
     * become Inf. */
    double snan = from_dbits(0x7FF0000000000001ull), nsnan = from_dbits(0xFFF0000000000001ull);
    CU_ASSERT_EQUAL(double_to_f16(snan), 0x7E00);
    CU_ASSERT_EQUAL(double_to_f16(nsnan), 0xFE00);
    CU_ASSERT_EQUAL(double_to_bf16(snan), 0x7FC0);
    CU_ASSERT_EQUAL(double_to_bf16(nsnan), 0xFFC0);
    CU_ASSERT_EQUAL(float_to_bf16(from_fbits(0x7F800001u)), 0x7FC0);
    /* Widening NaN: NaN, quiet, sign kept. */
    CU_ASSERT(isnan(f16_to_double(0x7C01)));
    CU_ASSERT((dbits(f16_to_double(0x7C01)) & (1ull << 51)) != 0);
    CU_ASSERT(signbit(f16_to_double(0xFE00)) != 0);
    CU_ASSERT(isnan(f16_to_float(0x7C01)) && (fbits(f16_to_float(0x7C01)) & (1u << 22)) != 0);
    CU_ASSERT(isnan(bf16_to_float(0x7F81)) && (fbits(bf16_to_float(0x7F81)) & (1u << 22)) != 0);
    CU_ASSERT(signbit(bf16_to_double(0xFFC0)) != 0 && isnan(bf16_to_double(0xFFC0)));
    /* Signed zero and infinities, both directions. */
    CU_ASSERT(signbit(f16_to_double(0x8000)) != 0 && f16_to_double(0x8000) == 0.0);
    CU_ASSERT(signbit(bf16_to_float(0x8000)) != 0 && bf16_to_float(0x8000) == 0.0f);
    CU_ASSERT_EQUAL(float_to_f16(-0.0f), 0x8000);
    CU_ASSERT_EQUAL(float_to_bf16(-0.0f), 0x8000);
    CU_ASSERT(f16_to_double(0xFC00) == -INFINITY);
    CU_ASSERT(bf16_to_float(0x7F80) == INFINITY);
    CU_ASSERT_EQUAL(float_to_f16(INFINITY), 0x7C00);
    CU_ASSERT_EQUAL(float_to_bf16(-INFINITY), 0xFF80);
}

/* ---- random doubles against the reference ----------------------------- */

static void check_random(dtype_t dt, uint64_t seed) {
    struct ref_fmt r = ref_of(dt);
    struct tally t = {dt == DT_F16 ? "f16 random" : "bf16 random", 0};
    uint64_t s = seed;
    CU_ASSERT_FATAL(set_nearest());
    for (long i = 0; i < 600000; i++) {
        uint64_t u = xs_next(&s);
        double d;
        if (i % 3 == 0) {
            d = from_dbits(u); /* any double: every exponent, NaNs, Infs */
        } else {
            /* Exponents from below the smallest subnormal to past overflow. */
            int span = r.emax - r.emin + r.frac + 5;
            int e = r.emin - r.frac - 3 + (int)((u >> 53) % (uint64_t)span);
            d = ldexp(1.0 + (double)(u & ((1ull << 52) - 1u)) * P2(-52), e);
            if (u >> 63) d = -d;
        }
        if (!holds(&r, to_dt(dt, d), ref_round(&r, d)))
            mismatch(&t, "%a -> 0x%04x, reference %a", d, to_dt(dt, d), ref_round(&r, d));
        float f = (float)d;
        if (!holds(&r, to_dt_f(dt, f), ref_round(&r, (double)f)))
            mismatch(&t, "float %a -> 0x%04x", (double)f, to_dt_f(dt, f));
    }
    CU_ASSERT_EQUAL(t.fails, 0);
}

static void test_f16_random_vs_reference(void) {
    check_random(DT_F16, 0x1234567887654321ull);
}
static void test_bf16_random_vs_reference(void) {
    check_random(DT_BF16, 0x0F1E2D3C4B5A6978ull);
}

/* ---- hardware / bit-trick cross-checks over float sweeps -------------- */

/* float -> bf16 by adding the rounding bias to the float bits (carry does the
 * rounding, binade changes and overflow to Inf). */
static unsigned bias_round_bf16(uint32_t u) {
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (u >> 16) | 0x0040u;
    return (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
}

static void test_bf16_float_sweep(void) {
    struct tally t = {"bf16 float sweep", 0};
    /* Odd stride over all 2^32 patterns, then every pattern around 1.0. */
    for (uint64_t u = 0; u <= 0xFFFFFFFFull; u += 0x1F1) {
        unsigned got = float_to_bf16(from_fbits((uint32_t)u));
        if (got != bias_round_bf16((uint32_t)u))
            mismatch(&t, "0x%08x -> 0x%04x, want 0x%04x", (unsigned)u, got,
                     bias_round_bf16((uint32_t)u));
    }
    for (uint32_t u = 0x3F700000u; u < 0x3F900000u; u++)
        if (float_to_bf16(from_fbits(u)) != bias_round_bf16(u)) mismatch(&t, "0x%08x", u);
    CU_ASSERT_EQUAL(t.fails, 0);
}

#if HAVE_F16C_TEST
/* CPUID.1:ECX bit 29. F16C is VEX-encoded, so the OS must also have enabled
 * the AVX state, which __builtin_cpu_supports("avx") checks. (Some clang
 * versions do not know "f16c" as a __builtin_cpu_supports feature.) */
static int cpu_has_f16c(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    return (c & (1u << 29)) != 0 && __builtin_cpu_supports("avx");
}

__attribute__((target("f16c"))) static unsigned hw_float_to_f16(float f) {
    return (unsigned)_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT);
}

static void f16c_compare(struct tally *t, uint32_t u) {
    float f = from_fbits(u);
    unsigned want = hw_float_to_f16(f);
    unsigned got = float_to_f16(f);
    unsigned got_d = double_to_f16((double)f);
    if (got != want || got_d != want)
        mismatch(t, "float 0x%08x -> 0x%04x / 0x%04x, F16C 0x%04x", u, got, got_d, want);
}
#endif

static void test_f16_vs_f16c(void) {
#if HAVE_F16C_TEST
    if (!cpu_has_f16c()) {
        fprintf(stderr, "\n  dtype: CPU lacks F16C, hardware cross-check skipped ");
        return;
    }
    struct tally t = {"F16C", 0};
    /* Every exponent, both signs, NaN and Inf, at an odd stride. */
    for (uint64_t u = 0; u <= 0xFFFFFFFFull; u += 0x1F1)
        f16c_compare(&t, (uint32_t)u);
    /* Dense over |x| in [2^-26, 2^17): subnormal, normal and overflow
     * rounding, every low-bit pattern class reached by the odd stride. */
    for (uint32_t u = 0x32800000u; u < 0x48000000u; u += 37) {
        f16c_compare(&t, u);
        f16c_compare(&t, u | 0x80000000u);
    }
    CU_ASSERT_EQUAL(t.fails, 0);
#else
    fprintf(stderr, "\n  dtype: not an x86 GCC/clang build, F16C cross-check skipped ");
#endif
}

/* ---- ulp, ordered keys, constants ------------------------------------- */

static void test_ulp_hand_values(void) {
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, 1.0), P2(-10));
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, 1.5), P2(-10));
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, -3.0), P2(-9));
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, 2048.0), 2.0);
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, 65504.0), 32.0);
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, P2(-14)), P2(-24));
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, 1e-6), P2(-24));
    CU_ASSERT_EQUAL(dt_ulp(DT_F16, 0.0), P2(-24));
    CU_ASSERT_EQUAL(dt_ulp(DT_BF16, 1.0), P2(-7));
    CU_ASSERT_EQUAL(dt_ulp(DT_BF16, 0.75), P2(-8));
    CU_ASSERT_EQUAL(dt_ulp(DT_BF16, 3e38), P2(120));
    CU_ASSERT_EQUAL(dt_ulp(DT_BF16, 0.0), P2(-133));
    CU_ASSERT(isnan(dt_ulp(DT_F16, NAN)));
}

/* The gap above every finite non-negative value is dt_ulp of that value. */
static void check_ulp_gaps(dtype_t dt) {
    struct ref_fmt r = ref_of(dt);
    struct tally t = {dt == DT_F16 ? "f16 ulp gaps" : "bf16 ulp gaps", 0};
    for (unsigned b = 0; b + 1 < ref_inf(&r); b++) {
        double v = ref_decode(&r, b), gap = ref_decode(&r, b + 1) - v;
        if (dt_ulp(dt, v) != gap || dt_ulp(dt, -v) != gap)
            mismatch(&t, "0x%04x: ulp %a, gap %a", b, dt_ulp(dt, v), gap);
    }
    CU_ASSERT_EQUAL(t.fails, 0);
}

static void test_ulp_gaps_exhaustive(void) {
    check_ulp_gaps(DT_F16);
    check_ulp_gaps(DT_BF16);
}

static void test_ordered_hand_values(void) {
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x0000), 0);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x8000), 0);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x0001), 1);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x8001), -1);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x3C00), 0x3C00);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0xBC00), -0x3C00);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x3C00) - dt_ordered(DT_F16, 0x3BFF), 1); /* 1 - (1-2^-11) */
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x0001) - dt_ordered(DT_F16, 0x8001), 2);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x3C01) - dt_ordered(DT_F16, 0xBC00), 2 * 0x3C00 + 1);
    CU_ASSERT_EQUAL(dt_ordered(DT_F16, 0x7C00) - dt_ordered(DT_F16, 0x7BFF), 1); /* Inf */
    CU_ASSERT_EQUAL(dt_ordered(DT_BF16, 0x3F80) - dt_ordered(DT_BF16, 0xBF80), 2 * 0x3F80);
    CU_ASSERT_EQUAL(dt_ordered(DT_BF16, 0x4000) - dt_ordered(DT_BF16, 0x3F80), 128);
}

struct keyed {
    int32_t key;
    double value;
};

static int cmp_key(const void *a, const void *b) {
    int32_t x = ((const struct keyed *)a)->key, y = ((const struct keyed *)b)->key;
    return (x > y) - (x < y);
}

/* Sorted by key, values rise one representable step per key; only +0/-0 tie. */
static void check_ordered(dtype_t dt) {
    struct ref_fmt r = ref_of(dt);
    struct tally t = {dt == DT_F16 ? "f16 ordered" : "bf16 ordered", 0};
    struct keyed *k = malloc(65536 * sizeof *k);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    size_t n = 0;
    for (unsigned b = 0; b <= 0xFFFFu; b++)
        if (!ref_is_nan(&r, b))
            k[n++] = (struct keyed){dt_ordered(dt, (uint16_t)b), ref_decode(&r, b)};
    qsort(k, n, sizeof *k, cmp_key);
    for (size_t i = 1; i < n; i++) {
        int same = k[i].key == k[i - 1].key;
        if (same ? !(k[i].value == 0.0 && k[i - 1].value == 0.0)
                 : (k[i].key != k[i - 1].key + 1 || !(k[i].value > k[i - 1].value)))
            mismatch(&t, "keys %d,%d values %a,%a", k[i - 1].key, k[i].key, k[i - 1].value,
                     k[i].value);
    }
    free(k);
    CU_ASSERT_EQUAL(t.fails, 0);
}

static void test_ordered_monotone_exhaustive(void) {
    check_ordered(DT_F16);
    check_ordered(DT_BF16);
}

static void test_constants(void) {
    CU_ASSERT_EQUAL(dt_unit_roundoff(DT_F16), P2(-11));
    CU_ASSERT_EQUAL(dt_unit_roundoff(DT_BF16), P2(-8));
    CU_ASSERT_EQUAL(dt_max(DT_F16), 65504.0);
    CU_ASSERT_EQUAL(dt_max(DT_F16), f16_to_double(0x7BFF));
    CU_ASSERT_EQUAL(dt_max(DT_BF16), 255 * P2(120));
    CU_ASSERT_EQUAL(dt_max(DT_BF16), bf16_to_double(0x7F7F));
    CU_ASSERT_STRING_EQUAL(dt_name(DT_F16), "f16");
    CU_ASSERT_STRING_EQUAL(dt_name(DT_BF16), "bf16");
    CU_ASSERT_EQUAL(dt_from_double(DT_F16, 1.0), 0x3C00);
    CU_ASSERT_EQUAL(dt_from_double(DT_BF16, 1.0), 0x3F80);
    CU_ASSERT_EQUAL(dt_to_double(DT_F16, 0x4000), 2.0);
    CU_ASSERT_EQUAL(dt_to_double(DT_BF16, 0x4000), 2.0);
}

int register_dtype_suite(void) {
    GH_ADD_SUITE(s, "dtype");
    GH_ADD_TEST(s, test_f16_roundtrip_exhaustive);
    GH_ADD_TEST(s, test_bf16_roundtrip_exhaustive);
    GH_ADD_TEST(s, test_decode_exhaustive);
    GH_ADD_TEST(s, test_f16_ties_exhaustive);
    GH_ADD_TEST(s, test_bf16_ties_exhaustive);
    GH_ADD_TEST(s, test_f16_boundaries);
    GH_ADD_TEST(s, test_bf16_boundaries);
    GH_ADD_TEST(s, test_no_double_rounding);
    GH_ADD_TEST(s, test_nan_inf_zero);
    GH_ADD_TEST(s, test_f16_random_vs_reference);
    GH_ADD_TEST(s, test_bf16_random_vs_reference);
    GH_ADD_TEST(s, test_bf16_float_sweep);
    GH_ADD_TEST(s, test_f16_vs_f16c);
    GH_ADD_TEST(s, test_ulp_hand_values);
    GH_ADD_TEST(s, test_ulp_gaps_exhaustive);
    GH_ADD_TEST(s, test_ordered_hand_values);
    GH_ADD_TEST(s, test_ordered_monotone_exhaustive);
    GH_ADD_TEST(s, test_constants);
    return 0;
}

/* compare.h - the comparison of docs/comparison.md: device output against the
 * reference, verdict and metrics.
 *
 * Exact mode: the right answer is the reference rounded to the output dtype
 * (RNE); tolerance 0 ulp (+0 and -0 are equal).
 * Real mode: element (m, n) passes when
 *   |got - ref| <= safety * (u_out*|ref| + (u_w + K*u_acc) * sum_k |x||w|) + ulp_min/2
 * with u = 2^-11 (f16), 2^-8 (bf16), u_acc = 2^-24 and ulp_min the smallest
 * subnormal of the output dtype (covers outputs that round into the subnormal
 * range).
 * Exact modes: a result whose every wrong element is 0 where the right answer
 * is a nonzero subnormal (or the smallest normal) is MISTRUSTED, named
 * "subnormals flushed to zero" (flush-to-zero, a softer finding than a wrong
 * value but never a pass); any other wrong element is FAILED.
 * Always: NaN/Inf never pass; an element still holding the poison pattern was
 * never written; the guard zones before and after the output (compare_guard
 * elements each) must come back untouched;
 * a result that is mostly zeros where the reference is not is MISTRUSTED. */
#ifndef GH_COMPARE_H
#define GH_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "cases/desc.h"

typedef enum { V_PASSED = 0, V_FAILED, V_MISTRUSTED, V_SKIPPED, V_ERROR, V_COUNT } verdict_t;

/* Guard zones: compare_guard(M, N, K) elements before the output and as
 * many after it, rounded up to a multiple of COMPARE_GUARD_MIN (4 KiB, so
 * that the output starts on a page and on any device's base-address
 * alignment). The largest of:
 *   COMPARE_GUARD_FLOOR (256 KiB): a write some ten or hundred thousand
 *     elements off (a wrong base, a stray constant offset) on any shape;
 *   COMPARE_GUARD_ROWS output rows: a tile written one tile away (a
 *     work-group's 32-row block one block past the last row or before the
 *     first, a column tile past N);
 *   M * max(N, K) elements, at most COMPARE_GUARD_CAP (8 MiB): a row stride
 *     of K instead of N, or an index past the end by the output's own size.
 * Costs the poison fill, upload, read back and scan of the zones. */
#define COMPARE_GUARD_MIN 2048
#define COMPARE_GUARD_FLOOR (64 * COMPARE_GUARD_MIN)
#define COMPARE_GUARD_CAP (2048 * COMPARE_GUARD_MIN)
#define COMPARE_GUARD_ROWS 32
#define COMPARE_SAFETY 2.0 /* stated safety factor of the real-mode bound */

int64_t compare_guard(int64_t M, int64_t N, int64_t K);
#define COMPARE_SAFETY 2.0 /* stated safety factor of the real-mode bound */

struct metrics {
    double max_abs;     /* max |got - ref| over finite elements */
    double max_ulp;     /* max ulp distance to the rounded reference */
    double rel_l2;      /* ||got - ref|| / ||ref|| */
    double sqnr_db;     /* 10 log10(sum ref^2 / sum (got-ref)^2); INFINITY when exact */
    double worst_ratio; /* max over elements of error / allowed error (exact: / half ulp) */
    int64_t mismatches; /* elements outside tolerance (non-finite and unwritten included) */
    int64_t total;      /* M*N */
    int64_t nonfinite;  /* NaN/Inf outputs (poison excluded) */
    int64_t unwritten;  /* elements still holding the poison pattern */
    int64_t guard_bad;  /* guard elements changed (before + after) */
    int64_t guard_before, guard_after; /* of them, in the zone before / after the output */
    int64_t guard_near;                /* distance in elements from the output to the changed
                                          guard element nearest to it (1: adjacent) */
    int64_t zeros;                     /* exact zeros in the output */
    int64_t worst_m, worst_n;
    double worst_exp, worst_got;
};

struct compare_input {
    dtype_t dt;
    data_t mode;
    int64_t M, N, K;
    const double *yref;   /* [M][N] exact result before rounding */
    const double *absdot; /* [M][N] sum |x||w| (real mode; may be NULL in exact mode) */
    const uint16_t *got;  /* [M*N] as read back from the device; when guard > 0 the
                             guard zones got[-guard .. -1] and got[M*N .. M*N+guard) too */
    int64_t guard;        /* guard elements on each side (0: none checked) */
    double safety;        /* <= 0: COMPARE_SAFETY */
    const double *slack;  /* NULL, or [M][N] (abi_reference_slack): where yref is the contract's
                             value on arguments that need not hold exact data, how far float
                             arithmetic may take the result from it (compare_element_at) */
};

/* Fills out[0 .. total) with the poison pattern and the guard elements
 * before and after it (out[-guard .. -1], out[total .. total+guard)) with the
 * guard pattern. */
void compare_poison(dtype_t dt, uint16_t *out, int64_t total, int64_t guard);
uint16_t compare_guard_bits(void);

/* A guarded output buffer: [guard | total | guard] elements, poisoned;
 * returns a pointer to element 0 of the output (free it with
 * compare_out_free), or NULL when out of memory. */
uint16_t *compare_out_alloc(dtype_t dt, int64_t total, int64_t guard);
void compare_out_free(uint16_t *out, int64_t guard);
uint16_t compare_poison_bits(dtype_t dt);

/* Compares, fills m, returns V_PASSED, V_FAILED or V_MISTRUSTED and writes a
 * one-line reason for anything but PASSED into why. */
verdict_t compare_run(const struct compare_input *in, struct metrics *m, char *why, size_t len);

/* Allowed error of one element (real mode; 0 in exact mode). */
double compare_allowed(const struct compare_input *in, double ref, double absdot);

/* 1 when one output element passes on its own: finite, written, and equal to
 * the rounded reference (exact mode) or within compare_allowed (real mode). */
int compare_element_ok(const struct compare_input *in, double ref, double absdot, uint16_t got);

/* 1 when output element i of in->got is what the contract may make of the
 * arguments whose reference is in->yref: in exact modes, where in->slack is
 * NULL or 0, the rounded reference bit for bit (+0 and -0 equal; an Inf only
 * where the reference itself rounds to that Inf); where the slack is
 * positive, within slack plus half an ulp of the output, or the Inf the
 * reference moved by the slack rounds to; where it is INFINITY (a float
 * overflow possible), any written value. Never the poison pattern (an
 * element never written). Real mode: compare_element_ok. It
 * judges a hypothesis (the diagnosis), not a kernel: a kernel's verdict is
 * compare_run's, where an Inf never passes. */
int compare_element_at(const struct compare_input *in, int64_t i);

const char *verdict_name(verdict_t v);

#endif

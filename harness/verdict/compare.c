/* compare.c - verdicts and metrics (see compare.h). */
#include "verdict/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD_BITS 0xA5C3u
#define U_ACC (1.0 / 16777216.0) /* 2^-24 */
/* MISTRUSTED when at least this share of outputs is exactly zero while the
 * rounded reference has fewer than half as many zeros. */
#define MISTRUST_ZERO_SHARE 0.5

uint16_t compare_poison_bits(dtype_t dt) {
    /* Quiet NaNs with an unusual payload: an unwritten element is non-finite
     * (never passes) and recognisable. */
    return dt == DT_BF16 ? 0x7FA5u : 0x7E5Au;
}

uint16_t compare_guard_bits(void) {
    return GUARD_BITS;
}

int64_t compare_guard(int64_t M, int64_t N, int64_t K) {
    if (M < 1) M = 1;
    if (N < 1) N = 1;
    if (K < 1) K = 1;
    const int64_t wide = N > K ? N : K;
    int64_t span = M > COMPARE_GUARD_CAP / wide ? COMPARE_GUARD_CAP : M * wide;
    int64_t g = COMPARE_GUARD_ROWS * N;
    if (g < COMPARE_GUARD_FLOOR) g = COMPARE_GUARD_FLOOR;
    if (g < span) g = span;
    return (g + COMPARE_GUARD_MIN - 1) / COMPARE_GUARD_MIN * COMPARE_GUARD_MIN;
}

void compare_poison(dtype_t dt, uint16_t *out, int64_t total, int64_t guard) {
    uint16_t p = compare_poison_bits(dt);
    for (int64_t i = 0; i < total; i++)
        out[i] = p;
    for (int64_t i = 0; i < guard; i++) {
        out[-1 - i] = GUARD_BITS;
        out[total + i] = GUARD_BITS;
    }
}

uint16_t *compare_out_alloc(dtype_t dt, int64_t total, int64_t guard) {
    uint16_t *buf = malloc((size_t)(total + 2 * guard) * sizeof *buf);
    if (!buf) return NULL;
    compare_poison(dt, buf + guard, total, guard);
    return buf + guard;
}

void compare_out_free(uint16_t *out, int64_t guard) {
    if (out) free(out - guard);
}

const char *verdict_name(verdict_t v) {
    static const char *names[V_COUNT] = {"PASSED", "FAILED", "MISTRUSTED", "SKIPPED", "ERROR"};
    return (v >= 0 && v < V_COUNT) ? names[v] : "?";
}

static double safety_of(const struct compare_input *in) {
    return in->safety > 0 ? in->safety : COMPARE_SAFETY;
}

double compare_allowed(const struct compare_input *in, double ref, double absdot) {
    if (data_is_exact(in->mode)) return 0.0;
    double u = dt_unit_roundoff(in->dt);
    double ulp_min = dt_ulp(in->dt, 0.0);
    return safety_of(in) * (u * fabs(ref) + (u + (double)in->K * U_ACC) * absdot) + ulp_min / 2;
}

int compare_element_ok(const struct compare_input *in, double ref, double absdot, uint16_t got) {
    if (got == compare_poison_bits(in->dt) || dt_is_nan(in->dt, got) || dt_is_inf(in->dt, got))
        return 0;
    const double g = dt_to_double(in->dt, got);
    if (data_is_exact(in->mode)) return g == dt_to_double(in->dt, dt_from_double(in->dt, ref));
    return fabs(g - ref) <= compare_allowed(in, ref, absdot);
}

int compare_element_at(const struct compare_input *in, int64_t i) {
    const double ref = in->yref[i], ad = in->absdot ? in->absdot[i] : 0.0;
    const uint16_t got = in->got[i];
    if (!data_is_exact(in->mode)) return compare_element_ok(in, ref, ad, got);
    const double slack = in->slack ? in->slack[i] : 0.0;
    if (got == compare_poison_bits(in->dt)) return 0;
    if (isinf(slack)) return 1; /* float overflow possible: any written value */
    if (dt_is_nan(in->dt, got)) return 0;
    const double g = dt_to_double(in->dt, got);
    if (dt_is_inf(in->dt, got)) /* the reference at its end nearest g rounds to g */
        return dt_from_double(in->dt, ref + (g > 0 ? slack : -slack)) == got;
    if (!(slack > 0)) return g == dt_to_double(in->dt, dt_from_double(in->dt, ref));
    return fabs(g - ref) <= slack + dt_ulp(in->dt, fabs(ref) + slack) / 2;
}

/* Error of one element, as a ratio to what is allowed (exact: to half an ulp,
 * so any mismatch is >= 1... and a match is 0). */
static double element_ratio(const struct compare_input *in, double ref, double exp_r, double got,
                            double absdot) {
    double err = fabs(got - ref);
    if (data_is_exact(in->mode)) {
        double e = fabs(got - exp_r);
        return e == 0 ? 0 : e / (dt_ulp(in->dt, exp_r) / 2);
    }
    return err / compare_allowed(in, ref, absdot);
}

struct acc {
    double sum_ref2, sum_err2;
    int64_t ref_zeros;
    int64_t flushed; /* exact modes: wrong elements that are a flushed subnormal */
};

/* Exact modes: got is +-0 where the right answer is nonzero and at most the
 * smallest normal in magnitude: what flushing subnormal outputs (or inputs:
 * a sum of subnormal products rounds to at most the smallest normal) to zero
 * gives. */
static int flushed_subnormal(dtype_t dt, double exp_r, double got) {
    return got == 0 && exp_r != 0 && fabs(exp_r) <= dt_min_normal(dt);
}

static void note_worst(struct metrics *m, int64_t i, int64_t N, double ratio, double exp,
                       double got) {
    if (ratio <= m->worst_ratio && m->worst_m >= 0) return;
    m->worst_ratio = ratio;
    m->worst_m = i / N;
    m->worst_n = i % N;
    m->worst_exp = exp;
    m->worst_got = got;
}

static void scan(const struct compare_input *in, struct metrics *m, struct acc *a) {
    int64_t total = in->M * in->N;
    uint16_t poison = compare_poison_bits(in->dt);
    for (int64_t i = 0; i < total; i++) {
        uint16_t gb = in->got[i];
        double ref = in->yref[i];
        uint16_t eb = dt_from_double(in->dt, ref);
        double exp_r = dt_to_double(in->dt, eb);
        a->sum_ref2 += data_is_exact(in->mode) ? exp_r * exp_r : ref * ref;
        if (exp_r == 0) a->ref_zeros++;
        if (gb == poison || dt_is_nan(in->dt, gb) || dt_is_inf(in->dt, gb)) {
            if (gb == poison)
                m->unwritten++;
            else
                m->nonfinite++;
            m->mismatches++;
            note_worst(m, i, in->N, INFINITY, exp_r, dt_to_double(in->dt, gb));
            continue;
        }
        double got = dt_to_double(in->dt, gb);
        if (got == 0) m->zeros++;
        /* exact mode: errors against the one right answer (the rounded reference) */
        double err = fabs(got - (data_is_exact(in->mode) ? exp_r : ref));
        a->sum_err2 += err * err;
        if (err > m->max_abs) m->max_abs = err;
        double ulp = fabs((double)dt_ordered(in->dt, gb) - (double)dt_ordered(in->dt, eb));
        if (ulp > m->max_ulp) m->max_ulp = ulp;
        double ad = in->absdot ? in->absdot[i] : 0;
        double ratio = element_ratio(in, ref, exp_r, got, ad);
        int bad = data_is_exact(in->mode) ? (got != exp_r) : (err > compare_allowed(in, ref, ad));
        if (bad) m->mismatches++;
        if (bad && data_is_exact(in->mode) && flushed_subnormal(in->dt, exp_r, got)) a->flushed++;
        note_worst(m, i, in->N, ratio, exp_r, got);
    }
    for (int64_t i = 0; i < in->guard; i++) {
        const int before = in->got[-1 - i] != GUARD_BITS, after = in->got[total + i] != GUARD_BITS;
        m->guard_before += before;
        m->guard_after += after;
        if ((before || after) && m->guard_near == 0) m->guard_near = i + 1;
    }
    m->guard_bad = m->guard_before + m->guard_after;
}

verdict_t compare_run(const struct compare_input *in, struct metrics *m, char *why, size_t len) {
    memset(m, 0, sizeof *m);
    m->worst_m = -1;
    m->total = in->M * in->N;
    struct acc a = {0, 0, 0, 0};
    scan(in, m, &a);
    m->rel_l2 = a.sum_ref2 > 0 ? sqrt(a.sum_err2 / a.sum_ref2) : sqrt(a.sum_err2);
    m->sqnr_db = a.sum_err2 > 0 ? 10 * log10(a.sum_ref2 / a.sum_err2) : INFINITY;
    if (m->nonfinite || m->unwritten) {
        /* rel_l2/SQNR ignore them; make the metrics say so */
        m->max_abs = INFINITY;
        m->rel_l2 = INFINITY;
        m->sqnr_db = -INFINITY;
    }
    if (why && len) why[0] = 0;
    if (m->guard_bad) {
        char where[160];
        if (m->guard_before && m->guard_after)
            snprintf(where, sizeof where, "%lld before the output and %lld after it",
                     (long long)m->guard_before, (long long)m->guard_after);
        else
            snprintf(where, sizeof where, "%s the output", m->guard_before ? "before" : "after");
        snprintf(why, len,
                 "%lld guard element(s) %s were overwritten (the nearest one %lld element(s) "
                 "away from the output; guard zones of %lld elements on each side)",
                 (long long)m->guard_bad, where, (long long)m->guard_near, (long long)in->guard);
        return V_FAILED;
    }
    if (m->mismatches && a.flushed == m->mismatches) {
        snprintf(why, len,
                 "subnormals flushed to zero: %lld/%lld elements are 0 where the right answer is "
                 "a subnormal (or the smallest normal); worst (m=%lld, n=%lld): expected %.9g got "
                 "%.9g (flush-to-zero in the kernel or the device; the contract keeps subnormals)",
                 (long long)m->mismatches, (long long)m->total, (long long)m->worst_m,
                 (long long)m->worst_n, m->worst_exp, m->worst_got);
        return V_MISTRUSTED;
    }
    if (m->mismatches) {
        snprintf(why, len,
                 "%lld/%lld elements outside tolerance (%lld never written, %lld NaN/Inf); "
                 "worst (m=%lld, n=%lld): expected %.9g got %.9g",
                 (long long)m->mismatches, (long long)m->total, (long long)m->unwritten,
                 (long long)m->nonfinite, (long long)m->worst_m, (long long)m->worst_n,
                 m->worst_exp, m->worst_got);
        return V_FAILED;
    }
    if (m->total > 0 && (double)m->zeros >= MISTRUST_ZERO_SHARE * (double)m->total &&
        2 * a.ref_zeros < m->zeros) {
        snprintf(why, len,
                 "%lld/%lld outputs are exactly zero (reference: %lld): result not trusted",
                 (long long)m->zeros, (long long)m->total, (long long)a.ref_zeros);
        return V_MISTRUSTED;
    }
    return V_PASSED;
}

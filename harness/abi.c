/* abi.c - kernel-ABI tensors: contract checks and the ABI-level reference
 * (see abi.h and DESIGN.md §4). */
#include "abi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void abi_tensors_free(struct abi_tensors *t) {
    if (!t) return;
    free(t->a);
    free(t->b);
    free(t->scale);
    free(t->zp);
    free(t->perm);
    free(t->bias);
    memset(t, 0, sizeof *t);
}

/* Writes a message to err (if any) and returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The kernel takes M, N, K and group_size as int. */
static int check_dims(const struct abi_tensors *t, char *err, size_t errlen) {
    if (t->dt != DT_F16 && t->dt != DT_BF16)
        return fail(err, errlen, "dtype=%d: the kernel contract needs f16 or bf16", (int)t->dt);
    const struct {
        const char *name;
        int64_t v;
    } dims[] = {{"M", t->M}, {"N", t->N}, {"K", t->K}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        if (dims[i].v <= 0 || dims[i].v > INT32_MAX)
            return fail(err, errlen, "%s=%lld: the kernel contract needs 1 <= %s <= %d",
                        dims[i].name, (long long)dims[i].v, dims[i].name, (int)INT32_MAX);
    if (t->N % 8 != 0)
        return fail(err, errlen, "N=%lld: the kernel contract needs N %% 8 == 0", (long long)t->N);
    if (t->K % 8 != 0)
        return fail(err, errlen, "K=%lld: the kernel contract needs K %% 8 == 0", (long long)t->K);
    if (t->group_size <= 0 || t->group_size > t->K || t->K % t->group_size != 0)
        return fail(err, errlen,
                    "group_size=%lld: the kernel contract needs a positive group size dividing "
                    "K=%lld",
                    (long long)t->group_size, (long long)t->K);
    return 0;
}

static int check_sizes(const struct abi_tensors *t, char *err, size_t errlen) {
    const int64_t G = t->K / t->group_size;
    if (!t->a) return fail(err, errlen, "a is NULL: the kernel contract needs a [M][K]");
    if (!t->b) return fail(err, errlen, "b is NULL: the kernel contract needs b [N][K/8]");
    if (t->b_words != t->N * t->K / 8)
        return fail(err, errlen, "b_words=%lld: the kernel contract needs N*K/8 = %lld words",
                    (long long)t->b_words, (long long)(t->N * t->K / 8));
    if (!t->scale) return fail(err, errlen, "scale is NULL: the kernel contract needs [G][N]");
    if (t->scale_elems != G * t->N)
        return fail(err, errlen,
                    "scale_elems=%lld: the kernel contract needs (K/group_size)*N = %lld*%lld "
                    "= %lld",
                    (long long)t->scale_elems, (long long)G, (long long)t->N,
                    (long long)(G * t->N));
    if (t->zp && t->zp_words != G * t->N / 8)
        return fail(err, errlen,
                    "zp_words=%lld: the kernel contract needs G*N/8 = %lld*%lld/8 = %lld words",
                    (long long)t->zp_words, (long long)G, (long long)t->N,
                    (long long)(G * t->N / 8));
    if (!t->zp && (t->zp_scalar < 0 || t->zp_scalar > 15))
        return fail(err, errlen, "zp_scalar=%d: a zero point must be a 4-bit value 0..15",
                    (int)t->zp_scalar);
    return 0;
}

static int check_perm(const struct abi_tensors *t, char *err, size_t errlen) {
    if (!t->perm) return 0;
    unsigned char *seen = calloc((size_t)t->K, 1);
    if (!seen) return fail(err, errlen, "out of memory checking perm (K=%lld)", (long long)t->K);
    int rc = 0;
    for (int64_t k = 0; k < t->K; k++) {
        const int32_t p = t->perm[k];
        if (p < 0 || p >= t->K) {
            rc = fail(err, errlen,
                      "perm[%lld]=%d: perm must be a permutation of 0..K-1 (K=%lld); out of range",
                      (long long)k, (int)p, (long long)t->K);
            break;
        }
        if (seen[p]) {
            rc = fail(err, errlen,
                      "perm[%lld]=%d: perm must be a permutation of 0..K-1 (K=%lld); duplicate "
                      "index (looks like group ids rather than a permutation?)",
                      (long long)k, (int)p, (long long)t->K);
            break;
        }
        seen[p] = 1;
    }
    free(seen);
    return rc;
}

int abi_check(const struct abi_tensors *t, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (!t) return fail(err, errlen, "no ABI tensors (NULL)");
    if (check_dims(t, err, errlen) != 0) return -1;
    if (check_sizes(t, err, errlen) != 0) return -1;
    return check_perm(t, err, errlen);
}

/* Zero point of (group g, column n) as the contract reads it. */
static int zp_at(const struct abi_tensors *t, int64_t g, int64_t n) {
    if (!t->zp) return t->zp_scalar;
    const uint32_t word = t->zp[g * (t->N / 8) + n / 8];
    return (int)((word >> (4 * (n % 8))) & 0xFu);
}

/* Column n of the dequantized weight, in kernel row order: w[k], k < K. */
static void dequant_column(const struct abi_tensors *t, int64_t n, const double *lut, double *w) {
    const uint32_t *bcol = t->b + n * (t->K / 8);
    for (int64_t k = 0; k < t->K; k++) {
        const int64_t g = k / t->group_size;
        const int q = (int)((bcol[k / 8] >> (4 * (k % 8))) & 0xFu);
        w[k] = (double)(q - zp_at(t, g, n)) * lut[t->scale[g * t->N + n]];
    }
}

int abi_reference(const struct abi_tensors *t, double *y) {
    if (!y || abi_check(t, NULL, 0) != 0) return -1;
    /* Every 16-bit pattern converted once: a table beats a call per element. */
    double *lut = malloc(sizeof(double) * 65536);
    double *w = malloc(sizeof(double) * (size_t)t->K);
    if (!lut || !w) {
        free(lut);
        free(w);
        return -1;
    }
    for (uint32_t bits = 0; bits < 65536; bits++)
        lut[bits] = dt_to_double(t->dt, (uint16_t)bits);

    for (int64_t n = 0; n < t->N; n++) {
        dequant_column(t, n, lut, w);
        const double bias = t->bias ? lut[t->bias[n]] : 0.0;
        for (int64_t m = 0; m < t->M; m++) {
            const uint16_t *arow = t->a + m * t->K;
            double acc = 0.0;
            for (int64_t k = 0; k < t->K; k++) {
                const int64_t src = t->perm ? t->perm[k] : k;
                acc += lut[arow[src]] * w[k];
            }
            y[m * t->N + n] = acc + bias;
        }
    }
    free(lut);
    free(w);
    return 0;
}

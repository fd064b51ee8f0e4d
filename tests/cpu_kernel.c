/* cpu_kernel.c - the host kernel of the suites (see cpu_kernel.h). */
#include "cpu_kernel.h"

#include <stdlib.h>
#include <string.h>

/* The contract computed on t, or with the perm inverted (the same as
 * applying the permutation to the weights' side). Returns 0 or -1. */
static int reference_of(const struct abi_tensors *t, enum cpu_kernel_bug bug, double *y) {
    if (bug != CPU_PERM_WRONG_SIDE || !t->perm) return abi_reference(t, y);
    struct abi_tensors inv;
    if (abi_tensors_copy(&inv, t) != 0) return -1;
    for (int64_t k = 0; k < t->K; k++)
        inv.perm[t->perm[k]] = (int32_t)k;
    int rc = abi_reference(&inv, y);
    abi_tensors_free(&inv);
    return rc;
}

/* The nibble the buggy kernel reads for kernel row k (q: the right one). */
static int misread(enum cpu_kernel_bug bug, int64_t k, int64_t K, int q) {
    if (bug == CPU_ROW7_WRONG && k % 8 == 7 && q >= 8) return q - 16;
    if (bug == CPU_SLOT5_HIGH_K && k % 8 == 5 && k >= K / 2) return q ^ 1;
    return q;
}

/* Weight (k, n) as the kernel reads it, in kernel row order. */
static double weight_at(const struct abi_tensors *t, enum cpu_kernel_bug bug, int64_t k,
                        int64_t n) {
    const int64_t g = k / t->group_size;
    int q = (int)((t->b[n * (t->K / 8) + k / 8] >> (4 * (k % 8))) & 0xFu);
    q = misread(bug, k, t->K, q);
    const int z =
        t->zp ? (int)((t->zp[g * (t->N / 8) + n / 8] >> (4 * (n % 8))) & 0xFu) : t->zp_scalar;
    return (double)(q - z) * dt_to_double(t->dt, t->scale[g * t->N + n]);
}

/* A kernel that misreads some nibbles (misread), in double, or one that
 * computes in float (CPU_FLOAT_ORDER): computed directly. */
static void run_direct(const struct abi_tensors *t, enum cpu_kernel_bug bug, double *y) {
    for (int64_t m = 0; m < t->M; m++)
        for (int64_t n = 0; n < t->N; n++) {
            double acc = 0;
            float facc = 0.0f;
            for (int64_t k = 0; k < t->K; k++) {
                const int64_t src = t->perm ? t->perm[k] : k;
                const double x = dt_to_double(t->dt, t->a[m * t->K + src]);
                if (bug != CPU_FLOAT_ORDER) {
                    acc += x * weight_at(t, bug, k, n);
                    continue;
                }
                const float w = (float)weight_at(t, bug, k, n); /* exact: (q - z) * s */
                const float p = (float)x * w;
                facc += p;
            }
            const double bias = t->bias ? dt_to_double(t->dt, t->bias[n]) : 0.0;
            y[m * t->N + n] = bug == CPU_FLOAT_ORDER ? (double)(facc + (float)bias) : acc + bias;
        }
}

static void cpu_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                    struct bk_result *res) {
    struct cpu_kernel *k = self;
    k->runs++;
    memset(res, 0, sizeof *res);
    const int64_t mn = t->M * t->N;
    double *y = guard > 0 ? malloc((size_t)mn * sizeof *y) : NULL;
    if (!y) {
        res->status = BK_ERROR;
        return;
    }
    if (k->bug == CPU_ROW7_WRONG || k->bug == CPU_SLOT5_HIGH_K || k->bug == CPU_FLOAT_ORDER)
        run_direct(t, k->bug, y);
    else if (reference_of(t, k->bug, y) != 0)
        res->status = BK_ERROR;
    for (int64_t i = 0; k->bug == CPU_BIAS_TWICE && t->bias && i < mn; i++)
        y[i] += dt_to_double(t->dt, t->bias[i % t->N]);
    const int64_t last_tile = t->N / 16 * 16;
    for (int64_t i = 0; res->status == BK_OK && i < mn; i++)
        if (k->bug != CPU_LAST_TILE_UNWRITTEN || i % t->N < last_tile)
            out[i] = dt_from_double(t->dt, y[i]);
    if (k->bug == CPU_GUARD_WRITE) out[mn] = 0;
    if (k->bug == CPU_GUARD_BEFORE) out[-1] = 0;
    if (k->bug == CPU_GUARD_FAR) out[mn + (int64_t)guard - 1] = 0;
    res->mc = k->mc;
    free(y);
}

struct kernel_backend cpu_kernel_backend(struct cpu_kernel *k) {
    struct kernel_backend kb = {.self = k, .run = cpu_run};
    return kb;
}

int cpu_run_line(const char *line, enum cpu_kernel_bug bug, int diagnose, struct case_result *r) {
    struct case_desc d;
    char err[512];
    memset(r, 0, sizeof *r);
    if (desc_parse(line, &d, err, sizeof err) != 0) return -1;
    struct cpu_kernel k = {.bug = bug, .runs = 0};
    struct kernel_backend kb = cpu_kernel_backend(&k);
    struct run_settings s = {
        .threads = 1, .max_bytes = 0, .safety = 0, .no_diagnosis = !diagnose, .no_probe = 0};
    run_case(&d, &s, &kb, r, NULL, NULL);
    return 0;
}

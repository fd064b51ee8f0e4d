/* cpu_kernel.h - a kernel under test that runs on the host, for the suites
 * that need a device output without OpenCL: the contract computed exactly
 * (abi_reference rounded to the output dtype), or with one deliberate kernel
 * bug, so the diagnosis can be tested against known faults. */
#ifndef GH_TEST_CPU_KERNEL_H
#define GH_TEST_CPU_KERNEL_H

#include "verdict/runner.h"

enum cpu_kernel_bug {
    CPU_RIGHT = 0,           /* what the contract says */
    CPU_LAST_TILE_UNWRITTEN, /* columns past the last full 16-wide tile left alone */
    CPU_PERM_WRONG_SIDE,     /* sum_k a[k] * w[perm[k]] */
    CPU_GUARD_WRITE,         /* right, and writes one element past the output */
    CPU_ROW7_WRONG,          /* weight rows 8j+7 read as q - 16 when q >= 8 */
    CPU_SLOT5_HIGH_K,        /* nibble slot 5 of kernel rows k >= K/2 read as q ^ 1 */
    CPU_BIAS_TWICE,          /* weights right, the bias added twice */
    CPU_GUARD_BEFORE,        /* right, and writes one element before the output */
    CPU_GUARD_FAR,           /* right, and writes the last element of the guard zone after */
    CPU_FLOAT_ORDER          /* right, as a device computes it: dequantized and summed in
                                float, k in order, the bias added in float, rounded on the store */
};

struct cpu_kernel {
    enum cpu_kernel_bug bug;
    int runs; /* how many times run was called */
    /* reported in every run's bk_result.mc as they are (memory-integrity
     * findings of a backend, for the runner's tests) */
    struct bk_memcheck mc;
};

/* A kernel_backend running k. */
struct kernel_backend cpu_kernel_backend(struct cpu_kernel *k);

/* Parses line, runs it end to end on the CPU kernel; r must be freed with
 * case_result_free. Returns 0, or -1 when the descriptor does not parse. */
int cpu_run_line(const char *line, enum cpu_kernel_bug bug, int diagnose, struct case_result *r);

#endif

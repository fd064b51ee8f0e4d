/* case_result.h - what one case's run yields (verdict, metrics, diagnosis,
 * timings), the settings that change it, and the case hook that sees its
 * work before it is freed: the types the reports and fixtures read, apart
 * from runner.h so that they never reach the backends. */
#ifndef GH_CASE_RESULT_H
#define GH_CASE_RESULT_H

#include <stdint.h>

#include "adapters/abi.h"
#include "cases/desc.h"
#include "cases/problem.h"
#include "formats/tensor.h"
#include "verdict/compare.h"
#include "verdict/probemap.h"

struct adapter_exec;

struct run_settings {
    int threads;       /* reference threads (<= 0: all CPUs) */
    int64_t max_bytes; /* host memory cap per case; beyond it the case is SKIPPED */
    double safety;     /* real-mode bound safety factor (<= 0: COMPARE_SAFETY) */
    int repeat;        /* bitwise mode: run the kernel this many times on the same inputs;
                          every run's output (guard included) must match the first bit for bit */
    int no_diagnosis;  /* 1: FAILED cases get "where" only (no hypotheses, no shape) */
    int no_probe;      /* 1: no one-hot probe of a wrong kernel in the diagnosis (probe.h) */
    struct adapter_exec *adapter_exec; /* adapter=exec: the runner of --adapter exec:CMD */
    /* The case run on the same kernel just before this one, or NULL: named
     * when the kernel is found to have written into that case's buffers
     * after it was reported (a late write). */
    const struct case_desc *previous;
};

#define RESULT_REASON_MAX 1024
#define RESULT_WHERE_MAX 256
#define RESULT_DIAG_MAX 2048
#define RESULT_EXPLAINED_MAX 256

struct case_result {
    struct case_desc d;
    verdict_t verdict;
    char reason[RESULT_REASON_MAX]; /* why, for anything but PASSED */
    char where[RESULT_WHERE_MAX];   /* FAILED: "adapter wrong" / "kernel wrong" and why */
    /* FAILED: what (the catalogued faults that reproduce it) and the error's
     * shape, in words (diagnose.h); "" otherwise. */
    char diagnosis[RESULT_DIAG_MAX];
    /* FAILED: names of the faults that reproduce it, space separated, "a+b"
     * for faults that do so together; "" when none. */
    char explained_by[RESULT_EXPLAINED_MAX];
    /* The descriptor's fault= cannot change this case (verdict SKIPPED). */
    int fault_not_applicable;
    /* The run was asked to stop while this case's kernel ran and the kernel
     * was abandoned (verdict ERROR): the case has no result and is not
     * recorded. */
    int interrupted;
    /* ERROR because the kernel did not finish within --case-timeout. */
    int hung;
    struct metrics met;
    int have_metrics;
    char *log; /* build log on ERROR (malloc'd) */
    double t_gen, t_ref, t_adapt, t_dev, t_cmp, t_total, t_build; /* seconds */
    double kernel_ms;
};

/* Everything one case computed; alive only during the hook call. Pointers
 * are NULL for stages that did not run. */
struct case_work {
    struct problem p;
    struct tensor_set ckpt; /* the packed checkpoint */
    struct abi_tensors abi; /* what the adapter handed the kernel */
    double *yref, *absdot;  /* logical reference [M][N] (absdot: real mode) */
    uint16_t *out;          /* device output [M*N], with guard zones of `guard` elements
                               before and after it (compare_out_alloc) */
    int64_t guard;
    /* kernel wrong: which weights the diagnosis's one-hot probe found read
       wrong (probemap.h); NULL when not probed or every probed weight is right */
    struct probemap *probe;
};

/* Called once per case after the verdict, before the work is freed (e.g. to
 * save a fixture of a failing case). May be NULL. */
typedef void (*case_hook)(void *ctx, const struct case_result *r, const struct case_work *w);

void case_result_free(struct case_result *r);

#endif

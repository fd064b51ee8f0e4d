/* runner.h - runs one case end to end (DESIGN §1): generate, reference, pack,
 * adapt, plant the descriptor's fault (faults.h), check the contract, run the
 * kernel on poisoned output with a guard, compare, and diagnose a failure
 * (diagnose.h). */
#ifndef GH_RUNNER_H
#define GH_RUNNER_H

#include <stdint.h>

#include "abi.h"
#include "backend.h"
#include "compare.h"
#include "desc.h"
#include "problem.h"
#include "tensor.h"

/* The kernel under test, whatever it is (OpenCL, plugin, CPU). */
struct kernel_backend {
    void *self;
    void (*run)(void *self, const struct abi_tensors *t, uint16_t *out, size_t out_total,
                struct bk_result *res);
};

struct run_settings {
    int threads;       /* reference threads (<= 0: all CPUs) */
    int64_t max_bytes; /* host memory cap per case; beyond it the case is SKIPPED */
    double safety;     /* real-mode bound safety factor (<= 0: COMPARE_SAFETY) */
    int repeat;        /* bitwise mode: run the kernel this many times on the same inputs;
                          every run's output (guard included) must match the first bit for bit */
    int no_diagnosis;  /* 1: FAILED cases get "where" only (no hypotheses, no shape) */
    int no_probe;      /* 1: no one-hot probe of a wrong kernel in the diagnosis (probe.h) */
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
    double *yabi;           /* ABI-level reference, when computed */
    uint16_t *out;          /* device output [M*N + COMPARE_GUARD] */
};

/* Called once per case after the verdict, before the work is freed (e.g. to
 * save a fixture of a failing case). May be NULL. */
typedef void (*case_hook)(void *ctx, const struct case_result *r, const struct case_work *w);

void run_case(const struct case_desc *d, const struct run_settings *s, struct kernel_backend *kb,
              struct case_result *r, case_hook hook, void *hook_ctx);

/* A case whose logical problem (and packed checkpoint) already exist instead of
 * being generated from the descriptor: a replayed fixture, a real checkpoint
 * layer. */
struct case_input {
    struct problem p;          /* the logical problem; p.d is the case's descriptor */
    struct tensor_set ckpt;    /* the packed checkpoint; n == 0: packed from p */
    const double *yref_expect; /* NULL, or [M][N]: the reference must reproduce these
                                  bits exactly (a stored y_ref), else the case is an ERROR */
};

/* Runs in as run_case runs a generated case (reference, adapter, contract,
 * kernel, comparison, fault location, hook). Takes ownership of in->p and
 * in->ckpt: they are freed and zeroed. */
void run_input(struct case_input *in, const struct run_settings *s, struct kernel_backend *kb,
               struct case_result *r, case_hook hook, void *hook_ctx);
void case_result_free(struct case_result *r);

double now_seconds(void);

#endif

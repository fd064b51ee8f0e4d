/* runner.h - runs one case end to end (docs/layout.md): generate, reference, pack,
 * adapt, plant the descriptor's fault (faults.h), check the contract, run the
 * kernel on poisoned output with a guard, compare, and diagnose a failure
 * (diagnose.h). */
#ifndef GH_RUNNER_H
#define GH_RUNNER_H

#include <stdint.h>

#include "backends/backend.h"
#include "verdict/case_result.h"

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

#endif

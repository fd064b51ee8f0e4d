/* backend_exec.h - the kernel under test in an external runner (--kernel
 * exec:CMD, docs/runners.md): per case the runner gets the kernel-ABI
 * tensors and returns out [M][N]. In layer mode (--layer exec:CMD) it gets
 * the checkpoint tensors, the activations and the layer's config instead
 * (an engine's loader and kernel together) and returns out.
 *
 * The runner is its own process, so it is isolated by construction: one
 * that dies, hangs past the timeout, breaks the protocol or returns an
 * output of the wrong shape or dtype makes its case an ERROR saying which,
 * and the next case gets a fresh runner (after a protocol fault or hang). */
#ifndef GH_BACKEND_EXEC_H
#define GH_BACKEND_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/abi.h"
#include "backends/backend.h"

struct adapter_input;
struct exec_backend;

/* Perf figures a runner reports for its own kernel (perf mode). */
struct exb_perf {
    int have;
    double kernel_ms; /* median of its timed launches */
    double graph_ms;  /* per launch inside a CUDA graph (or the like); < 0: none */
    int runs;
    char method[64]; /* how it timed, as the runner says ("cuda-events") */
};

/* layer: 0 for the kernel role, 1 for the layer role. Starts the runner
 * (one that cannot start is reported on stderr; each case tries again).
 * Returns NULL only when out of memory. */
struct exec_backend *exb_open(const char *cmd, int layer, double timeout_s);
/* The runner's name from its hello, or its command line. */
const char *exb_name(const struct exec_backend *b);
int exb_is_layer(const struct exec_backend *b);
/* Perf mode: every run asks the runner to time its kernel over runs
 * launches too (0: no timing). */
void exb_set_perf_runs(struct exec_backend *b, int runs);
/* The last run's perf figures. */
const struct exb_perf *exb_last_perf(const struct exec_backend *b);
/* Asks the runner for its device's copy peak (GB/s). Returns 0, or -1 with
 * a message (the runner does not measure one). */
int exb_copy_peak(struct exec_backend *b, double *gbs, char *err, size_t errlen);
/* How many runners were started after a fault. */
int exb_restarts(const struct exec_backend *b);

/* kernel_backend.run (kernel role) and .run_layer (layer role). */
void exb_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
             struct bk_result *res);
void exb_run_layer(void *self, const struct adapter_input *in, uint16_t *out, size_t guard,
                   struct bk_result *res);

void exb_close(struct exec_backend *b);

#endif

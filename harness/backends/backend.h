/* backend.h - the kernel-backend interface: the kernel under test, whatever
 * it is (OpenCL, plugin, CPU), and what running it on one case reports. */
#ifndef GH_BACKEND_H
#define GH_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/abi.h"

typedef enum {
    BK_OK = 0,
    BK_SKIP,       /* the case is beyond the device's limits (reason says which) */
    BK_ERROR,      /* the kernel did not build or run (reason, log) */
    BK_INTERRUPTED /* the run was asked to stop (SIGINT/SIGTERM) while the kernel ran: the
                      kernel was abandoned, the case has no result */
} bk_status_t;

#define BK_REASON_MAX 512

/* The kernel's inputs, in the order of the ABI's arguments. */
enum { BK_IN_A, BK_IN_B, BK_IN_SCALE, BK_IN_ZP, BK_IN_PERM, BK_IN_BIAS, BK_NIN };

/* Name of input i ("a", "b", "scale", "zp", "perm", "bias"). */
const char *bk_input_name(int i);

/* What a backend found about the memory the kernel was given
 * (docs/reliability.md, "Memory integrity"). All zero: nothing seen. */
struct bk_memcheck {
    int inputs_checked;       /* 1: the inputs were compared after the run */
    int64_t changed[BK_NIN];  /* elements of each input that differ after the run */
    int64_t first[BK_NIN];    /* index of the first such element */
    int64_t late;             /* elements (out, its guards or an input) that changed after
                                 the kernel had returned, within the grace period */
    int64_t prev_late;        /* elements of the previous run's buffers that changed after
                                 that run had been reported (found by this run) */
    char prev_late_what[128]; /* which of them ("out", "guard", an input's name) */
};

struct bk_result {
    bk_status_t status;
    char reason[BK_REASON_MAX];
    char *log;        /* malloc'd build log or NULL */
    double kernel_ms; /* device time of the kernel, when known, else wall time */
    double build_ms;  /* program build time spent for this case (0 when cached) */
    int hung;         /* BK_ERROR because the watchdog killed a kernel that did not finish */
    struct bk_memcheck mc;
};

void bk_result_clear(struct bk_result *r);

struct adapter_input;

/* The kernel under test, whatever it is (OpenCL, plugin, CPU). run: the
 * kernel writes out[0 .. M*N); the caller's buffer also holds `guard`
 * elements before out and `guard` after it (out[-guard] .. out[M*N+guard-1]),
 * which the backend hands the kernel as they are and brings back as the
 * kernel left them: the guard zones. */
struct kernel_backend {
    void *self;
    void (*run)(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                struct bk_result *res);
    /* Layer mode (an external layer runner, backend_exec.h), else NULL: the
     * kernel takes the checkpoint tensors, activations and layer config
     * (adapters/adapter.h) instead of the ABI tensors, so the engine's loader
     * runs inside it. out and guard as for run. */
    void (*run_layer)(void *self, const struct adapter_input *in, uint16_t *out, size_t guard,
                      struct bk_result *res);
};

#endif

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

struct bk_result {
    bk_status_t status;
    char reason[BK_REASON_MAX];
    char *log;        /* malloc'd build log or NULL */
    double kernel_ms; /* device time of the kernel, when known, else wall time */
    double build_ms;  /* program build time spent for this case (0 when cached) */
    int hung;         /* BK_ERROR because the watchdog killed a kernel that did not finish */
};

void bk_result_clear(struct bk_result *r);

struct adapter_input;

/* The kernel under test, whatever it is (OpenCL, plugin, CPU). */
struct kernel_backend {
    void *self;
    void (*run)(void *self, const struct abi_tensors *t, uint16_t *out, size_t out_total,
                struct bk_result *res);
    /* Layer mode (an external layer runner, backend_exec.h), else NULL: the
     * kernel takes the checkpoint tensors, activations and layer config
     * (adapters/adapter.h) instead of the ABI tensors, so the engine's loader
     * runs inside it. */
    void (*run_layer)(void *self, const struct adapter_input *in, uint16_t *out, size_t out_total,
                      struct bk_result *res);
};

#endif

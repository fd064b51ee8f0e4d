/* worker.h - fault isolation for the kernel under test: the backend lives in
 * a child process (the "device worker"), and every case's kernel run is a
 * request to it through shared memory. A kernel that hangs is killed after
 * the per-case timeout, one that crashes the process (or a plugin that
 * segfaults) takes only the worker down: either way the case ends as ERROR
 * and the next case gets a fresh worker, with a fresh device context. A run
 * that fails with a device error (CL_OUT_OF_RESOURCES, ...) also retires the
 * worker, since the context may be unusable afterwards.
 *
 * The parent never initialises the device itself (OpenCL implementations are
 * not fork-safe once initialised). */
#ifndef GH_WORKER_H
#define GH_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"

/* Runs in the child: opens the real backend into *kb, and writes a one-line
 * description (device, driver) into info. Returns 0, or -1 with a message. */
typedef int (*worker_open_fn)(void *arg, struct kernel_backend *kb, char *info, size_t infolen,
                              char *err, size_t errlen);
/* Runs in the child before it exits (arg: as given to worker_start). */
typedef void (*worker_close_fn)(void *arg, struct kernel_backend *kb);

struct worker;

/* Starts a worker (forks; the child calls open). timeout_s <= 0: no
 * watchdog. info receives the child's description. Returns NULL with a
 * message when the child cannot open the backend. */
struct worker *worker_start(worker_open_fn open, worker_close_fn close, void *arg, double timeout_s,
                            char *info, size_t infolen, char *err, size_t errlen);

/* kernel_backend.run for a worker (self = struct worker *). */
void worker_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                struct bk_result *res);

/* How many times the worker was restarted after a hang, crash or device
 * error. */
int worker_restarts(const struct worker *w);

/* The current worker process's peak resident memory in bytes (-1: none). */
int64_t worker_peak_rss(const struct worker *w);

/* How long opening a backend may take for a case timeout of timeout_s
 * (<= 0: no limit, 0): the case timeout, but at least 10 s, since a short
 * --case-timeout is meant for kernels, not for a device's start-up. */
double worker_open_limit(double timeout_s);

void worker_stop(struct worker *w);

#endif

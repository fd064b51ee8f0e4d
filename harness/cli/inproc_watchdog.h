/* inproc_watchdog.h - the watchdog for kernels that run in the harness's own
 * process (`--mode perf`, which times them there, and --no-isolation). Such
 * a kernel cannot be killed alone: when it runs past --case-timeout, or
 * SIGINT, SIGTERM or SIGHUP arrives while it runs, a watchdog thread ends
 * the run the way exit_guard.h does: the case is recorded as ERROR (a hang)
 * or left out (a signal), the rest is listed as not run, the reports and
 * JUnit are written marked PARTIAL, and the process exits 1. */
#ifndef GH_INPROC_WATCHDOG_H
#define GH_INPROC_WATCHDOG_H

#include <pthread.h>

#include "backends/backend.h"
#include "backends/backends.h"
#include "cli/exit_guard.h"

struct inproc_watchdog {
    struct kernel_backend inner; /* the backend it wraps */
    double timeout_s;            /* <= 0: signals only */
    struct exit_guard *guard;
    pthread_t thread;
    pthread_mutex_t mu;
    int busy;       /* a kernel is running (under mu) */
    double started; /* since when (under mu) */
    int quit;       /* the thread should end (under mu) */
    int have_thread;
};

/* Starts the watchdog thread over *kb, and replaces *kb by a backend that
 * runs the old one under it. w must live until inproc_watchdog_stop.
 * Returns 0, or -1 (no thread: the run goes on without one, with a warning). */
int inproc_watchdog_start(struct inproc_watchdog *w, struct kernel_backend *kb, double timeout_s,
                          struct exit_guard *g);
/* Around other kernel launches (perf mode's timing runs). */
void inproc_watchdog_enter(struct inproc_watchdog *w);
void inproc_watchdog_leave(struct inproc_watchdog *w);
void inproc_watchdog_stop(struct inproc_watchdog *w);

/* kut_open in this process, under a deadline thread: when the open (a
 * plugin's constructors, the OpenCL device's start-up or a runner's
 * start) takes longer than worker_open_limit(timeout_s), the process
 * says so on stderr, naming cmd and kernel, and exits 1 (nothing has been
 * run yet, so nothing is lost). Returns as kut_open does. */
int inproc_open(const char *cmd, const char *kernel, const char *device_sel, double timeout_s,
                struct kernel_under_test *kut, char *err, size_t errlen);

#endif

/* inproc_watchdog.c - see inproc_watchdog.h. */
#include "cli/inproc_watchdog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backends/worker.h"
#include "util/clock.h"
#include "util/interrupt.h"

void inproc_watchdog_enter(struct inproc_watchdog *w) {
    if (!w || !w->have_thread) return;
    pthread_mutex_lock(&w->mu);
    w->busy = 1;
    w->started = now_seconds();
    pthread_mutex_unlock(&w->mu);
}

void inproc_watchdog_leave(struct inproc_watchdog *w) {
    if (!w || !w->have_thread) return;
    /* blocks for good once the watchdog fired: it holds mu until it exits */
    pthread_mutex_lock(&w->mu);
    w->busy = 0;
    pthread_mutex_unlock(&w->mu);
}

static void run_watched(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                        struct bk_result *res) {
    struct inproc_watchdog *w = self;
    inproc_watchdog_enter(w);
    w->inner.run(w->inner.self, t, out, guard, res);
    inproc_watchdog_leave(w);
}

static void *watch(void *arg) {
    struct inproc_watchdog *w = arg;
    char note[300];
    for (;;) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&w->mu);
        if (w->quit) break;
        const int sig = interrupt_requested();
        const int hung = w->timeout_s > 0 && now_seconds() - w->started > w->timeout_s;
        if (w->busy && (sig || hung)) {
            /* mu stays locked: the kernel's thread must not go on meanwhile */
            if (sig) {
                snprintf(note, sizeof note,
                         "interrupted by %s while a kernel ran in this process (--mode perf or "
                         "--no-isolation): that case abandoned",
                         interrupt_name(sig));
                exit_guard_end(w->guard, note, NULL);
            }
            snprintf(note, sizeof note,
                     "the kernel did not finish within %g s (--case-timeout); it runs in this "
                     "process (--mode perf or --no-isolation), so the run stops here",
                     w->timeout_s);
            exit_guard_end(w->guard, "a kernel hung in this process", note);
        }
        pthread_mutex_unlock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int inproc_watchdog_start(struct inproc_watchdog *w, struct kernel_backend *kb, double timeout_s,
                          struct exit_guard *g) {
    memset(w, 0, sizeof *w);
    w->inner = *kb;
    w->timeout_s = timeout_s;
    w->guard = g;
    if (pthread_mutex_init(&w->mu, NULL) != 0) return -1;
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        fprintf(stderr, "gptq-harness run: warning: no watchdog thread; a hanging kernel will "
                        "block the run\n");
        return -1;
    }
    w->have_thread = 1;
    kb->self = w;
    kb->run = run_watched;
    return 0;
}

void inproc_watchdog_stop(struct inproc_watchdog *w) {
    if (!w->have_thread) return;
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    w->have_thread = 0;
}

struct open_deadline {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done; /* under mu */
    double limit;
    const char *cmd, *kernel;
};

static void *open_watch(void *arg) {
    struct open_deadline *o = arg;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)o->limit;
    until.tv_nsec += (long)((o->limit - (double)(time_t)o->limit) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&o->mu);
    int rc = 0;
    while (!o->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&o->cv, &o->mu, &until);
    if (!o->done) { /* the opening thread is stuck (in dlopen, say): end here */
        fprintf(stderr,
                "gptq-harness %s: the kernel %s did not open within %.3g s in this process "
                "(--no-isolation or --mode perf): its constructors or the device's start-up "
                "hang; the limit is --case-timeout, at least 10 s; nothing was run\n",
                o->cmd, o->kernel, o->limit);
        fflush(NULL);
        _exit(1);
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

int inproc_open(const char *cmd, const char *kernel, const char *device_sel, double timeout_s,
                struct kernel_under_test *kut, char *err, size_t errlen) {
    struct open_deadline o = {.limit = worker_open_limit(timeout_s), .cmd = cmd, .kernel = kernel};
    pthread_t th;
    int have = 0;
    if (o.limit > 0 && pthread_mutex_init(&o.mu, NULL) == 0) {
        if (pthread_cond_init(&o.cv, NULL) == 0) {
            have = pthread_create(&th, NULL, open_watch, &o) == 0;
            if (!have) pthread_cond_destroy(&o.cv);
        }
        if (!have) pthread_mutex_destroy(&o.mu);
    }
    if (o.limit > 0 && !have)
        fprintf(stderr,
                "gptq-harness %s: warning: no watchdog thread; a kernel that hangs while "
                "it is opened will block the run\n",
                cmd);
    const int rc = kut_open(kernel, device_sel, kut, err, errlen);
    if (have) {
        pthread_mutex_lock(&o.mu);
        o.done = 1;
        pthread_cond_signal(&o.cv);
        pthread_mutex_unlock(&o.mu);
        pthread_join(th, NULL);
        pthread_cond_destroy(&o.cv);
        pthread_mutex_destroy(&o.mu);
    }
    return rc;
}

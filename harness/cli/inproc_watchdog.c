/* inproc_watchdog.c - see inproc_watchdog.h. */
#include "cli/inproc_watchdog.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* interrupt.c - see interrupt.h. The flag is the only process-wide mutable
 * state: a signal handler has nowhere else to put it. */
#include "util/interrupt.h"

#include <signal.h>
#include <sys/types.h>
#include <string.h>

static volatile sig_atomic_t stop_signal, signals, child;

static void on_signal(int sig) {
    signals++;
    if (stop_signal) { /* the second one: leave now, the default way */
        if (child > 0) kill((pid_t)child, SIGKILL);
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

unsigned interrupt_count(void) {
    return (unsigned)signals;
}

void interrupt_child(long pid) {
    child = (sig_atomic_t)pid;
}

void interrupt_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* the terminal or the CI agent's session went away */
}

int interrupt_requested(void) {
    return (int)stop_signal;
}

const char *interrupt_name(int sig) {
    return sig == SIGINT    ? "SIGINT"
           : sig == SIGTERM ? "SIGTERM"
           : sig == SIGHUP  ? "SIGHUP"
                            : "a signal";
}

/* interrupt.h - SIGINT / SIGTERM / SIGHUP during a sweep. The first signal asks the
 * run to stop: host-side work of the case in progress finishes, a kernel
 * still running in the device worker is abandoned (worker.c polls this flag;
 * the case is not recorded); every finished case is already in
 * results.jsonl, and the reports are written, marked partial. A second
 * signal ends the process at once (results.jsonl still holds every finished
 * case: it is flushed and synced line by line). */
#ifndef GH_INTERRUPT_H
#define GH_INTERRUPT_H

/* Installs the handlers (SA_RESTART, so system calls in progress go on). */
void interrupt_install(void);
/* The signal that asked to stop (SIGINT, SIGTERM, SIGHUP), or 0. */
int interrupt_requested(void);
/* How many of those signals arrived so far (a helper program that is waited
 * for is stopped when this grows). */
unsigned interrupt_count(void);
/* A helper process (pid > 0; 0: none) to kill with SIGKILL when a second
 * signal ends the process, so that it does not outlive the run. */
void interrupt_child(long pid);
/* "SIGINT", "SIGTERM", "SIGHUP". */
const char *interrupt_name(int sig);

#endif

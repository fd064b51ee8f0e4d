/* exit_guard.h - a sweep that ends through exit() (a plugin that calls it
 * under --no-isolation, where the kernel runs in the harness's own process)
 * must not end green and without its reports: while armed, an exit() finishes
 * the run as partial (the case in progress and those after it not run, the
 * reports and JUnit written) and the process exits 1 whatever code exit()
 * was given. */
#ifndef GH_EXIT_GUARD_H
#define GH_EXIT_GUARD_H

#include <stddef.h>

#include "cases/batch.h"
#include "cases/shard.h"
#include "results/runout.h"
#include "verdict/case_result.h"

struct exit_guard {
    struct runout *ro;
    const struct case_list *cases;
    const struct shard *sh;
    size_t current; /* the case in progress (the caller keeps it up to date) */
};

/* Ends the run now (never returns): case g->current is recorded as ERROR
 * with error_reason, or, when that is NULL, listed as not run with those
 * after it; note says why the run is partial; reports and JUnit are written;
 * the process exits 1. */
_Noreturn void exit_guard_end(struct exit_guard *g, const char *note, const char *error_reason);

/* Arms the guard for g (one at a time; g must live until disarmed). */
void exit_guard_arm(struct exit_guard *g);
void exit_guard_disarm(void);

#endif

/* exit_guard.c - see exit_guard.h. The armed guard is process-wide state by
 * necessity: an atexit handler has no other way to find the run. */
#include "cli/exit_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct exit_guard *armed;
static int registered;

static void on_exit_call(void) {
    struct exit_guard *g = armed;
    if (!g) return;
    armed = NULL;
    char note[200], desc[RECORD_DESC_MAX];
    snprintf(note, sizeof note,
             "the process was ended by exit() during case #%zu (a plugin under --no-isolation?)",
             g->current);
    fprintf(stderr, "gptq-harness run: %s; writing the partial results\n", note);
    runout_mark_partial(g->ro, note);
    for (size_t i = g->current; i < g->cases->n; i++) {
        desc_print(&g->cases->v[i], desc, sizeof desc);
        if (shard_selects(g->sh, i)) (void)runout_not_run(g->ro, (int64_t)i, desc);
    }
    runout_finish(g->ro, 1, stdout);
    fflush(stdout);
    fflush(stderr);
    _exit(1); /* partial: never the code exit() was given */
}

void exit_guard_arm(struct exit_guard *g) {
    if (!registered && atexit(on_exit_call) != 0) {
        fprintf(stderr, "gptq-harness run: warning: cannot register the exit guard\n");
        return;
    }
    registered = 1;
    armed = g;
}

void exit_guard_disarm(void) {
    armed = NULL;
}

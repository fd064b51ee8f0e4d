/* exit_guard.c - see exit_guard.h. The armed guard is process-wide state by
 * necessity: an atexit handler has no other way to find the run. */
#include "cli/exit_guard.h"
#include "cli/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct exit_guard *armed;
static int registered;

_Noreturn void exit_guard_end(struct exit_guard *g, const char *note, const char *error_reason) {
    armed = NULL;
    char desc[RECORD_DESC_MAX];
    fprintf(stderr, "gptq-harness run: %s; writing the partial results\n", note);
    size_t from = g->current;
    if (error_reason) {
        struct case_result *r = calloc(1, sizeof *r);
        if (r) {
            r->d = g->cases->v[g->current];
            r->verdict = V_ERROR;
            r->hung = 1;
            snprintf(r->reason, sizeof r->reason, "%s", error_reason);
            desc_print(&r->d, desc, sizeof desc);
            printf("%-10s %s\n", verdict_name(V_ERROR), desc);
            console_detail(stdout, "why", error_reason);
            runout_case(g->ro, (int64_t)g->current, r);
            from++;
        }
    }
    runout_mark_partial(g->ro, note);
    for (size_t i = from; i < g->cases->n; i++) {
        desc_print(&g->cases->v[i], desc, sizeof desc);
        if (shard_selects(g->sh, i)) (void)runout_not_run(g->ro, (int64_t)i, desc);
    }
    runout_finish(g->ro, 1, stdout);
    fflush(stdout);
    fflush(stderr);
    _exit(1); /* partial: never the code exit() was given */
}

static void on_exit_call(void) {
    struct exit_guard *g = armed;
    if (!g) return;
    char note[200];
    snprintf(note, sizeof note,
             "the process was ended by exit() during case #%zu (a plugin under --no-isolation?)",
             g->current);
    exit_guard_end(g, note, NULL);
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

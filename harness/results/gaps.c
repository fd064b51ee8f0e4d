/* gaps.c - the cases a run did not cover (see gaps.h). */
#include "results/gaps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gaps_add(struct run_gaps *g, int64_t index, const char *desc) {
    if (g->n == g->cap) {
        size_t ncap = g->cap ? 2 * g->cap : 16;
        struct gap *nv = realloc(g->v, ncap * sizeof *nv);
        if (!nv) return -1;
        g->v = nv;
        g->cap = ncap;
    }
    char *d = desc ? strdup(desc) : NULL;
    if (desc && !d) return -1;
    g->v[g->n].index = index;
    g->v[g->n].desc = d;
    g->n++;
    return 0;
}

void gaps_note(struct run_gaps *g, const char *text) {
    size_t n = strlen(g->note);
    snprintf(g->note + n, sizeof g->note - n, "%s%s", n ? "; " : "", text);
}

int gaps_partial(const struct run_gaps *g) {
    return g && (g->note[0] || g->n > 0);
}

const char *gaps_name(const struct gap *gp, char *buf, size_t len) {
    if (gp->desc) return gp->desc;
    snprintf(buf, len, "case #%lld of the sweep", (long long)gp->index);
    return buf;
}

void gaps_free(struct run_gaps *g) {
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].desc);
    free(g->v);
    memset(g, 0, sizeof *g);
}

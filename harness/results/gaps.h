/* gaps.h - what a run or a merge did not cover: the reason it is partial
 * (interrupted, a shard missing, results not recorded) and the cases of the
 * sweep that have no result. The reports say PARTIAL at the top and list
 * these cases; JUnit lists them as errors of type "not-run" (so that a CI
 * that reads only the XML does not go green); the exit code is at least 1. */
#ifndef GH_GAPS_H
#define GH_GAPS_H

#include <stddef.h>
#include <stdint.h>

#define GAPS_LISTED 200 /* not-run cases the reports name; the rest are counted */

struct gap {
    int64_t index; /* place in the sweep */
    char *desc;    /* the descriptor; NULL when unknown (a missing shard) */
};

struct run_gaps {
    char note[512]; /* why the run is partial; "" when nothing is missing */
    struct gap *v;
    size_t n, cap;
};

/* Adds a case that has no result (desc may be NULL). Returns 0 or -1 (out
 * of memory). */
int gaps_add(struct run_gaps *g, int64_t index, const char *desc);

/* Appends "; text" (or text) to the note. */
void gaps_note(struct run_gaps *g, const char *text);

/* 1 when the run is partial: a note or a case without a result. g may be NULL. */
int gaps_partial(const struct run_gaps *g);

/* The name a report gives gap i: its descriptor, or "case #N of the sweep". */
const char *gaps_name(const struct gap *gp, char *buf, size_t len);

void gaps_free(struct run_gaps *g);

#endif

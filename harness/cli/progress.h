/* progress.h - the progress line of a long sweep on stderr: case i/N,
 * elapsed time and an estimate of the time left, redrawn in place with '\r'
 * at most a few times a second. Only when stderr is a terminal; nothing at all
 * otherwise (CI logs stay clean). Clear it before printing a line to stdout,
 * so that results and the progress line do not mix on a terminal. */
#ifndef GH_PROGRESS_H
#define GH_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

struct progress {
    FILE *f; /* NULL: disabled */
    size_t total;
    double t0, last;
    int shown; /* a line is on screen */
};

/* Enabled when f is a terminal (f = stderr in the program). */
void progress_start(struct progress *p, FILE *f, size_t total, double now);
/* done cases finished at time now (seconds, monotonic). */
void progress_update(struct progress *p, size_t done, double now);
/* Erases the line if one is shown. */
void progress_clear(struct progress *p);

/* The line's text, e.g. "[ 120/496] 0:42 elapsed, ~2:11 left" (pure; for
 * tests). Returns the length like snprintf. */
int progress_format(char *buf, size_t len, size_t done, size_t total, double elapsed);

#endif

/* progress.c - progress line on a terminal (see progress.h). */
#include "cli/progress.h"

#include <unistd.h>

#define PROGRESS_INTERVAL 0.2 /* seconds between redraws */

void progress_start(struct progress *p, FILE *f, size_t total, double now) {
    p->f = (f && isatty(fileno(f))) ? f : NULL;
    p->total = total;
    p->t0 = now;
    p->last = -1;
    p->shown = 0;
}

static void clock_text(char *buf, size_t len, double s) {
    long t = s > 0 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

int progress_format(char *buf, size_t len, size_t done, size_t total, double elapsed) {
    char el[32], left[32];
    int width = 1; /* digits of total, so that the line does not jump */
    for (size_t t = total; t >= 10; t /= 10)
        width++;
    clock_text(el, sizeof el, elapsed);
    if (done == 0 || done >= total)
        return snprintf(buf, len, "[%*zu/%zu] %s elapsed", width, done, total, el);
    clock_text(left, sizeof left, elapsed / (double)done * (double)(total - done));
    return snprintf(buf, len, "[%*zu/%zu] %s elapsed, ~%s left", width, done, total, el, left);
}

void progress_update(struct progress *p, size_t done, double now) {
    if (!p->f) return;
    /* throttled, except when the line was cleared (by a result line) or at the end */
    if (p->shown && now - p->last < PROGRESS_INTERVAL && done < p->total) return;
    char line[128];
    progress_format(line, sizeof line, done, p->total, now - p->t0);
    fprintf(p->f, "\r%s\033[K", line);
    fflush(p->f);
    p->last = now;
    p->shown = 1;
}

void progress_clear(struct progress *p) {
    if (!p->f || !p->shown) return;
    fputs("\r\033[K", p->f);
    fflush(p->f);
    p->shown = 0;
}

/* strbuf.c - bounded text appending (see strbuf.h). */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>

void sb_init(struct strbuf *s, char *buf, size_t len) {
    s->buf = buf;
    s->len = len;
    s->used = 0;
    s->cut = 0;
    if (len) buf[0] = '\0';
}

void sb_add(struct strbuf *s, const char *fmt, ...) {
    if (s->len == 0 || s->used + 1 >= s->len) {
        s->cut = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(s->buf + s->used, s->len - s->used, fmt, ap);
    va_end(ap);
    if (w < 0) {
        s->buf[s->used] = '\0';
        s->cut = 1;
        return;
    }
    if ((size_t)w >= s->len - s->used) {
        s->used = s->len - 1;
        s->cut = 1;
    } else {
        s->used += (size_t)w;
    }
}

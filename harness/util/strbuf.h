/* strbuf.h - appending formatted text to a fixed buffer: never overflows,
 * always terminated, and remembers whether anything was cut. */
#ifndef GH_STRBUF_H
#define GH_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *buf;
    size_t len;  /* capacity, terminator included */
    size_t used; /* chars stored (< len when len > 0) */
    int cut;     /* 1 when text was dropped */
};

/* Starts an empty buffer over buf (len bytes; len 0 stores nothing). */
void sb_init(struct strbuf *s, char *buf, size_t len);
/* Appends printf-style text, as much as fits. */
void sb_add(struct strbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

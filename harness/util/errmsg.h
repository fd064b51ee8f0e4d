/* errmsg.h - error messages into a caller's buffer, the convention of every
 * module here: a function that fails writes one line into (err, errlen) and
 * returns -1. */
#ifndef GH_ERRMSG_H
#define GH_ERRMSG_H

#include <stddef.h>

/* Formats into err (when err and errlen are set) and returns -1. */
int errmsg(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

/* outfile.c - whole-file writes (see outfile.h). */
#include "util/outfile.h"

#include <errno.h>
#include <string.h>

int outfile_open(struct outfile *o, const char *path, char *err, size_t errlen) {
    o->f = NULL;
    int n = snprintf(o->path, sizeof o->path, "%s", path);
    int m = snprintf(o->tmp, sizeof o->tmp, "%s.tmp", o->path);
    if (n < 0 || (size_t)n >= sizeof o->path || m < 0 || (size_t)m >= sizeof o->tmp) {
        snprintf(err, errlen, "path too long: %.200s...", path);
        return -1;
    }
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        snprintf(err, errlen, "%s: cannot create: %s", o->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

/* A full disk is named as such; anything else unknown is an I/O error. */
static const char *io_error(int e) {
    return e == ENOSPC || e == EIO || e == EFBIG || e == EDQUOT ? strerror(e) : "I/O error";
}

int outfile_commit(struct outfile *o, char *err, size_t errlen) {
    if (!o->f) return -1;
    int e = errno; /* what the write that failed left, if one did */
    int bad = ferror(o->f) || fflush(o->f) != 0;
    if (bad && fflush(o->f) != 0) e = errno;
    int rc = fclose(o->f);
    o->f = NULL;
    if (bad || rc != 0 || rename(o->tmp, o->path) != 0) {
        snprintf(err, errlen, "%s: write failed: %s", o->path, bad ? io_error(e) : strerror(errno));
        remove(o->tmp);
        return -1;
    }
    return 0;
}

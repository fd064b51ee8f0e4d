/* outfile.h - files written whole (JUnit XML, reports): written to PATH.tmp
 * and renamed over PATH only when complete, so a reader never sees half a
 * file and a failed write leaves the old one. */
#ifndef GH_OUTFILE_H
#define GH_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

struct outfile {
    FILE *f;
    char path[4200], tmp[4210];
};

/* Returns 0, or -1 with a message. */
int outfile_open(struct outfile *o, const char *path, char *err, size_t errlen);
/* Closes and renames; on any write error removes the temporary file.
 * Returns 0, or -1 with a message. */
int outfile_commit(struct outfile *o, char *err, size_t errlen);

#endif

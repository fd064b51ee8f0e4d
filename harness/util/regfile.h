/* regfile.h - opening input files that must be regular files. A FIFO, a
 * device or a directory named where a file is expected is refused before
 * anything blocks on it (fopen of a FIFO waits for a writer forever). */
#ifndef GH_REGFILE_H
#define GH_REGFILE_H

#include <stddef.h>
#include <stdio.h>

/* Opens path for reading ("rb") when it is a regular file. Returns the
 * stream, or NULL with "PATH: cannot open: ..." or "PATH: not a regular file
 * (a FIFO)" in err (err may be NULL). */
FILE *fopen_regular(const char *path, char *err, size_t errlen);

#endif

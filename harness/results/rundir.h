/* rundir.h - the directory a run (or a merge) writes its results and
 * reports into.
 *   --out DIR   DIR, created with its parents when missing; files of an earlier
 *               run there are overwritten.
 *   default     reports/<UTC time YYYYmmdd-HHMMSS>/ under the current directory
 *               (with "-2", "-3"... when that name is taken), and reports/latest,
 *               a symbolic link to it, replaced atomically. --out leaves
 *               reports/latest alone. $GPTQ_HARNESS_REPORTS replaces reports/. */
#ifndef GH_RUNDIR_H
#define GH_RUNDIR_H

#include <stddef.h>
#include <time.h>

#define RUNDIR_MAX 4096

/* Creates the run directory (want = NULL: the default, named after now) and
 * writes its path into out. Returns 0, or -1 with a message. A failure to
 * update reports/latest is only a warning on stderr. */
int rundir_create(const char *want, time_t now, char *out, size_t outlen, char *err, size_t errlen);

/* mkdir -p. Returns 0, or -1 with a message. */
int mkdir_p(const char *path, char *err, size_t errlen);

#endif

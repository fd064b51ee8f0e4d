/* runenv.h - the environment a run names in every record: device, platform,
 * driver, kernel file and its FNV-1a 64 hash, harness version and the git
 * commit the harness was built from (GH_GIT_COMMIT, set by the Makefile from
 * `git rev-parse --short HEAD`; "unknown" when not built from a checkout). */
#ifndef GH_RUNENV_H
#define GH_RUNENV_H

#include "results/record.h"

/* Fills e; NULL strings become "unknown". The kernel file is hashed now;
 * "unknown" when it cannot be read. */
void run_env_fill(struct run_env *e, const char *device, const char *platform, const char *driver,
                  const char *kernel_path);

/* The git commit compiled in ("unknown" when none). */
const char *run_env_git(void);

#endif

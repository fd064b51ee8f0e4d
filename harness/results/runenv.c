/* runenv.c - the run environment (see runenv.h). */
#include "results/runenv.h"

#include <stdio.h>
#include <string.h>

#include "util/escape.h"
#include "util/hash.h"
#include "util/version.h"

#ifndef GH_GIT_COMMIT
#define GH_GIT_COMMIT "unknown"
#endif

const char *run_env_git(void) {
    return GH_GIT_COMMIT[0] ? GH_GIT_COMMIT : "unknown";
}

/* paths and driver strings may hold any byte: results.jsonl must stay UTF-8 */
#define COPY(dst, src) utf8_escape_bytes((src) ? (src) : "unknown", dst, sizeof dst)

void run_env_fill(struct run_env *e, const char *device, const char *platform, const char *driver,
                  const char *kernel_path) {
    memset(e, 0, sizeof *e);
    COPY(e->device, device);
    COPY(e->platform, platform);
    COPY(e->driver, driver);
    COPY(e->kernel, kernel_path);
    uint64_t h;
    if (kernel_path && hash_file_fnv1a64(kernel_path, &h, NULL, 0) == 0)
        hash_hex(h, e->kernel_hash);
    else
        COPY(e->kernel_hash, "unknown");
    COPY(e->harness, GH_VERSION);
    COPY(e->git, run_env_git());
}

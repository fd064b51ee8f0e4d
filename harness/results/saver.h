/* saver.h - the case hook behind `run --save-failures DIR` and `run --save-all
 * DIR`: writes a fixture (fixture.h) of each FAILED or MISTRUSTED case, or of
 * every case (golden sets), into DIR under a name derived from the
 * descriptor. A case that never got a packed checkpoint and a reference
 * (skipped for memory, generation failed) has nothing to save. */
#ifndef GH_SAVER_H
#define GH_SAVER_H

#include <stddef.h>

#include "verdict/case_result.h"

#define SAVER_PATH_MAX 4352

struct saver {
    char dir[4096];
    int all;
    const char *device, *kernel; /* metadata; may be NULL */
    char kernel_hash[17];        /* "" when the kernel file cannot be read */
    long saved, errors;
    char last[SAVER_PATH_MAX]; /* fixture of the last case, "" when none */
};

/* Prepares s for dir (created, with its parents, when missing). all: save
 * every case. Returns 0 or -1 + err. */
int saver_init(struct saver *s, const char *dir, int all, char *err, size_t errlen);

/* Names the device and kernel in the fixtures; hashes the kernel file. */
void saver_set_target(struct saver *s, const char *device, const char *kernel_path);

/* The case_hook (ctx: a struct saver). Reports a failed write on stderr and
 * counts it in errors. */
void saver_hook(void *ctx, const struct case_result *r, const struct case_work *w);

#endif

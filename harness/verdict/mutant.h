/* mutant.h - mutant kernels: small, named edits of a kernel source (kept with
 * the tests, never inside the production kernel), for the selftest to prove
 * that kernel-side bugs are caught.
 *
 * A mutant file (NAME.mut) holds:
 *   # comment lines
 *   mutant: one-line description of the bug
 *   base: path/of/kernel.cl        (optional; default kernels/w4a16_gemm.cl)
 *   applies: key=v1,v2 key=v ...   (optional; the cases where the mutated code
 *                                   can run at all, as descriptor key=value
 *                                   tokens: every key must have one of its
 *                                   values; e.g. "applies: bias=1")
 *   -old line                      a hunk: consecutive '-' lines (the text to
 *   -old line                      find, exactly once, in the base source)
 *   +new line                      followed by the '+' lines replacing it
 * Text after '-' / '+' is taken verbatim (indentation included); empty lines
 * between hunks are ignored. Every hunk must match exactly once, so a mutant
 * whose base has changed is reported, never silently run unmutated. */
#ifndef GH_MUTANT_H
#define GH_MUTANT_H

#include <stddef.h>

#define MUTANT_NAME_MAX 64
#define MUTANT_DESC_MAX 256
#define MUTANT_HUNKS_MAX 16
#define MUTANT_DEFAULT_BASE "kernels/w4a16_gemm.cl"

struct mutant_hunk {
    char *old_text; /* lines joined with '\n' (no trailing newline) */
    char *new_text;
};

struct mutant {
    char name[MUTANT_NAME_MAX]; /* file name without directory and .mut */
    char desc[MUTANT_DESC_MAX];
    char base[4096];
    char applies[256]; /* "" = every case */
    int nhunks;
    struct mutant_hunk h[MUTANT_HUNKS_MAX];
};

/* Parses a mutant file. Returns 0, or -1 with a message naming the file and
 * line (m then owns nothing). */
int mutant_load(const char *path, struct mutant *m, char *err, size_t errlen);

/* Same, from text (name used in messages and as the mutant's name). */
int mutant_parse(const char *text, const char *name, struct mutant *m, char *err, size_t errlen);

/* Applies every hunk to src; *out is a malloc'd mutated source. Returns 0, or
 * -1 with a message (a hunk matches nowhere or more than once). */
int mutant_apply(const struct mutant *m, const char *src, char **out, char *err, size_t errlen);

void mutant_free(struct mutant *m);

/* Writes m applied to the kernel source at base_path into out_path ("-":
 * stdout). Returns 0, or -1 with a message (the base does not read, a hunk
 * does not match, the file cannot be written). */
int mutant_write_kernel(const struct mutant *m, const char *base_path, const char *out_path,
                        char *err, size_t errlen);

/* 1 when the case printed as desc_line (desc_print's canonical form) meets
 * every condition of m->applies. */
int mutant_applies(const struct mutant *m, const char *desc_line);

/* Reads a whole text file into a malloc'd string. Returns NULL with a
 * message (errno text) on failure. */
char *mutant_read_file(const char *path, char *err, size_t errlen);

#endif

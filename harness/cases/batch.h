/* batch.h - batch files and comma-list expansion (docs/descriptors.md).
 *
 * A batch file holds one descriptor per line; '#' starts a comment (to the end
 * of the line); blank lines are ignored. A value may be a comma list
 * (g=32,64,128,-1 zp=sym,asym): the line expands to the cross product, in
 * order, the first key varying slowest. Lines are limited in length and the
 * expansion in count (BATCH_MAX_CASES) so a hostile file cannot exhaust memory.
 *
 * Invalid cases: a bad value (unknown key or name, out of range, n % 8 != 0,
 * an empty element as in g=32,,64) is always an error. An impossible
 * combination of valid values (cross-key rules of desc_validate: k % g,
 * gidx=act with g=-1, fmt=awq with gidx != none, zproute without vllm-xpu) is
 * skipped silently when the line has a comma list, since cross products
 * naturally contain such combinations; nothing is counted or reported. On a
 * line without comma lists it is an error, and so is a comma-list line none of
 * whose combinations is valid. On any error the list is left as it was before
 * the call (a failed file adds no case). */
#ifndef GH_BATCH_H
#define GH_BATCH_H

#include <stddef.h>

#include "cases/desc.h"

#define BATCH_MAX_CASES 1000000
#define BATCH_MAX_LINE 4096

struct case_list {
    struct case_desc *v;
    size_t n, cap;
};

void case_list_free(struct case_list *l);

/* Expands one line (comma lists allowed) and appends every case to l.
 * Returns 0, or -1 with a message in err naming the key and rule. */
int batch_expand_line(const char *line, struct case_list *l, char *err, size_t errlen);

/* Reads a batch file and appends every case. Errors name the file and line
 * ("smoke.batch:12: unknown key 'gs'"). Returns 0 or -1. */
int batch_read_file(const char *path, struct case_list *l, char *err, size_t errlen);

/* Same, from a string holding a whole batch (used by tests and fuzzers).
 * name is used in messages. */
int batch_read_string(const char *text, const char *name, struct case_list *l, char *err,
                      size_t errlen);

#endif

/* console.h - the console report: one line per case on stdout (verdict, key
 * metrics, time, the repro descriptor), detail lines for failures (why,
 * where, diagnosis, build log, repro), and the
 * final summary line. Progress and diagnostics go to stderr. */
#ifndef GH_CONSOLE_H
#define GH_CONSOLE_H

#include <stdio.h>

#include "runner.h"

struct tally {
    long n, by[V_COUNT];
};

void tally_add(struct tally *t, verdict_t v);
/* "tests: N passed: P failed: F mistrusted: X skipped: S errors: E" */
void tally_print(FILE *f, const struct tally *t);
/* Process exit code of DESIGN §6: 0 all passed/skipped, 1 any FAILED/ERROR
 * (MISTRUSTED counts as failure: the result cannot be trusted). */
int tally_exit_code(const struct tally *t);

/* repro_prefix: the command that reruns one descriptor, e.g.
 * "build/gptq-harness run --kernel x.cl". verbose: also print the build log. */
void console_case(FILE *f, const struct case_result *r, const char *repro_prefix, int verbose);

#endif

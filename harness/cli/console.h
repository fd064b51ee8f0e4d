/* console.h - the console report: one line per case on stdout (verdict, key
 * metrics, time, the repro descriptor), detail lines for failures (why,
 * where, diagnosis, build log, repro), and the
 * final summary line. Progress and diagnostics go to stderr. */
#ifndef GH_CONSOLE_H
#define GH_CONSOLE_H

#include <stdint.h>
#include <stdio.h>

#include "verdict/runner.h"

struct tally {
    long n, by[V_COUNT];
};

void tally_add(struct tally *t, verdict_t v);
/* The closing line, one line of key=value words in this order (docs/reports.md,
 * "The summary line"):
 * "summary: total=N passed=P failed=F mistrusted=X skipped=S errors=E exit=C"
 * total counts every case; exit is the process exit code that follows. */
void tally_print(FILE *f, const struct tally *t, int exit_code);
/* Process exit code of docs/comparison.md: 0 all passed/skipped, 1 any FAILED/ERROR
 * (MISTRUSTED counts as failure: the result cannot be trusted). */
int tally_exit_code(const struct tally *t);

/* Kernel build failures already printed: a kernel that does not build fails
 * every case of a build configuration (dtype, zero point, g_idx, bias) the
 * same way; the first is printed with its log, the others in one line. */
#define BUILD_SEEN_MAX 64
struct build_seen {
    uint64_t h[BUILD_SEEN_MAX]; /* FNV-1a 64 of reason and log */
    int n;
    long configs, repeats; /* failures printed in full; cases that repeated one */
};

/* 1 when r is an ERROR with a build log (a failed build) equal to one seen
 * before (counted), else 0 (and a new failure is remembered). */
int build_seen_repeat(struct build_seen *s, const struct case_result *r);
/* The case line only (its build failure was printed in full before; the
 * closing "build:" line of build_seen_print says so). */
void console_build_repeat(FILE *f, const struct case_result *r);
/* "build: the kernel did not build (or did not fit the ABI) for C build
 * configuration(s) ..." when any. */
void build_seen_print(FILE *f, const struct build_seen *s);

/* Where a sweep's time goes (--profile). */
struct profile {
    double gen, ref, adapt, dev, build, cmp, total; /* seconds, summed over cases */
    double wall;                                    /* the whole sweep */
    long n;
};

void profile_add(struct profile *p, const struct case_result *r);
/* "profile: N cases in W s (X cases/s): generation ..% reference ..% ..." */
void profile_print(FILE *f, const struct profile *p);

/* One detail line of a case, "    <label>: <text>\n", the text through
 * line_escape (util/escape.h): reasons come from kernels, runners and
 * drivers, and a line break or escape sequence in one must not reach the
 * console as a line of its own (a fake "summary:") or as a cursor move. */
void console_detail(FILE *f, const char *label, const char *text);

/* repro_prefix: the command that reruns one descriptor, e.g.
 * "build/gptq-harness run --kernel x.cl". verbose: also print the kernel
 * time ("    kernel: T ms", every verdict) and the whole build log. */
void console_case(FILE *f, const struct case_result *r, const char *repro_prefix, int verbose);
/* The same, with the whole repro command given (for cases that are not
 * reproduced by a descriptor alone: replayed fixtures, checkpoint layers). */
void console_case_repro(FILE *f, const struct case_result *r, const char *repro, int verbose);

#endif

/* results.h - the results stream, results.jsonl: one JSON object per line and
 * per case, appended and flushed to the disk (fflush + fsync) as each case
 * finishes, so a killed run keeps every case it finished. Reports, JUnit,
 * baselines and the shard merge all read it back through this module.
 *
 * One line (keys in this order; the writer never breaks a line):
 *   {"index": 12,                       position in the expanded sweep, 0-based
 *    "sweep": {"cases": 496, "hash": "<16 hex>"},   the sweep (see shard.h)
 *    "desc": "fmt=gptq-v1 ... seed=1",   canonical descriptor line (the repro key)
 *    "verdict": "PASSED|FAILED|MISTRUSTED|SKIPPED|ERROR",
 *    "reason": str|null, "where": str|null,
 *    "diagnosis": str|null,              (filled once the diagnosis module lands)
 *    "metrics": null | {"max_abs", "max_ulp", "rel_l2", "sqnr_db", "worst_ratio",
 *                       "mismatches", "total", "nonfinite", "unwritten", "guard_bad",
 *                       "zeros", "worst_m", "worst_n", "worst_exp", "worst_got",
 *                       "err_norm"},     compare.h's metrics; err_norm: errmap.h
 *    "time": {"total_s", "gen_s", "ref_s", "adapt_s", "dev_s", "cmp_s", "build_s",
 *             "kernel_ms"},
 *    "device": {"name", "platform", "driver"},
 *    "kernel": {"path", "fnv1a64"},
 *    "harness": {"version", "git"},
 *    "repro": str|null,                  command line that reruns the case
 *    "log": str|null,                    build log (ERROR), cut at 64 KiB
 *    "grid": null | {"rows", "cols", "m", "n", "cells": [rows*cols numbers|null], "space"},
 *    "probe": {"rows", "cols", "k", "n", "probed", "layout": "rows|slots",
 *              "cells": [rows*cols numbers 0..1|null]}}   only when the diagnosis's
 *                                        probe found weights the kernel reads wrong
 *                                        (verdict/probemap.h; null: a cell not probed)
 *
 * Numbers that are not finite: +inf is written as the string "inf", -inf as
 * "-inf", NaN as null (metrics: e.g. sqnr_db of a bit-exact case is "inf";
 * err_norm is null when not computed; a grid cell is null where an element was
 * NaN, Inf or never written). Grid cells keep 3 significant digits. Strings
 * are valid UTF-8 (invalid bytes become '?').
 *
 * Reading is strict and bounded: lines up to RESULTS_MAX_LINE bytes, at most
 * RESULTS_MAX_RECORDS records; "index", "sweep", "desc" and "verdict" are
 * required, a present field of the wrong type or out of range is an error
 * naming the file, line and field. Unknown keys are ignored (newer writers).
 * A last line without its newline that does not parse is the trace of a
 * killed run: it is skipped and reported in results_read_info. So is a line
 * in the middle that is not JSON at all (a write torn by a full disk, as an
 * older writer could leave): readers skip it with a warning and go on; a
 * JSON record with a bad field still refuses the file. */
#ifndef GH_RESULTS_H
#define GH_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "results/record.h"

#define RESULTS_MAX_LINE ((size_t)4 << 20)
#define RESULTS_MAX_RECORDS 1000000

/* The JSON line of r (no newline), malloc'd; NULL when out of memory.
 * l supplies r's environment and the sweep. */
char *results_line(const struct record_list *l, const struct case_record *r);

/* Parses one line into r; its environment and sweep go into l (a sweep other
 * than l's is an error). Returns 0, or -1 with a message naming the field. */
int results_parse_line(const char *text, size_t len, struct record_list *l, struct case_record *r,
                       char *err, size_t errlen);

struct results_read_info {
    size_t records;     /* records read */
    int tail_ignored;   /* the last line was cut off (killed run) and skipped */
    size_t damaged;     /* lines that are not one JSON object (torn writes), skipped */
    long first_damaged; /* the first of them, 1-based */
};

/* Prints the warnings info calls for ("PATH: N damaged line(s) skipped, the
 * first is line L") on f, each prefixed by who. */
void results_read_warn(FILE *f, const char *who, const char *path,
                       const struct results_read_info *info);

/* Reads a results file and appends its records to l. Returns 0, or -1 with
 * "PATH:LINE: message". info may be NULL. */
int results_read_file(const char *path, struct record_list *l, struct results_read_info *info,
                      char *err, size_t errlen);

/* The stream writer: creates (truncates) path; each add writes one line and
 * its newline, flushes and syncs it to the disk. */
struct results_writer;
struct results_writer *results_writer_open(const char *path, char *err, size_t errlen);
int results_writer_add(struct results_writer *w, const char *line, char *err, size_t errlen);
/* Returns 0, or -1 with a message when the final close failed. */
int results_writer_close(struct results_writer *w, char *err, size_t errlen);

#endif

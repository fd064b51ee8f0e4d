/* record.h - one finished case as the reports see it: the unit of the
 * results stream (results.jsonl, see results.h), of JUnit, of the HTML and
 * Markdown reports and of the baseline comparison. A record list holds the
 * records of a run (or of merged shards), the run environments they name and
 * the sweep they belong to. */
#ifndef GH_RECORD_H
#define GH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "verdict/compare.h"
#include "cases/desc.h"
#include "verdict/errmap.h"
#include "verdict/probemap.h"
#include "verdict/case_result.h"

#define RECORD_DESC_MAX 512
#define RECORD_ENV_MAX 64     /* distinct environments in one list */
#define RECORD_TEXT_MAX 65536 /* longest text kept (reason, where, log...); longer is cut */

/* Where a case ran. */
struct run_env {
    char device[256], platform[256], driver[256];
    char kernel[1024];    /* the kernel source file as given */
    char kernel_hash[24]; /* FNV-1a 64 of that file, 16 hex digits, or "unknown" */
    char harness[32];     /* harness version */
    char git[64];         /* git commit the harness was built from, or "unknown" */
};

/* The environment's fields in report order: keys (JUnit property names),
 * titles (table headers) and values. */
#define RUN_ENV_FIELDS 7
extern const char *const run_env_keys[RUN_ENV_FIELDS];
extern const char *const run_env_titles[RUN_ENV_FIELDS];
void run_env_values(const struct run_env *e, const char *values[RUN_ENV_FIELDS]);

struct rec_times {
    double total, gen, ref, adapt, dev, cmp, build; /* seconds */
    double kernel_ms;
};

struct case_record {
    int64_t index; /* position in the expanded sweep, 0-based */
    struct case_desc d;
    char desc[RECORD_DESC_MAX]; /* canonical descriptor line */
    verdict_t verdict;
    /* malloc'd, valid UTF-8, NULL when empty */
    char *reason, *where, *diagnosis, *log, *repro;
    int have_metrics;
    struct metrics met;
    double err_norm; /* errmap_norm; NaN when not computed */
    struct rec_times t;
    size_t env;           /* index into the list's env table */
    struct errgrid *grid; /* error grid (failing cases with an output) or NULL */
    /* kernel wrong: the probe's map of the weights read wrong (probemap.h) or NULL */
    struct probemap *probe;
};

/* The expanded sweep a case belongs to: its size and the FNV-1a 64 of its
 * canonical descriptor lines (see shard.h). Shards of one sweep share it. */
struct sweep_id {
    int64_t cases;
    uint64_t hash;
};

struct record_list {
    struct case_record *v;
    size_t n, cap;
    struct run_env env[RECORD_ENV_MAX];
    size_t nenv;
    struct sweep_id sweep;
    int have_sweep;
};

void record_init(struct case_record *r);
void record_free(struct case_record *r);

/* Sets *dst to a copy of s (cut at RECORD_TEXT_MAX bytes, invalid UTF-8
 * replaced); NULL or "" gives NULL. Returns 0 or -1 (out of memory). */
int record_set_text(char **dst, const char *s);

/* Fills rec from a finished case (index in the sweep, the repro command
 * line). err_norm, grid, probe and env are left for the caller. Returns 0 or -1. */
int record_from_result(struct case_record *rec, const struct case_result *r, int64_t index,
                       const char *repro);

/* Finds env in the list's table or adds it; *idx receives its index.
 * Returns 0, or -1 when the table is full. */
int record_list_env(struct record_list *l, const struct run_env *env, size_t *idx);

/* Records that the list's cases come from sweep s; -1 with a message when
 * the list already holds cases of another sweep. */
int record_list_sweep(struct record_list *l, struct sweep_id s, char *err, size_t errlen);

/* Appends *r, taking what it owns (r is left empty). Returns 0 or -1. */
int record_list_push(struct record_list *l, struct case_record *r);

/* Sorts by index (unique in a valid list; the merge rejects duplicates). */
void record_list_sort(struct record_list *l);
void record_list_free(struct record_list *l);

/* One line of metrics for people: "max_ulp=3 max_abs=0.5 rel_l2=0.0012
 * sqnr_db=58.2 worst_ratio=1.2 bad=240/280 worst(m=2,n=5) exp=1 got=2", or
 * "no metrics". */
void record_metrics_line(const struct case_record *r, char *buf, size_t len);

/* A number with 3 significant digits, "inf", "-inf" or "nan". */
void fmt_g3(char *buf, size_t len, double v);

/* "PASSED" ... -> verdict; 0 or -1 for an unknown name. */
int verdict_parse(const char *s, verdict_t *v);

/* Failing for the exit code and the baseline: FAILED, MISTRUSTED, ERROR. */
int verdict_is_failure(verdict_t v);

#endif

/* cmd_report.c - `gptq-harness report merge DIR... [--out DIR] [--junit FILE]
 * [--baseline FILE] [--drift-factor F]`: merges the results of shard runs
 * (each DIR/results.jsonl) into one results.jsonl and one report, equal to
 * those of the unsharded run (timings aside): the records are put in sweep
 * order by their index and written out again. A single DIR rebuilds its
 * report (into --out).
 *
 * Refused (exit 2): a results file that does not read, shards of different
 * sweeps, a case present twice (overlapping shards). A merge that misses
 * cases of the sweep (a shard not run, or killed) is written, says which
 * indices are missing, marks the reports PARTIAL with those cases listed
 * (JUnit: errors of type not-run), and exits 1. Shards that ran different
 * kernels (by hash), devices, drivers or harness versions are merged with a
 * warning naming the difference, and the merge exits 1. A damaged line in
 * a shard's results (a torn write) is skipped with a warning; its case then
 * counts as missing..
 *
 * Prints the cases not passed as run prints them (every case with -v, none
 * with -q), the baseline findings, and the summary line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_help.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "results/outputs.h"
#include "results/results.h"
#include "results/rundir.h"

static void usage(FILE *f) {
    fprintf(f, "usage: gptq-harness report merge DIR... " OUTPUTS_USAGE " [-v|-q]\n"
               "  merges DIR/results.jsonl of shard runs into one results.jsonl and report\n"
               "  --out DIR          the merged run directory (default reports/<UTC time>/)\n"
               "  --junit FILE       also write JUnit XML\n"
               "  --baseline FILE    judge against an earlier results.jsonl\n"
               "  --drift-factor F   drift: worst_ratio grew more than F times (default 4)\n"
               "  -v, --verbose      a line per case; default: the cases not passed\n"
               "  -q, --quiet        no case lines: findings and the summary line only\n"
               "  -h, --help         this list\n");
}

/* A case as run prints it, from its record: verdict, metrics, descriptor;
 * for one not passed why, where, diagnosis and the repro line. */
static void print_record(const struct case_record *r) {
    char met[512];
    record_metrics_line(r, met, sizeof met);
    printf("%-10s %s  %s\n", verdict_name(r->verdict), met, r->desc);
    if (r->verdict == V_PASSED) return;
    if (r->reason) console_detail(stdout, "why", r->reason);
    if (r->where) console_detail(stdout, "where", r->where);
    if (r->diagnosis) console_detail(stdout, "diagnosis", r->diagnosis);
    if (r->verdict != V_SKIPPED) printf("    repro: %s\n", r->repro ? r->repro : r->desc);
}

static int read_dirs(int n, char **dirs, struct record_list *l) {
    char path[RUNDIR_MAX + 32], err[1024];
    for (int i = 0; i < n; i++) {
        struct results_read_info info;
        snprintf(path, sizeof path, "%s/results.jsonl", dirs[i]);
        if (results_read_file(path, l, &info, err, sizeof err) != 0) {
            fprintf(stderr, "gptq-harness report merge: %s\n", err);
            return -1;
        }
        results_read_warn(stderr, "gptq-harness report merge", path, &info);
    }
    return 0;
}

/* Sorted by index: a repeated index is an error; missing ones are counted
 * and the first few named. */
static int check_coverage(const struct record_list *l, int64_t *missing, struct run_gaps *g) {
    *missing = 0;
    int named = 0;
    int64_t next = 0;
    for (size_t i = 0; i <= l->n; i++) {
        int64_t idx = i < l->n ? l->v[i].index : l->sweep.cases;
        if (i > 0 && i < l->n && idx == l->v[i - 1].index) {
            fprintf(stderr, "gptq-harness report merge: case #%lld is in two shards (%s)\n",
                    (long long)idx, l->v[i].desc);
            return -1;
        }
        for (; next < idx; next++, (*missing)++) {
            if (gaps_add(g, next, NULL) != 0) {
                fprintf(stderr, "gptq-harness report merge: out of memory\n");
                return -1;
            }
            if (named++ < 10)
                fprintf(stderr, "gptq-harness report merge: case #%lld of the sweep is missing\n",
                        (long long)next);
        }
        next = idx + 1;
    }
    return 0;
}

/* Shards that ran another kernel, device, driver or harness do not make one
 * run: each difference is named; returns how many there are. (The kernel's
 * path may differ between machines: its hash is what counts.) */
static int check_envs(const struct record_list *l) {
    static const int fields[] = {0, 1, 2, 4, 5, 6}; /* run_env_keys without "kernel" */
    int bad = 0;
    const char *first[RUN_ENV_FIELDS], *v[RUN_ENV_FIELDS];
    if (l->nenv > 0) run_env_values(&l->env[0], first);
    for (size_t e = 1; e < l->nenv; e++) {
        run_env_values(&l->env[e], v);
        for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
            int f = fields[k];
            const char *a = first[f] ? first[f] : "", *b = v[f] ? v[f] : "";
            if (strcmp(a, b) == 0) continue;
            fprintf(stderr,
                    "gptq-harness report merge: warning: the shards ran different %s: '%s' and "
                    "'%s'; the merge is not one run (exit 1)\n",
                    run_env_titles[f], a, b);
            bad++;
        }
    }
    return bad;
}

static int write_results(const char *dir, const struct record_list *l) {
    char path[RUNDIR_MAX + 32], err[1024];
    snprintf(path, sizeof path, "%s/results.jsonl", dir);
    struct results_writer *w = results_writer_open(path, err, sizeof err);
    int rc = w ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        char *line = results_line(l, &l->v[i]);
        if (!line) snprintf(err, sizeof err, "out of memory");
        rc = line ? results_writer_add(w, line, err, sizeof err) : -1;
        free(line);
    }
    if (w && results_writer_close(w, err, sizeof err) != 0) rc = -1;
    if (rc != 0) fprintf(stderr, "gptq-harness report merge: %s\n", err);
    return rc;
}

static int merge(int argc, char **argv) {
    static const struct option longs[] = {OUTPUTS_LONG_OPTIONS,
                                          {"verbose", no_argument, 0, 'v'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    struct outputs_cfg cfg;
    outputs_defaults(&cfg);
    int c, verbose = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "vqh", longs, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 'v' || c == 'q') {
            verbose = c == 'v' ? 1 : -1;
            continue;
        }
        if (c == '?') {
            help_bad_option("report merge", argc, argv, longs);
            return 2;
        }
        if (outputs_option(&cfg, c, optarg, "report merge") != 1) return 2;
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    char *command = cli_command_line("gptq-harness report", argc, argv);
    cfg.command = command;
    struct record_list *l = calloc(1, sizeof *l);
    struct baseline bl;
    int have_bl = 0, code = 2;
    int64_t missing = 0;
    struct run_gaps gaps;
    memset(&gaps, 0, sizeof gaps);
    char err[1024], dir[RUNDIR_MAX];
    if (!l || !command) {
        free(l);
        free(command);
        return 2;
    }
    if (read_dirs(argc - optind, argv + optind, l) != 0) goto done;
    record_list_sort(l);
    if (check_coverage(l, &missing, &gaps) != 0) goto done;
    if (missing) {
        char note[160];
        snprintf(note, sizeof note, "%lld of %lld cases missing (a shard not run or cut short?)",
                 (long long)missing, (long long)l->sweep.cases);
        gaps_note(&gaps, note);
        cfg.gaps = &gaps;
    }
    const int mixed = check_envs(l);
    if (cfg.baseline) {
        if (baseline_load(cfg.baseline, &bl, err, sizeof err) != 0) {
            fprintf(stderr, "gptq-harness report merge: %s\n", err);
            goto done;
        }
        have_bl = 1;
    }
    const int no_dir = outputs_no_dir(&cfg);
    if (outputs_prepare(&cfg, err, sizeof err) != 0 ||
        (!no_dir && rundir_create(cfg.out, time(NULL), dir, sizeof dir, err, sizeof err) != 0)) {
        fprintf(stderr, "gptq-harness report merge: %s\n", err);
        goto done;
    }
    struct tally t;
    memset(&t, 0, sizeof t);
    for (size_t i = 0; i < l->n; i++) {
        tally_add(&t, l->v[i].verdict);
        if (verbose > 0 ||
            (verbose == 0 && l->v[i].verdict != V_PASSED && l->v[i].verdict != V_SKIPPED))
            print_record(&l->v[i]);
    }
    code = !no_dir && write_results(dir, l) != 0 ? 1 : 0;
    code |= outputs_finish(&cfg, no_dir ? NULL : dir, have_bl ? &bl : NULL, l, tally_exit_code(&t),
                           stdout);
    if (missing) {
        fprintf(stderr, "gptq-harness report merge: %lld of %lld cases missing\n",
                (long long)missing, (long long)l->sweep.cases);
        code = code ? code : 1;
    }
    if (mixed && code == 0) code = 1;
    tally_print(stdout, &t, code);
done:
    if (have_bl) baseline_free(&bl);
    gaps_free(&gaps);
    record_list_free(l);
    free(l);
    free(command);
    return code;
}

int cmd_report(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "merge")) return merge(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}

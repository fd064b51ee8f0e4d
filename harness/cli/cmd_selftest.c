/* cmd_selftest.c - `gptq-harness selftest`: proves the harness catches the
 * bugs it exists for. Runs a sweep once clean (every case must pass), once
 * per catalogued fault (faults.h; planted in every case it applies to) and
 * once per mutant kernel (mutant.h; tests/kernels/mutants/), and prints per
 * planted bug: caught or escaped, in how many of the applicable cases, how
 * often the diagnosis named the planted fault, and the smallest margin
 * (observed error over allowed error, metrics.worst_ratio) among the
 * catching cases. Mutation score = caught / planted.
 *
 * A planted bug counts as caught when at least one applicable case fails
 * (FAILED or MISTRUSTED); the table shows in how many. Exit status: 0 when
 * the clean run passes, every planted bug is caught, no run errs and (with
 * the diagnosis on) every catching case of a catalogued fault names it;
 * 1 otherwise; 2 on a usage error. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/escape.h"
#include "backends/backends.h"
#include "cases/batch.h"
#include "cli/cli_help.h"
#include "cli/commands.h"
#include "util/datapath.h"
#include "cli/console.h"
#include "adapters/faults.h"
#include "verdict/mutant.h"
#include "verdict/runner.h"

/* The default job, as `make run` runs it (docs/descriptors.md#the-default-job):
 * the smoke, kernel-edges and contract sweeps and the v1 zero-point cases,
 * where the zero-point reading faults can show. */
static const char *const DEFAULT_BATCHES[] = {
    "fixtures/sweeps/smoke.batch", "fixtures/sweeps/kernel-edges.batch",
    "fixtures/sweeps/contract.batch", "fixtures/sweeps/v1-zero.batch"};
#define BATCHES_MAX 16
#define DEFAULT_MUTANTS "tests/kernels/mutants"
#define ONLY_MAX 64
#define MUTANTS_MAX 64

struct st_opts {
    const char *batch[BATCHES_MAX]; /* --batch, repeatable; none: DEFAULT_BATCHES */
    int nbatch;
    const char *kernel, *device, *mutants, *keep;
    const char *write_mutant, *write_to; /* --write-mutant NAME FILE */
    const char *prog;                    /* for repro lines */
    const char *prefix; /* "PROG run --kernel KERNEL": reruns a case on the kernel under test */
    int no_mutants, no_faults, verbose;
    double case_timeout; /* the device worker's watchdog (0: none) */
    const char *only[ONLY_MAX];
    int nonly;
    struct run_settings s;
};

/* One planted bug and what the sweep made of it. */
struct st_row {
    char name[MUTANT_NAME_MAX];
    const char *kind; /* "fault" or "mutant" */
    long applicable, caught, named, skipped, errors;
    long contract; /* catches by the contract check (no metrics) */
    long guard;    /* catches by the memory checks or the zero check alone (no bad element) */
    double min_margin;
    char first_escape[512];
    char error[600];
    double seconds;
};

static void usage(FILE *f) {
    fprintf(f,
            "usage: gptq-harness selftest [options] [--batch FILE]...\n"
            "       gptq-harness selftest --write-mutant NAME FILE [--mutants DIR] [--kernel F]\n"
            "  --batch FILE         the sweep, repeatable (default: the default job)\n"
            "  --kernel FILE        the kernel under test, and the mutants' source\n"
            "  --device SEL         P:D index or name substring\n"
            "  --threads N          reference threads (default: all CPUs)\n"
            "  --mutants DIR        mutant descriptions *.mut (default tests/kernels/mutants)\n"
            "  --keep-mutants DIR   keep the generated mutant kernels in DIR\n"
            "  --write-mutant NAME FILE  write mutant NAME's kernel source to FILE; runs nothing\n"
            "  --no-mutants         planted faults only\n"
            "  --no-faults          mutant kernels only\n"
            "  --only NAME          only this fault or mutant (repeatable)\n"
            "  --no-diagnose        no diagnosis of the failures (faster)\n"
            "  --case-timeout S     watchdog per case (default 300 s; 0: none)\n"
            "  -v, --verbose        print each case as it runs (stderr)\n"
            "  -h, --help           this list\n");
}

static int parse_opts(int argc, char **argv, struct st_opts *o) {
    static const struct option longs[] = {{"batch", required_argument, 0, 'b'},
                                          {"kernel", required_argument, 0, 'k'},
                                          {"device", required_argument, 0, 'd'},
                                          {"mutants", required_argument, 0, 'm'},
                                          {"keep-mutants", required_argument, 0, 'K'},
                                          {"no-mutants", no_argument, 0, 'N'},
                                          {"no-faults", no_argument, 0, 'F'},
                                          {"only", required_argument, 0, 'o'},
                                          {"no-diagnose", no_argument, 0, 'D'},
                                          {"write-mutant", required_argument, 0, 'W'},
                                          {"threads", required_argument, 0, 't'},
                                          {"verbose", no_argument, 0, 'v'},
                                          {"case-timeout", required_argument, 0, 'T'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "b:k:d:t:vh", longs, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (o->nbatch == BATCHES_MAX) {
                fprintf(stderr, "gptq-harness selftest: at most %d --batch files\n", BATCHES_MAX);
                return -1;
            }
            o->batch[o->nbatch++] = optarg;
            break;
        case 'k':
            o->kernel = optarg;
            break;
        case 'd':
            o->device = optarg;
            break;
        case 'm':
            o->mutants = optarg;
            break;
        case 'K':
            o->keep = optarg;
            break;
        case 'N':
            o->no_mutants = 1;
            break;
        case 'F':
            o->no_faults = 1;
            break;
        case 'D':
            o->s.no_diagnosis = 1;
            break;
        case 'W':
            o->write_mutant = optarg;
            break;
        case 'T':
            if (parse_case_timeout(optarg, &o->case_timeout) != 0) {
                fprintf(stderr, "gptq-harness selftest: " CASE_TIMEOUT_WANTS "\n");
                return -1;
            }
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'o':
            if (o->nonly == ONLY_MAX) {
                fprintf(stderr, "gptq-harness selftest: at most %d --only\n", ONLY_MAX);
                return -1;
            }
            o->only[o->nonly++] = optarg;
            break;
        case 't':
            if (parse_int(optarg, 1, 1024, &v) != 0) {
                fprintf(stderr, "gptq-harness selftest: --threads wants an integer in 1..1024\n");
                return -1;
            }
            o->s.threads = (int)v;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            help_bad_option("selftest", argc, argv, longs);
            return -1;
        }
    }
    if (o->write_mutant) {
        if (optind != argc - 1) {
            fprintf(stderr, "gptq-harness selftest: --write-mutant NAME FILE wants one FILE "
                            "(- for stdout)\n");
            return -1;
        }
        o->write_to = argv[optind];
        return 0;
    }
    if (optind < argc) {
        fprintf(stderr, "gptq-harness selftest: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

static int selected(const struct st_opts *o, const char *name) {
    if (o->nonly == 0) return 1;
    for (int i = 0; i < o->nonly; i++)
        if (strcmp(o->only[i], name) == 0) return 1;
    return 0;
}

/* 1 when name is one of the space-separated tokens of list. */
static int has_token(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) return 1;
    return 0;
}

/* ---- runs ----------------------------------------------------------------- */

static void tally_row(struct st_row *row, const struct case_result *r) {
    if (r->fault_not_applicable) return;
    if (r->verdict == V_SKIPPED) {
        row->skipped++;
        return;
    }
    if (r->verdict == V_ERROR) {
        if (row->errors++ == 0) snprintf(row->error, sizeof row->error, "%.500s", r->reason);
        return;
    }
    row->applicable++;
    if (r->verdict == V_PASSED) {
        if (!row->first_escape[0]) desc_print(&r->d, row->first_escape, sizeof row->first_escape);
        return;
    }
    row->caught++;
    if (has_token(r->explained_by, row->name)) row->named++;
    if (!r->have_metrics)
        row->contract++;
    else if (r->met.mismatches == 0)
        row->guard++;
    else if (r->met.worst_ratio < row->min_margin)
        row->min_margin = r->met.worst_ratio;
}

/* Runs every case with fault (NULL: as given) on kb into row; with a mutant,
 * only the cases it applies to. */
static void sweep(struct kernel_backend *kb, const struct case_list *cases, const char *fault,
                  const struct mutant *mut, const struct st_opts *o, const char *prefix,
                  struct st_row *row) {
    double t0 = now_seconds();
    row->min_margin = INFINITY;
    for (size_t i = 0; i < cases->n; i++) {
        struct case_desc d = cases->v[i];
        if (fault) snprintf(d.fault, sizeof d.fault, "%s", fault);
        char line[512];
        desc_print(&d, line, sizeof line);
        if (mut && !mutant_applies(mut, line)) continue;
        struct case_result r;
        run_case(&d, &o->s, kb, &r, NULL, NULL);
        tally_row(row, &r);
        if (o->verbose && r.verdict != V_SKIPPED) console_case(stderr, &r, prefix, 0);
        case_result_free(&r);
    }
    row->seconds = now_seconds() - t0;
}

/* The clean run: every case must pass (or be skipped for device limits). */
static int clean_run(struct kernel_backend *kb, const struct case_list *cases,
                     const struct st_opts *o, const char *prefix) {
    struct tally t;
    memset(&t, 0, sizeof t);
    double t0 = now_seconds();
    for (size_t i = 0; i < cases->n; i++) {
        struct case_result r;
        run_case(&cases->v[i], &o->s, kb, &r, NULL, NULL);
        tally_add(&t, r.verdict);
        if (r.verdict != V_PASSED && r.verdict != V_SKIPPED) console_case(stdout, &r, prefix, 0);
        case_result_free(&r);
    }
    printf("clean run: %ld cases: %ld passed, %ld skipped, %ld failed, %ld mistrusted, %ld "
           "errors (%.1f s)\n",
           t.n, t.by[V_PASSED], t.by[V_SKIPPED], t.by[V_FAILED], t.by[V_MISTRUSTED], t.by[V_ERROR],
           now_seconds() - t0);
    return tally_exit_code(&t) == 0 && t.by[V_PASSED] > 0 ? 0 : -1;
}

/* ---- mutants -------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .mut files of dir, sorted (malloc'd paths). Returns the count, or -1. */
static int list_mutants(const char *dir, char **paths, int max, char *err, size_t errlen) {
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "mutant directory %s: %s", dir, strerror(errno));
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".mut") != 0) continue;
        if (n == max) break;
        size_t need = strlen(dir) + len + 2;
        paths[n] = malloc(need);
        if (!paths[n]) break;
        snprintf(paths[n], need, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(paths, (size_t)n, sizeof *paths, cmp_str);
    return n;
}

/* Writes mutant m of its base to dir/NAME.cl; path receives the file. */
static int materialise(const struct mutant *m, const char *dir, char *path, size_t len, char *err,
                       size_t errlen) {
    char buf[4200];
    snprintf(path, len, "%s/%s.cl", dir, m->name);
    return mutant_write_kernel(m, datapath_find(m->base, buf, sizeof buf), path, err, errlen);
}

static void mutant_row(const char *mpath, const char *dir, const struct case_list *cases,
                       const struct st_opts *o, struct st_row *row) {
    struct mutant m;
    char err[600], kpath[4400];
    row->kind = "mutant";
    row->min_margin = INFINITY;
    if (mutant_load(mpath, &m, err, sizeof err) != 0) {
        snprintf(row->name, sizeof row->name, "%s", mpath);
        snprintf(row->error, sizeof row->error, "%s", err);
        row->errors = 1;
        return;
    }
    snprintf(row->name, sizeof row->name, "%s", m.name);
    int rc = materialise(&m, dir, kpath, sizeof kpath, err, sizeof err);
    struct kernel_under_test kut;
    if (rc != 0 ||
        kut_open_isolated(kpath, o->device, o->case_timeout, &kut, err, sizeof err) != 0) {
        snprintf(row->error, sizeof row->error, "%s", err);
        row->errors = 1;
        mutant_free(&m);
        return;
    }
    char prefix[4600];
    char wp[1024], wk[4200];
    snprintf(prefix, sizeof prefix, "%s run --kernel %s", shell_word(o->prog, wp, sizeof wp),
             shell_word(kpath, wk, sizeof wk));
    sweep(&kut.kb, cases, NULL, &m, o, prefix, row);
    kut_close(&kut);
    mutant_free(&m);
    if (!o->keep) unlink(kpath);
}

/* A directory for the materialised mutants: --keep-mutants DIR or a fresh
 * temporary one (removed at the end). */
static int mutant_dir(const struct st_opts *o, char *dir, size_t len) {
    if (o->keep) {
        snprintf(dir, len, "%s", o->keep);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
        return 0;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/gptq-harness-mutants-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

/* The mutant files to run (sorted paths, malloc'd). */
struct mutant_files {
    char *path[MUTANTS_MAX];
    char name[MUTANTS_MAX][MUTANT_NAME_MAX];
    int n;
};

static void mutant_files_free(struct mutant_files *mf) {
    for (int i = 0; i < mf->n; i++)
        free(mf->path[i]);
    mf->n = 0;
}

static int find_mutants(const struct st_opts *o, struct mutant_files *mf) {
    char dbuf[4200], err[600];
    mf->n = 0;
    if (o->no_mutants) return 0;
    const char *mdir = o->mutants ? o->mutants : datapath_find(DEFAULT_MUTANTS, dbuf, sizeof dbuf);
    int n = list_mutants(mdir, mf->path, MUTANTS_MAX, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "gptq-harness selftest: %s\n", err);
        return -1;
    }
    mf->n = n;
    for (int i = 0; i < n; i++) {
        const char *slash = strrchr(mf->path[i], '/');
        const char *base = slash ? slash + 1 : mf->path[i];
        snprintf(mf->name[i], MUTANT_NAME_MAX, "%.*s", (int)strlen(base) - 4, base);
    }
    return 0;
}

static int run_mutants(const struct mutant_files *mf, const struct case_list *cases,
                       const struct st_opts *o, struct st_row *rows) {
    char dir[4096];
    if (mutant_dir(o, dir, sizeof dir) != 0) {
        fprintf(stderr, "gptq-harness selftest: cannot create a directory for mutants: %s\n",
                strerror(errno));
        return -1;
    }
    int used = 0;
    for (int i = 0; i < mf->n; i++) {
        if (!selected(o, mf->name[i])) continue;
        fprintf(stderr, "selftest: mutant %s\n", mf->name[i]);
        mutant_row(mf->path[i], dir, cases, o, &rows[used++]);
    }
    if (!o->keep) rmdir(dir);
    return used;
}

/* Every --only names a catalogued fault or a mutant file. */
static int check_only(const struct st_opts *o, const struct mutant_files *mf) {
    for (int i = 0; i < o->nonly; i++) {
        int known = fault_find(o->only[i]) != NULL;
        for (int j = 0; j < mf->n && !known; j++)
            known = strcmp(mf->name[j], o->only[i]) == 0;
        if (!known) {
            char names[1024];
            fault_list_names(names, sizeof names);
            fprintf(stderr,
                    "gptq-harness selftest: --only %s: no such fault or mutant (faults: %s; "
                    "mutants:",
                    o->only[i], names);
            for (int j = 0; j < mf->n; j++)
                fprintf(stderr, " %s", mf->name[j]);
            fprintf(stderr, ")\n");
            return -1;
        }
    }
    return 0;
}

/* ---- report --------------------------------------------------------------- */

static const char *row_result(const struct st_row *r) {
    if (r->errors) return "ERROR";
    if (r->applicable == 0) return "NOT PLANTED";
    return r->caught ? "caught" : "ESCAPED";
}

static int row_ok(const struct st_row *r, int diagnosing) {
    int named_ok = !diagnosing || strcmp(r->kind, "fault") != 0 || r->named == r->caught;
    return !r->errors && r->caught > 0 && named_ok;
}

static void print_row(const struct st_row *r, int diagnosing) {
    char named[32], margin[32];
    if (diagnosing && strcmp(r->kind, "fault") == 0)
        snprintf(named, sizeof named, "%ld", r->named);
    else
        snprintf(named, sizeof named, "-");
    if (isfinite(r->min_margin))
        snprintf(margin, sizeof margin, "%.3g", r->min_margin);
    else
        snprintf(margin, sizeof margin, "%s",
                 r->contract ? "contract"
                 : r->guard  ? "guard"
                 : r->caught ? "inf"
                             : "-");
    printf("%-24s %-6s %-11s %6ld/%-6ld %6s %10s %7.1fs\n", r->name, r->kind, row_result(r),
           r->caught, r->applicable, named, margin, r->seconds);
    if (r->errors) printf("    error: %s\n", r->error);
    if (r->first_escape[0])
        printf("    escaped in %ld case(s), e.g. %s\n", r->applicable - r->caught, r->first_escape);
}

static int report(const struct st_row *rows, int n, int diagnosing) {
    printf("\n%-24s %-6s %-11s %13s %6s %10s %8s\n", "planted", "kind", "result", "caught/applic",
           "named", "min margin", "time");
    int caught = 0, ok = 1;
    for (int i = 0; i < n; i++) {
        print_row(&rows[i], diagnosing);
        caught += rows[i].caught > 0 && !rows[i].errors;
        if (!row_ok(&rows[i], diagnosing)) ok = 0;
    }
    printf("\nmutation score: %d/%d caught (%.1f%%)\n", caught, n, n ? 100.0 * caught / n : 0.0);
    printf(
        "margin: observed error / allowed error of the worst element (exact mode: / half an "
        "ulp; inf: elements never written or NaN); contract: caught by the kernel-contract check "
        "only; guard: by the memory checks (guard zones, inputs, late writes) or the zero check "
        "only\n");
    return ok;
}

/* ---- the command ---------------------------------------------------------- */

/* Reads one batch file into cases; fault= is refused (selftest plants them). */
static int load_batch(const char *batch, struct case_list *cases) {
    char err[1024];
    size_t before = cases->n;
    if (batch_read_file(batch, cases, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness selftest: %s\n", err);
        return -1;
    }
    if (cases->n == before) {
        fprintf(stderr, "gptq-harness selftest: %s holds no case\n", batch);
        return -1;
    }
    for (size_t i = before; i < cases->n; i++)
        if (cases->v[i].fault[0]) {
            fprintf(stderr,
                    "gptq-harness selftest: %s: case %zu sets fault=%s; selftest plants the "
                    "faults itself\n",
                    batch, i - before + 1, cases->v[i].fault);
            return -1;
        }
    return 0;
}

/* The --batch files, or the default job's. */
static int load_cases(const struct st_opts *o, struct case_list *cases) {
    char bbuf[4200];
    if (o->nbatch == 0) {
        for (size_t i = 0; i < sizeof DEFAULT_BATCHES / sizeof DEFAULT_BATCHES[0]; i++)
            if (load_batch(datapath_find(DEFAULT_BATCHES[i], bbuf, sizeof bbuf), cases) != 0)
                return -1;
        return 0;
    }
    for (int i = 0; i < o->nbatch; i++)
        if (load_batch(o->batch[i], cases) != 0) return -1;
    return 0;
}

static int run_faults(struct kernel_backend *kb, const struct case_list *cases,
                      const struct st_opts *o, struct st_row *rows, int max) {
    int used = 0;
    for (size_t i = 0; i < fault_count() && used < max; i++) {
        const struct fault *f = fault_at(i);
        if (!selected(o, fault_name(f))) continue;
        struct st_row *row = &rows[used++];
        snprintf(row->name, sizeof row->name, "%s", fault_name(f));
        row->kind = "fault";
        fprintf(stderr, "selftest: fault %s\n", fault_name(f));
        sweep(kb, cases, fault_name(f), NULL, o, o->prefix, row);
    }
    return used;
}

/* --write-mutant NAME FILE: the mutant's kernel source, and nothing run. NAME
 * is a mutant of the mutants folder or a path to a .mut file. */
static int write_mutant(const struct st_opts *o, const struct mutant_files *mf) {
    const char *path = NULL;
    for (int i = 0; i < mf->n && !path; i++)
        if (!strcmp(mf->name[i], o->write_mutant)) path = mf->path[i];
    size_t len = strlen(o->write_mutant);
    if (!path && len > 4 && !strcmp(o->write_mutant + len - 4, ".mut")) path = o->write_mutant;
    if (!path) {
        fprintf(stderr, "gptq-harness selftest: --write-mutant %s: no such mutant (mutants:",
                o->write_mutant);
        for (int j = 0; j < mf->n; j++)
            fprintf(stderr, " %s", mf->name[j]);
        fprintf(stderr, ")\n");
        return 2;
    }
    struct mutant m;
    char err[1024], buf[4200];
    if (mutant_load(path, &m, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness selftest: %s\n", err);
        return 2;
    }
    const char *base = datapath_find(m.base, buf, sizeof buf);
    int rc = mutant_write_kernel(&m, base, o->write_to, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "gptq-harness selftest: mutant %s: %s\n", m.name, err);
    else
        fprintf(stderr, "mutant %s (%s): %s with %d edit(s) written to %s\n", m.name, m.desc, base,
                m.nhunks, o->write_to);
    mutant_free(&m);
    return rc == 0 ? 0 : 1;
}

int cmd_selftest(const char *prog, int argc, char **argv) {
    struct st_opts o;
    memset(&o, 0, sizeof o);
    o.s.max_bytes = (int64_t)8 << 30;
    o.case_timeout = KUT_DEFAULT_TIMEOUT;
    o.s.no_probe = 1; /* the table does not use the kernel probe; it costs a run per failure */
    struct case_list cases = {NULL, 0, 0};
    struct mutant_files mf;
    mf.n = 0;
    if (parse_opts(argc, argv, &o) != 0) return 2;
    if (o.write_mutant) {
        int rc = find_mutants(&o, &mf) != 0 ? 2 : write_mutant(&o, &mf);
        mutant_files_free(&mf);
        return rc;
    }
    if (load_cases(&o, &cases) != 0 || find_mutants(&o, &mf) != 0 || check_only(&o, &mf) != 0) {
        case_list_free(&cases);
        mutant_files_free(&mf);
        return 2;
    }
    char kbuf[4200], err[1024], prefix[1024];
    const char *kernel = o.kernel ? o.kernel : datapath_find(DEFAULT_KERNEL, kbuf, sizeof kbuf);
    /* every kernel runs in a device worker: a planted bug that hangs or
     * crashes is an ERROR for its case, and the table goes on */
    struct kernel_under_test kut;
    int have_kut = kut_open_isolated(kernel, o.device, o.case_timeout, &kut, err, sizeof err) == 0;
    if (!have_kut) {
        fprintf(stderr, "gptq-harness selftest: %s\n", err);
        case_list_free(&cases);
        mutant_files_free(&mf);
        return 1;
    }
    fprintf(stderr, "selftest: device %s; kernel %s; %zu case(s)\n", kut.device, kernel, cases.n);
    snprintf(prefix, sizeof prefix, "%s run --kernel %s", prog, kernel);
    o.prog = prog;
    o.prefix = prefix;
    double t0 = now_seconds();
    int ok = clean_run(&kut.kb, &cases, &o, prefix) == 0;
    struct st_row *rows = calloc(fault_count() + MUTANTS_MAX, sizeof *rows);
    int n = 0;
    if (!rows) {
        fprintf(stderr, "gptq-harness selftest: out of memory\n");
        ok = 0;
    } else {
        if (!o.no_faults) n = run_faults(&kut.kb, &cases, &o, rows, (int)fault_count());
        kut_close(&kut);
        have_kut = 0;
        int nm = run_mutants(&mf, &cases, &o, rows + n);
        if (nm < 0) ok = 0;
        n += nm > 0 ? nm : 0;
        if (n == 0) {
            fprintf(stderr, "gptq-harness selftest: nothing planted (check --only)\n");
            ok = 0;
        }
        if (!report(rows, n, !o.s.no_diagnosis)) ok = 0;
    }
    if (have_kut) kut_close(&kut);
    printf("selftest: %s (%.1f s)\n", ok ? "PASSED" : "FAILED", now_seconds() - t0);
    free(rows);
    case_list_free(&cases);
    mutant_files_free(&mf);
    return ok ? 0 : 1;
}

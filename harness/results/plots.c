/* plots.c - data files, gnuplot driver script and the gnuplot run (see
 * plots.h). */
#include "results/plots.h"
#include "results/report_model.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "verdict/compare.h"
#include "util/clock.h"
#include "util/datapath.h"
#include "util/interrupt.h"
#include "util/hash.h"
#include "results/rundir.h"

extern char **environ;

#define ERR_FLOOR 1e-12 /* a normalized error of 0 is drawn here (log axes) */
#define ERR_CEIL 1e3    /* and Inf or anything larger here */

/* ---- data files ----------------------------------------------------------- */

static int group_category(int64_t g) {
    switch (g) {
    case 32:
        return 0;
    case 64:
        return 1;
    case 128:
        return 2;
    case -1:
        return 3;
    default:
        return 4;
    }
}

/* A fixed sideways offset in [-0.25, 0.25] per case, so points of one
 * category do not hide each other (and the plot is the same every run). */
static double jitter(int64_t index) {
    uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, &index, sizeof index);
    return ((double)(h % 1001) / 1000.0 - 0.5) * 0.5;
}

struct ranges {
    double kmin, kmax, ymin, ymax;
    size_t points;
};

static int write_cases(const char *path, const struct record_list *l, struct ranges *rg) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    *rg = (struct ranges){INFINITY, -INFINITY, INFINITY, -INFINITY, 0};
    fprintf(f, "# index K err dt data fail gcat zp gidx jitter\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct case_record *r = &l->v[i];
        if (!r->have_metrics || isnan(r->err_norm)) continue;
        double e = r->err_norm < ERR_FLOOR  ? ERR_FLOOR
                   : r->err_norm > ERR_CEIL ? ERR_CEIL
                                            : r->err_norm;
        fprintf(f, "%lld %lld %.6g %d %d %d %d %d %d %.4f\n", (long long)r->index,
                (long long)r->d.k, e, (int)r->d.dt, (int)r->d.data, verdict_is_failure(r->verdict),
                group_category(r->d.g), (int)r->d.zp, (int)r->d.gidx, jitter(r->index));
        rg->points++;
        if (r->d.k < rg->kmin) rg->kmin = (double)r->d.k;
        if (r->d.k > rg->kmax) rg->kmax = (double)r->d.k;
        if (e < rg->ymin) rg->ymin = e;
        if (e > rg->ymax) rg->ymax = e;
    }
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* cells[rows][cols] as a gnuplot matrix, NaN cells written as nan_as. */
static int write_matrix(const char *path, const float *cells, int rows, int cols, double nan_as) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            double v = cells[(size_t)r * (size_t)cols + (size_t)c];
            fprintf(f, "%s%.4g", c ? " " : "", isnan(v) ? nan_as : v);
        }
        fputc('\n', f);
    }
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* The grid as a matrix; NaN cells (non-finite output) saturate the scale. */
static int write_heat(const char *path, const struct errgrid *g, double *cbmin, double *cbmax) {
    size_t n = (size_t)g->rows * (size_t)g->cols;
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        double v = g->cells[i];
        if (v > 0 && v < lo) lo = v;
        if (v > hi) hi = v;
    }
    if (hi <= 0) lo = hi = 1; /* no finite error (all NaN or all 0) */
    double sat = hi * 10;
    *cbmin = lo / 2;
    *cbmax = sat;
    return write_matrix(path, g->cells, g->rows, g->cols, sat);
}

/* ---- the driver script ---------------------------------------------------- */

/* A gnuplot single-quoted string ('' stands for a quote). */
static void gp_str(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        if ((unsigned char)*s >= 0x20) fputc(*s, f);
    }
    fputc('\'', f);
}

static void set_file(struct plot_file *pf, const char *dir, const char *name) {
    /* dir is at most RUNDIR_MAX + 6 bytes and name short: these fit */
    if (snprintf(pf->svg, sizeof pf->svg, "%s/%s.svg", dir, name) < 0 ||
        snprintf(pf->png, sizeof pf->png, "%s/%s.png", dir, name) < 0)
        pf->svg[0] = pf->png[0] = 0;
    snprintf(pf->png_rel, sizeof pf->png_rel, "plots/%s.png", name);
    unlink(pf->svg); /* a stale plot of an earlier run must not pass as this one's */
    unlink(pf->png);
}

/* One plot in both formats: terminal, output, the variables, the template. */
static void drive(FILE *d, const struct plot_file *pf, int w, int h, const char *vars,
                  const char *tmpl) {
    static const char *terms[2] = {"svg size %d,%d dynamic", "pngcairo size %d,%d"};
    const char *outs[2] = {pf->svg, pf->png};
    for (int t = 0; t < 2; t++) {
        fputs("set terminal ", d);
        fprintf(d, terms[t], w, h);
        fputs(" font 'sans,10' background '#ffffff' noenhanced\nset output ", d);
        gp_str(d, outs[t]);
        fprintf(d, "\n%s\nload ", vars);
        gp_str(d, tmpl);
        fputs("\nunset output\n", d);
    }
}

/* A template's variables are written as gnuplot assignments into a memory
 * stream, "datafile = DATA" first; vars_close returns them (malloc'd) or
 * NULL. */
static FILE *vars_open(char **buf, size_t *len, const char *data) {
    *buf = NULL;
    FILE *m = open_memstream(buf, len);
    if (!m) return NULL;
    fputs("datafile = ", m);
    gp_str(m, data);
    return m;
}

static char *vars_close(FILE *m, char **buf) {
    if (fclose(m) != 0) { /* the stream sets *buf only here */
        free(*buf);
        return NULL;
    }
    return *buf;
}

static char *vars_cases(const char *data, const struct ranges *rg, int with_k) {
    char *buf;
    size_t len;
    FILE *m = vars_open(&buf, &len, data);
    if (!m) return NULL;
    /* the K plot also shows the bf16 tolerance: make room for it */
    double bf16_tol = COMPARE_SAFETY * (2 * dt_unit_roundoff(DT_BF16) + rg->kmax / 16777216.0);
    double ymax = with_k ? fmax(rg->ymax, bf16_tol) : rg->ymax;
    fprintf(m, "; safety = %g; kmin = %g; kmax = %g; ymin = %g; ymax = %g", COMPARE_SAFETY,
            rg->kmin / 1.5, rg->kmax * 1.5, rg->ymin / 3, ymax * 3);
    return vars_close(m, &buf);
}

/* "; title1 = ...; title2 = ...": "VERDICT #index: first half of the
 * descriptor" and the second half. */
static void vars_titles(FILE *m, const struct case_record *r) {
    char t1[600], t2[RECORD_DESC_MAX];
    size_t len_d = strlen(r->desc), cut = len_d / 2;
    while (cut < len_d && r->desc[cut] != ' ')
        cut++;
    snprintf(t1, sizeof t1, "%s #%lld: %.*s", verdict_name(r->verdict), (long long)r->index,
             (int)cut, r->desc);
    snprintf(t2, sizeof t2, "%s", r->desc + cut + (cut < len_d));
    fputs("; title1 = ", m);
    gp_str(m, t1);
    fputs("; title2 = ", m);
    gp_str(m, t2);
}

/* The variables of r's heatmap: its probe map (probe) or its error grid. */
static char *vars_heat(const char *data, const struct case_record *r, int probe, double cbmin,
                       double cbmax) {
    char *buf;
    size_t len;
    FILE *m = vars_open(&buf, &len, data);
    if (!m) return NULL;
    if (probe)
        fprintf(m,
                "; rows = %d; cols = %d; K = %lld; N = %lld; probed = %lld; folded = %d; band = %d",
                r->probe->rows, r->probe->cols, (long long)r->probe->K, (long long)r->probe->N,
                (long long)r->probe->probed, r->probe->folded, PROBEMAP_BAND);
    else
        fprintf(m,
                "; rows = %d; cols = %d; M = %lld; N = %lld; cbmin = %g; cbmax = %g; weights = %d",
                r->grid->rows, r->grid->cols, (long long)r->grid->M, (long long)r->grid->N, cbmin,
                cbmax, r->grid->space == ERRGRID_WEIGHTS);
    vars_titles(m, r);
    return vars_close(m, &buf);
}

/* ---- running gnuplot ------------------------------------------------------ */

/* Seconds gnuplot may take: $GPTQ_HARNESS_GNUPLOT_TIMEOUT, else the default. */
static double gnuplot_limit(void) {
    const char *s = getenv("GPTQ_HARNESS_GNUPLOT_TIMEOUT");
    char *end;
    double v = s && *s ? strtod(s, &end) : 0;
    return s && *s && !*end && v > 0 && v <= 86400 ? v : PLOTS_GNUPLOT_TIMEOUT;
}

/* Waits for the child at most limit seconds; a gnuplot that takes longer, or
 * a signal (SIGINT, SIGTERM, SIGHUP) that arrives meanwhile, kills it: the
 * reports are then written without plots. */
static int wait_bounded(pid_t pid, int *status, double limit, const char *prog, char *why,
                        size_t len) {
    const unsigned sigs = interrupt_count();
    const double t0 = now_seconds();
    interrupt_child((long)pid);
    const char *stop = NULL;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid) break;
        if (got < 0 && errno != EINTR) {
            interrupt_child(0);
            snprintf(why, len, "plots are missing: waiting for gnuplot: %s", strerror(errno));
            return -1;
        }
        if (interrupt_count() != sigs)
            stop = "stopped by a signal";
        else if (now_seconds() - t0 > limit)
            stop = "did not finish in time";
        if (stop) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            interrupt_child(0);
            snprintf(why, len,
                     "plots are missing: gnuplot ('%.200s') %s (limit %g s, "
                     "GPTQ_HARNESS_GNUPLOT_TIMEOUT); killed",
                     prog, stop, limit);
            return -1;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    interrupt_child(0);
    return 0;
}

static int run_gnuplot(const char *driver, const char *logpath, char *why, size_t len) {
    const char *prog = getenv("GPTQ_HARNESS_GNUPLOT");
    if (!prog || !*prog) prog = "gnuplot";
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        snprintf(why, len, "cannot start gnuplot (out of memory)");
        return -1;
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)prog, (char *)driver, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        snprintf(why, len,
                 "plots are missing: cannot run gnuplot ('%.300s': %s); install gnuplot-nox or set "
                 "GPTQ_HARNESS_GNUPLOT",
                 prog, strerror(rc));
        return -1;
    }
    int status;
    if (wait_bounded(pid, &status, gnuplot_limit(), prog, why, len) != 0) return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, len, "plots may be missing: gnuplot ('%.200s') failed (%s %d); see %.300s",
                 prog, WIFEXITED(status) ? "exit" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), logpath);
        return -1;
    }
    return 0;
}

static int nonempty(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static void check_file(struct plot_file *pf) {
    pf->ok = nonempty(pf->svg) && nonempty(pf->png);
}

/* ---- all plots ------------------------------------------------------------ */

static int fail(struct plots *p, const char *what, const char *path) {
    snprintf(p->missing, sizeof p->missing, "plots are missing: %s %.400s: %s", what, path,
             strerror(errno));
    return -1;
}

/* dir/name into buf; -1 when it does not fit. */
static int join(char *buf, size_t len, const char *dir, const char *name) {
    int n = snprintf(buf, len, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* Whether a grid can show a layout pattern: one over the weights always
 * (right weights are white); one over the output only when at least a tenth
 * of its cells are right (exactly 0: exact data) and some are wrong. An
 * output grid wrong nearly everywhere (a kernel that decodes one weight row
 * of every 8 wrongly spoils every output; a rare cell right by chance) is
 * noise to look at; the diagnosis says what the probe found. */
static int shows_pattern(const struct errgrid *g) {
    if (g->space == ERRGRID_WEIGHTS) return 1;
    long zero = 0, n = (long)g->rows * g->cols;
    for (long i = 0; i < n; i++)
        zero += g->cells[i] == 0;
    return zero < n && zero * 10 >= n;
}

/* What r's heatmap would show: its probe map when that shows a pattern (the
 * weights a wrong kernel reads wrong: where the bug is, in the kernel's own
 * terms), else its error grid when that does; -1: nothing worth drawing. */
static int picture(const struct case_record *r) {
    if (r->probe && probemap_shows_pattern(r->probe)) return 1;
    if (r->grid && shows_pattern(r->grid)) return 0;
    return -1;
}

/* A diagnosis group of the cases with a grid or a probe map, as the
 * heatmaps see it. */
struct heat_group {
    char key[RM_GROUP_KEY_MAX];
    size_t cases;
    long heat; /* index into p->heat, or -1 while not drawn */
};

#define HEAT_GROUPS_MAX 256

/* Writes heat-INDEX.dat for the first case of each diagnosis group with a
 * picture, and their driver lines. */
static int drive_heatmaps(FILE *d, const char *dir, const struct record_list *l,
                          const char *tmpl_grid, const char *tmpl_probe, struct plots *p) {
    struct heat_group *gs = calloc(HEAT_GROUPS_MAX, sizeof *gs);
    size_t ngs = 0;
    char key[RM_GROUP_KEY_MAX];
    int rc = 0;
    if (!gs) return fail(p, "out of memory for", "the heatmaps");
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct case_record *r = &l->v[i];
        if (!r->grid && !r->probe) continue;
        rm_group_key(r, key, sizeof key);
        size_t g = 0;
        while (g < ngs && strcmp(gs[g].key, key) != 0)
            g++;
        if (g == ngs) {
            if (ngs == HEAT_GROUPS_MAX) continue; /* more groups than anyone reads */
            snprintf(gs[ngs].key, sizeof gs[ngs].key, "%s", key);
            gs[ngs++].heat = -1;
        }
        gs[g].cases++;
        const int pic = gs[g].heat >= 0 ? -1 : picture(r);
        if (pic < 0 || p->nheat == PLOTS_MAX_HEATMAPS) continue;
        gs[g].heat = (long)p->nheat;
        struct plot_heat *h = &p->heat[p->nheat++];
        char name[64], data[PLOTS_PATH_MAX];
        double cbmin = 0, cbmax = 1;
        snprintf(name, sizeof name, "%s-%lld.dat", pic ? "probe" : "heat", (long long)r->index);
        if (join(data, sizeof data, dir, name) != 0) {
            rc = fail(p, "path too long:", dir);
            break;
        }
        name[strlen(name) - 4] = 0;
        h->rec = i;
        h->probe = pic;
        set_file(&h->f, dir, name);
        /* a probe map's cells not probed: -1 (probemap.gp leaves them grey) */
        if ((pic ? write_matrix(data, r->probe->cells, r->probe->rows, r->probe->cols, -1)
                 : write_heat(data, r->grid, &cbmin, &cbmax)) != 0) {
            rc = fail(p, "cannot write", data);
            break;
        }
        char *vars = vars_heat(data, r, pic, cbmin, cbmax);
        if (!vars) {
            rc = fail(p, "out of memory for", data);
            break;
        }
        drive(d, &h->f, 800, pic ? 480 : 420, vars, pic ? tmpl_probe : tmpl_grid);
        free(vars);
    }
    for (size_t g = 0; g < ngs; g++) {
        if (gs[g].heat >= 0)
            p->heat[gs[g].heat].cases = gs[g].cases;
        else
            p->heat_flat++;
    }
    free(gs);
    return rc;
}

void plots_heat_what(const struct plot_heat *h, const struct case_record *r, char *buf,
                     size_t len) {
    if (h->probe && r->probe && r->probe->probed < r->probe->K)
        snprintf(buf, len,
                 "weights the kernel reads wrong (partial one-hot probe of %lld of %lld rows; "
                 "grey: not probed)",
                 (long long)r->probe->probed, (long long)r->probe->K);
    else if (h->probe && r->probe)
        snprintf(buf, len, "weights the kernel reads wrong (one-hot probe of all %lld rows)",
                 (long long)r->probe->K);
    else if (r->grid && r->grid->space == ERRGRID_WEIGHTS)
        snprintf(buf, len, "error over the weights handed to the kernel");
    else
        snprintf(buf, len, "error over the output");
}

int plots_make(const char *rundir, const struct record_list *l, struct plots *p) {
    memset(p, 0, sizeof *p);
    char dir[PLOTS_PATH_MAX], cases[PLOTS_PATH_MAX], driver[PLOTS_PATH_MAX], logp[PLOTS_PATH_MAX];
    char err[512], tk[4200], tv[4200], th[4200], tp[4200];
    if (strlen(rundir) > RUNDIR_MAX || join(dir, sizeof dir, rundir, "plots") != 0 ||
        join(cases, sizeof cases, dir, "cases.dat") != 0 ||
        join(driver, sizeof driver, dir, "plots.gp") != 0 ||
        join(logp, sizeof logp, dir, "gnuplot.log") != 0)
        return fail(p, "run directory name too long:", rundir);
    if (mkdir_p(dir, err, sizeof err) != 0) {
        snprintf(p->missing, sizeof p->missing, "plots are missing: %s", err);
        return -1;
    }
    const char *tmpl_k = datapath_find("reports/error_vs_k.gp", tk, sizeof tk);
    const char *tmpl_v = datapath_find("reports/by_variant.gp", tv, sizeof tv);
    const char *tmpl_h = datapath_find("reports/heatmap.gp", th, sizeof th);
    const char *tmpl_p = datapath_find("reports/probemap.gp", tp, sizeof tp);
    if (access(tmpl_k, R_OK) || access(tmpl_v, R_OK) || access(tmpl_h, R_OK) ||
        access(tmpl_p, R_OK))
        return fail(p, "cannot find the gnuplot templates", "reports/*.gp");
    struct ranges rg;
    if (write_cases(cases, l, &rg) != 0) return fail(p, "cannot write", cases);
    FILE *d = fopen(driver, "w");
    if (!d) return fail(p, "cannot write", driver);
    fputs("# plots.gp - written by gptq-harness; run: gnuplot plots.gp\n", d);
    set_file(&p->k, dir, "error_vs_k");
    set_file(&p->variant, dir, "by_variant");
    if (rg.points > 0) {
        char *vk = vars_cases(cases, &rg, 1), *vv = vars_cases(cases, &rg, 0);
        if (vk && vv) {
            drive(d, &p->k, 900, 640, vk, tmpl_k);
            drive(d, &p->variant, 960, 380, vv, tmpl_v);
        }
        free(vk);
        free(vv);
    }
    int rc = drive_heatmaps(d, dir, l, tmpl_h, tmpl_p, p);
    if (fclose(d) != 0 && rc == 0) rc = fail(p, "cannot write", driver);
    if (rc == 0) rc = run_gnuplot(driver, logp, p->missing, sizeof p->missing);
    check_file(&p->k);
    check_file(&p->variant);
    for (size_t i = 0; i < p->nheat; i++)
        check_file(&p->heat[i].f);
    return rc;
}

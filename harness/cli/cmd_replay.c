/* cmd_replay.c - `gptq-harness replay FILE...`: reruns saved fixtures.
 *
 * The case comes from the fixture, not from its descriptor: the packed
 * checkpoint tensors, x and bias are the stored bytes; the logical problem is
 * unpacked from them (problem_load.h) and the reference recomputed from it,
 * which must give the stored y_ref bit for bit (else the case is an ERROR: the
 * reference changed since the fixture was written, or the file is damaged).
 * Then adapter, kernel and comparison run as in `run`, on the device chosen
 * here, which may differ from the one that recorded the fixture.
 *
 * The kernel is the one the fixture recorded (its path, found as shipped
 * files are, datapath.h), unless --kernel is given: a recorded kernel that
 * is gone is an ERROR for that fixture, one whose source changed since (its
 * FNV-1a 64 differs from the recorded kernel_hash) is replayed with a
 * warning. A recorded kernel must be an OpenCL source (.cl): a fixture is
 * outside input, and a plugin or an external runner it names runs only when
 * given with --kernel. A verdict or a device output that differs from the recorded one
 * is marked CHANGED. Output and exit codes as `run`; a fixture that cannot
 * be read counts as an ERROR. */
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "util/escape.h"
#include "util/hash.h"
#include "cli/cli_devopts.h"
#include "cli/cli_help.h"
#include "cli/commands.h"
#include "util/datapath.h"
#include "cli/console.h"
#include "results/fixture.h"
#include "formats/problem_load.h"
#include "verdict/runner.h"

static int parse_replay_opts(int argc, char **argv, struct dev_opts *o) {
    static const struct option longs[] = {
        DEV_OPTS_LONG, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, DEV_OPTS_SHORT "h", longs, NULL)) != -1) {
        int rc = dev_opts_parse(o, c, optarg, "replay");
        if (rc < 0) return -1;
        if (rc > 0) continue;
        if (c != 'h') {
            help_bad_option("replay", argc, argv, longs);
            return -1;
        }
        printf("usage: gptq-harness replay [--kernel FILE] [--device SEL] [--adapter A] "
               "[--threads N] [--max-bytes N] [--case-timeout S] [--no-isolation] [-v|-q] "
               "FIXTURE...\n");
        exit(0);
    }
    if (optind >= argc) {
        fprintf(stderr, "gptq-harness replay: no fixture files given\n");
        return -1;
    }
    return 0;
}

/* What the hook learns: does the device output equal the recorded y_dev? */
struct replay_ctx {
    const uint16_t *ydev; /* recorded, or NULL */
    long differ;          /* elements that differ; -1: not compared */
    long total;
};

static void replay_hook(void *ctx, const struct case_result *r, const struct case_work *w) {
    struct replay_ctx *c = ctx;
    c->differ = -1;
    if (!c->ydev || !w->out || !r->have_metrics) return;
    c->differ = 0;
    c->total = (long)(w->p.M * w->p.N);
    for (int64_t i = 0; i < w->p.M * w->p.N; i++)
        c->differ += w->out[i] != c->ydev[i];
}

static void error_line(const char *path, const char *why) {
    printf("%-10s %s\n", verdict_name(V_ERROR), path);
    console_detail(stdout, "why", why);
}

/* The kernel open now (fixtures that recorded the same one share it). */
struct open_kernel {
    char path[4200]; /* "" when none is open */
    int ok;
    int warned; /* the changed-source warning was given for this kernel */
    struct kernel_under_test kut;
    char err[1024];
};

static void open_kernel_close(struct open_kernel *k) {
    if (k->path[0] && k->ok) kut_close(&k->kut);
    k->path[0] = 0;
    k->ok = 0;
    k->warned = 0;
}

/* Makes path the open kernel; returns 0, or -1 with k->err. */
static int open_kernel_use(struct open_kernel *k, const char *path, const struct dev_opts *o) {
    if (k->path[0] && !strcmp(k->path, path)) return k->ok ? 0 : -1;
    open_kernel_close(k);
    snprintf(k->path, sizeof k->path, "%s", path);
    k->ok = kut_check_kernel(path, k->err, sizeof k->err) == 0 &&
            dev_opts_open_kernel(o, "replay", path, &k->kut, k->err, sizeof k->err) == 0;
    if (k->ok) fprintf(stderr, "device: %s; kernel: %s\n", k->kut.device, path);
    return k->ok ? 0 : -1;
}

/* A fixture is outside input (it may come with a bug report): the kernel it
 * records may only be an OpenCL source, compiled for the device. A native
 * plugin (dlopen runs its constructors) or an external runner (a command)
 * runs only when the user names it with --kernel. Returns 1 with why when
 * kernel is refused. */
static int recorded_kernel_refused(const char *kernel, char *why, size_t whylen) {
    const int plugin = !strncmp(kernel, PLUGIN_PREFIX, strlen(PLUGIN_PREFIX));
    const int exec =
        kut_is_exec(kernel) || !strncmp(kernel, KUT_LAYER_PREFIX, strlen(KUT_LAYER_PREFIX));
    char w[700];
    if (plugin || exec) {
        snprintf(why, whylen,
                 "the fixture names the %s %.600s; a fixture cannot %s: pass --kernel %s to "
                 "run it",
                 plugin ? "plugin kernel" : "external runner", kernel,
                 plugin ? "load native code" : "start programs", shell_word(kernel, w, sizeof w));
        return 1;
    }
    const size_t n = strlen(kernel);
    if (n < 3 || strcmp(kernel + n - 3, ".cl") != 0) {
        snprintf(why, whylen,
                 "the fixture names the kernel %.600s, which is not an OpenCL source (.cl); a "
                 "fixture can only name a .cl kernel: pass --kernel FILE to run it on another",
                 kernel);
        return 1;
    }
    return 0;
}

/* The kernel to replay fx on: --kernel, else the recorded one (found as
 * shipped files are), else (an old fixture without one) the default. A
 * warning goes into note (said on stderr once per kernel) when the recorded
 * kernel's source changed since, or when the fixture names no kernel.
 * Returns NULL with why when the recorded kernel is gone. */
static const char *pick_kernel(const struct dev_opts *o, const struct fixture *fx, char *buf,
                               size_t len, char *note, size_t notelen, char *why, size_t whylen) {
    note[0] = 0;
    if (o->kernel) return o->kernel;
    if (!fx->kernel[0]) {
        snprintf(note, notelen, "the fixture names no kernel; replayed on the default %s",
                 DEFAULT_KERNEL);
        return datapath_find(DEFAULT_KERNEL, buf, len);
    }
    if (recorded_kernel_refused(fx->kernel, why, whylen)) return NULL;
    const char *path = datapath_find(fx->kernel, buf, len);
    uint64_t h;
    char herr[800];
    if (hash_file_fnv1a64(path, &h, herr, sizeof herr) != 0) {
        snprintf(why, whylen,
                 "the kernel this fixture recorded cannot be read (%.700s); give --kernel "
                 "FILE to replay it on another kernel",
                 herr);
        return NULL;
    }
    char hex[17];
    hash_hex(h, hex);
    if (fx->kernel_hash[0] && strcmp(hex, fx->kernel_hash) != 0)
        snprintf(note, notelen,
                 "warning: kernel %.600s changed since the fixture was recorded (kernel_hash "
                 "%.20s then, %s now)",
                 path, fx->kernel_hash, hex);
    return path;
}

/* Replays one file; returns its verdict; *changed: the verdict or the
 * device output differs from the recorded one. */
static verdict_t replay_one(const char *path, const struct dev_opts *o, struct open_kernel *k,
                            const char *repro_prefix, int *changed) {
    struct fixture fx;
    char err[1024], kbuf[4200], note[1400];
    *changed = 0;
    if (fixture_read(path, o->read_cap, &fx, err, sizeof err) != 0) {
        error_line(path, err);
        return V_ERROR;
    }
    const char *kernel = pick_kernel(o, &fx, kbuf, sizeof kbuf, note, sizeof note, err, sizeof err);
    if (!kernel || open_kernel_use(k, kernel, o) != 0) {
        error_line(path, kernel ? k->err : err);
        fixture_free(&fx);
        return V_ERROR;
    }
    struct case_desc d = fx.d;
    if (o->adapter >= 0) d.adapter = (adapter_t)o->adapter;
    if (d.adapter != ADAPTER_VLLM_XPU) d.zproute = ZPROUTE_AUTO;
    struct case_input in;
    memset(&in, 0, sizeof in);
    if (problem_from_ckpt(&d, &fx.ckpt, fx.x, fx.bias, &in.p, err, sizeof err) != 0) {
        error_line(path, err);
        fixture_free(&fx);
        return V_ERROR;
    }
    in.ckpt = fx.ckpt;
    memset(&fx.ckpt, 0, sizeof fx.ckpt);
    in.yref_expect = fx.yref;
    struct replay_ctx ctx = {fx.ydev, -1, 0};
    struct case_result r;
    run_input(&in, &o->s, &k->kut.kb, &r, replay_hook, &ctx);
    char repro[8192];
    char w[4200];
    snprintf(repro, sizeof repro, "%s %s", repro_prefix, shell_word(path, w, sizeof w));
    const int verdict_changed = fx.verdict[0] && strcmp(fx.verdict, verdict_name(r.verdict)) != 0;
    *changed = verdict_changed || ctx.differ > 0;
    const int failed = r.verdict != V_PASSED && r.verdict != V_SKIPPED;
    if (o->verbose >= 0 || failed || *changed)
        console_case_repro(stdout, &r, repro, o->verbose > 0);
    if (note[0] && !k->warned) fprintf(stderr, "gptq-harness replay: %s: %s\n", path, note);
    k->warned = k->warned || note[0];
    if (verdict_changed)
        printf("    CHANGED: %s now, %s when recorded on %s\n", verdict_name(r.verdict), fx.verdict,
               fx.device[0] ? fx.device : "?");
    if (ctx.differ > 0)
        printf("    CHANGED: the device output differs from the recorded y_dev in %ld of %ld "
               "elements\n",
               ctx.differ, ctx.total);
    if (o->verbose > 0 || *changed || failed) {
        printf("    recorded: %s on %s with kernel %s", fx.verdict[0] ? fx.verdict : "?",
               fx.device[0] ? fx.device : "?", fx.kernel[0] ? fx.kernel : "?");
        if (ctx.differ >= 0)
            printf("; device output %s the recorded y_dev (%ld element(s) differ)",
                   ctx.differ ? "differs from" : "equals", ctx.differ);
        printf("\n");
    }
    verdict_t v = r.verdict;
    case_result_free(&r);
    fixture_free(&fx);
    return v;
}

int cmd_replay(const char *prog, int argc, char **argv) {
    struct dev_opts o;
    dev_opts_init(&o);
    if (parse_replay_opts(argc, argv, &o) != 0) return 2;
    char err[1024], prefix[3072];
    if (o.kernel && kut_check_kernel(o.kernel, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness replay: %s\n", err);
        return 2;
    }
    struct tally t;
    memset(&t, 0, sizeof t);
    int nfiles = argc - optind;
    fprintf(stderr, "replay: %d fixture(s) on %s\n", nfiles,
            o.kernel ? o.kernel : "the kernels they recorded");
    char wp[1024];
    snprintf(prefix, sizeof prefix, "%s replay", shell_word(prog, wp, sizeof wp));
    dev_opts_repro(&o, prefix, sizeof prefix);
    struct open_kernel *k = calloc(1, sizeof *k);
    if (!k) {
        fprintf(stderr, "gptq-harness replay: out of memory\n");
        return 1;
    }
    long changed = 0;
    for (int i = optind; i < argc; i++) {
        int ch;
        tally_add(&t, replay_one(argv[i], &o, k, prefix, &ch));
        changed += ch;
        fflush(stdout);
    }
    open_kernel_close(k);
    free(k);
    if (changed)
        printf("replay: CHANGED: %ld of %d fixture(s) gave another verdict or device output than "
               "recorded\n",
               changed, nfiles);
    tally_print(stdout, &t, tally_exit_code(&t));
    return tally_exit_code(&t);
}

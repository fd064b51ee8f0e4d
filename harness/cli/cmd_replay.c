/* cmd_replay.c - `gptq-harness replay FILE...`: reruns saved fixtures.
 *
 * The case comes from the fixture, not from its descriptor: the packed
 * checkpoint tensors, x and bias are the stored bytes; the logical problem is
 * unpacked from them (problem_load.h) and the reference recomputed from it,
 * which must give the stored y_ref bit for bit (else the case is an ERROR: the
 * reference changed since the fixture was written, or the file is damaged).
 * Then adapter, kernel and comparison run as in `run`, on the device chosen
 * here, which may differ from the one that recorded the fixture. Output and
 * exit codes as `run`; a fixture that cannot be read counts as an ERROR. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "util/escape.h"
#include "backends/backend_cl.h"
#include "cli/cli_devopts.h"
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
    while ((c = getopt_long(argc, argv, DEV_OPTS_SHORT "h", longs, NULL)) != -1) {
        int rc = dev_opts_parse(o, c, optarg, "replay");
        if (rc < 0) return -1;
        if (rc > 0) continue;
        if (c != 'h') return -1;
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
};

static void replay_hook(void *ctx, const struct case_result *r, const struct case_work *w) {
    struct replay_ctx *c = ctx;
    c->differ = -1;
    if (!c->ydev || !w->out || !r->have_metrics) return;
    c->differ = 0;
    for (int64_t i = 0; i < w->p.M * w->p.N; i++)
        c->differ += w->out[i] != c->ydev[i];
}

static void error_line(const char *path, const char *why) {
    printf("%-10s %s\n    why: %s\n", verdict_name(V_ERROR), path, why);
}

/* Replays one file; returns its verdict. */
static verdict_t replay_one(const char *path, const struct dev_opts *o, struct kernel_backend *kb,
                            const char *repro_prefix) {
    struct fixture fx;
    char err[1024];
    if (fixture_read(path, o->read_cap, &fx, err, sizeof err) != 0) {
        error_line(path, err);
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
    struct replay_ctx ctx = {fx.ydev, -1};
    struct case_result r;
    run_input(&in, &o->s, kb, &r, replay_hook, &ctx);
    char repro[8192];
    char w[4200];
    snprintf(repro, sizeof repro, "%s %s", repro_prefix, shell_word(path, w, sizeof w));
    if (o->verbose >= 0 || (r.verdict != V_PASSED && r.verdict != V_SKIPPED))
        console_case_repro(stdout, &r, repro, o->verbose > 0);
    int changed = fx.verdict[0] && strcmp(fx.verdict, verdict_name(r.verdict)) != 0;
    if (o->verbose > 0 || changed || ctx.differ > 0 ||
        (r.verdict != V_PASSED && r.verdict != V_SKIPPED)) {
        printf("    recorded: %s on %s", fx.verdict[0] ? fx.verdict : "?",
               fx.device[0] ? fx.device : "?");
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
    char kbuf[4200], err[1024], prefix[3072];
    const char *kernel = o.kernel ? o.kernel : datapath_find(DEFAULT_KERNEL, kbuf, sizeof kbuf);
    if (kut_check_kernel(kernel, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness replay: %s\n", err);
        return 2;
    }
    struct tally t;
    memset(&t, 0, sizeof t);
    int nfiles = argc - optind;
    struct kernel_under_test kut;
    if (dev_opts_open_kernel(&o, kernel, &kut, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness replay: %s\n", err);
        t.n = nfiles;
        t.by[V_ERROR] = nfiles;
        tally_print(stdout, &t);
        return 1;
    }
    fprintf(stderr, "device: %s; kernel: %s; %d fixture(s)\n", kut.device, kernel, nfiles);
    char wp[1024];
    snprintf(prefix, sizeof prefix, "%s replay", shell_word(prog, wp, sizeof wp));
    dev_opts_repro(&o, prefix, sizeof prefix);
    for (int i = optind; i < argc; i++) {
        tally_add(&t, replay_one(argv[i], &o, &kut.kb, prefix));
        fflush(stdout);
    }
    tally_print(stdout, &t);
    kut_close(&kut);
    return tally_exit_code(&t);
}

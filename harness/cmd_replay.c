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

#include "backend_cl.h"
#include "commands.h"
#include "console.h"
#include "fixture.h"
#include "problem_load.h"
#include "runner.h"

#define REPLAY_MAX_BYTES ((int64_t)8 << 30)

struct replay_opts {
    const char *kernel, *device;
    int adapter; /* -1: the fixture's */
    int verbose;
    struct run_settings s;
    uint64_t read_cap; /* 0: the reader's default */
};

static int parse_adapter(const char *s) {
    for (int a = 0; a < ADAPTER_COUNT; a++)
        if (strcmp(adapter_name((adapter_t)a), s) == 0) return a;
    return -1;
}

static int parse_replay_opts(int argc, char **argv, struct replay_opts *o) {
    static const struct option longs[] = {{"kernel", required_argument, 0, 'k'},
                                          {"device", required_argument, 0, 'd'},
                                          {"adapter", required_argument, 0, 'a'},
                                          {"threads", required_argument, 0, 't'},
                                          {"max-bytes", required_argument, 0, 'M'},
                                          {"verbose", no_argument, 0, 'v'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:d:a:t:M:vqh", longs, NULL)) != -1) {
        switch (c) {
        case 'k':
            o->kernel = optarg;
            break;
        case 'd':
            o->device = optarg;
            break;
        case 'a':
            if ((o->adapter = parse_adapter(optarg)) < 0) {
                fprintf(stderr, "gptq-harness replay: --adapter wants reference or vllm-xpu\n");
                return -1;
            }
            break;
        case 't':
            if (parse_int(optarg, 1, 1024, &v) != 0) {
                fprintf(stderr, "gptq-harness replay: --threads wants an integer in 1..1024\n");
                return -1;
            }
            o->s.threads = (int)v;
            break;
        case 'M':
            if (parse_size(optarg, &o->s.max_bytes) != 0) {
                fprintf(stderr, "gptq-harness replay: --max-bytes wants a size like 4G\n");
                return -1;
            }
            o->read_cap = (uint64_t)o->s.max_bytes;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'q':
            o->verbose = -1;
            break;
        case 'h':
            printf("usage: gptq-harness replay [--kernel FILE] [--device SEL] [--adapter A] "
                   "[--threads N] [--max-bytes N] [-v|-q] FIXTURE...\n");
            exit(0);
        default:
            return -1;
        }
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
static verdict_t replay_one(const char *path, const struct replay_opts *o,
                            struct kernel_backend *kb, const char *repro_prefix) {
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
    char repro[2048];
    snprintf(repro, sizeof repro, "%s '%s'", repro_prefix, path);
    if (o->verbose >= 0 || (r.verdict != V_PASSED && r.verdict != V_SKIPPED))
        console_case_repro(stdout, &r, repro, o->verbose > 0);
    int changed = fx.verdict[0] && strcmp(fx.verdict, verdict_name(r.verdict)) != 0;
    if (o->verbose > 0 || changed || (r.verdict != V_PASSED && r.verdict != V_SKIPPED)) {
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
    struct replay_opts o;
    memset(&o, 0, sizeof o);
    o.adapter = -1;
    o.s.max_bytes = REPLAY_MAX_BYTES;
    if (parse_replay_opts(argc, argv, &o) != 0) return 2;
    char kbuf[4200], err[1024], prefix[1024];
    const char *kernel = o.kernel ? o.kernel : cli_default_kernel(kbuf, sizeof kbuf);
    struct tally t;
    memset(&t, 0, sizeof t);
    int nfiles = argc - optind;
    struct cl_backend *cl = clb_open(o.device, kernel, err, sizeof err);
    if (!cl) {
        fprintf(stderr, "gptq-harness replay: %s\n", err);
        t.n = nfiles;
        t.by[V_ERROR] = nfiles;
        tally_print(stdout, &t);
        return 1;
    }
    fprintf(stderr, "device: %s (%s, driver %s); kernel: %s; %d fixture(s)\n", clb_device_name(cl),
            clb_platform_name(cl), clb_driver_version(cl), kernel, nfiles);
    int n = snprintf(prefix, sizeof prefix, "%s replay", prog);
    if (o.kernel) n += snprintf(prefix + n, sizeof prefix - (size_t)n, " --kernel %s", o.kernel);
    if (o.device && (size_t)n < sizeof prefix)
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, " --device '%s'", o.device);
    if (o.adapter >= 0 && (size_t)n < sizeof prefix)
        snprintf(prefix + n, sizeof prefix - (size_t)n, " --adapter %s",
                 adapter_name((adapter_t)o.adapter));
    struct kernel_backend kb = {.self = cl, .run = cli_cl_run};
    for (int i = optind; i < argc; i++) {
        tally_add(&t, replay_one(argv[i], &o, &kb, prefix));
        fflush(stdout);
    }
    tally_print(stdout, &t);
    clb_close(cl);
    return tally_exit_code(&t);
}

/* cmd_run.c - `gptq-harness run` and `gptq-harness devices`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_cl.h"
#include "batch.h"
#include "commands.h"
#include "console.h"
#include "datapath.h"
#include "outputs.h"
#include "progress.h"
#include "runenv.h"
#include "runner.h"
#include "runout.h"
#include "shard.h"

#define DEFAULT_KERNEL "kernels/w4a16_gemm.cl"
#define DEFAULT_MAX_BYTES ((int64_t)8 << 30)

struct run_opts {
    const char *kernel;
    const char *device;
    const char *shard; /* --shard I/N | auto */
    int verbose;       /* -1 quiet, 0 normal, 1 verbose */
    struct run_settings s;
    struct outputs_cfg out;
    struct case_list cases;
};

static void cl_run_adapter(void *self, const struct abi_tensors *t, uint16_t *out, size_t total,
                           struct bk_result *res) {
    clb_run(self, t, out, total, res);
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o) {
    static const struct option longs[] = {
        {"batch", required_argument, 0, 'b'},   {"kernel", required_argument, 0, 'k'},
        {"device", required_argument, 0, 'd'},  {"threads", required_argument, 0, 't'},
        {"max-bytes", required_argument, 0, 'M'}, {"verbose", no_argument, 0, 'v'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {"shard", required_argument, 0, 'S'},   OUTPUTS_LONG_OPTIONS,
        {0, 0, 0, 0}};
    char err[1024];
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:k:d:t:M:vqh", longs, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (batch_read_file(optarg, &o->cases, err, sizeof err) != 0) {
                fprintf(stderr, "gptq-harness run: %s\n", err);
                return -1;
            }
            break;
        case 'k': o->kernel = optarg; break;
        case 'd': o->device = optarg; break;
        case 't':
            if (parse_int(optarg, 1, 1024, &v) != 0) {
                fprintf(stderr, "gptq-harness run: --threads wants an integer in 1..1024\n");
                return -1;
            }
            o->s.threads = (int)v;
            break;
        case 'M':
            if (parse_size(optarg, &o->s.max_bytes) != 0) {
                fprintf(stderr, "gptq-harness run: --max-bytes wants a size like 4G\n");
                return -1;
            }
            break;
        case 'v': o->verbose = 1; break;
        case 'q': o->verbose = -1; break;
        case 'S': o->shard = optarg; break;
        case 'h':
            printf("usage: gptq-harness run [--batch FILE] [--kernel FILE] [--device SEL] "
                   "[--threads N] [--max-bytes N] [-v|-q] [--shard I/N|auto] " OUTPUTS_USAGE
                   " [DESCRIPTOR...]\n");
            exit(0);
        default:
            if (outputs_option(&o->out, c, optarg, "run") != 1) return -1;
        }
    }
    for (int i = optind; i < argc; i++)
        if (batch_expand_line(argv[i], &o->cases, err, sizeof err) != 0) {
            fprintf(stderr, "gptq-harness run: bad descriptor '%s': %s\n", argv[i], err);
            return -1;
        }
    if (o->cases.n == 0) {
        fprintf(stderr, "gptq-harness run: no cases (give descriptors or --batch FILE)\n");
        return -1;
    }
    return 0;
}

static void repro_prefix(const struct run_opts *o, const char *prog, char *buf, size_t len) {
    int n = snprintf(buf, len, "%s run", prog);
    if (o->kernel) n += snprintf(buf + n, len - (size_t)n, " --kernel %s", o->kernel);
    if (o->device && (size_t)n < len) snprintf(buf + n, len - (size_t)n, " --device '%s'", o->device);
}

/* Without a device every case is an ERROR (recorded, so that CI sees them). */
static void no_device(const struct case_desc *d, const char *why, struct case_result *r) {
    memset(r, 0, sizeof *r);
    r->d = *d;
    r->verdict = V_ERROR;
    snprintf(r->reason, sizeof r->reason, "no OpenCL device: %.900s", why);
}

int cmd_run(const char *prog, int argc, char **argv) {
    struct run_opts o;
    memset(&o, 0, sizeof o);
    o.s.max_bytes = DEFAULT_MAX_BYTES;
    outputs_defaults(&o.out);
    char kbuf[4200], err[1024], cl_err[1024], prefix[1024];
    struct shard sh = {0, 0};
    int bad = parse_run_opts(argc, argv, &o) != 0;
    if (!bad && o.shard && shard_parse(o.shard, NULL, NULL, &sh, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        bad = 1;
    }
    if (bad) {
        case_list_free(&o.cases);
        return 2;
    }
    const char *kernel = o.kernel ? o.kernel : datapath_find(DEFAULT_KERNEL, kbuf, sizeof kbuf);
    struct tally t;
    memset(&t, 0, sizeof t);
    struct cl_backend *cl = clb_open(o.device, kernel, cl_err, sizeof cl_err);
    if (!cl) fprintf(stderr, "gptq-harness run: %s\n", cl_err);
    repro_prefix(&o, prog, prefix, sizeof prefix);
    struct runout_cfg rc = {
        .out = o.out, .sweep = {(int64_t)o.cases.n, sweep_hash(&o.cases)}, .repro_prefix = prefix};
    run_env_fill(&rc.env, cl ? clb_device_name(cl) : "unavailable",
                 cl ? clb_platform_name(cl) : NULL, cl ? clb_driver_version(cl) : NULL, kernel);
    struct runout *ro = runout_open(&rc, err, sizeof err);
    if (!ro) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        if (cl) clb_close(cl);
        case_list_free(&o.cases);
        return 2;
    }
    size_t selected = 0;
    for (size_t i = 0; i < o.cases.n; i++)
        selected += (size_t)shard_selects(&sh, i);
    char shname[64];
    shard_name(&sh, shname, sizeof shname);
    fprintf(stderr, "device: %s (%s, driver %s); kernel: %s; %zu case(s)%s%s%s\n", rc.env.device,
            rc.env.platform, rc.env.driver, kernel, selected, sh.count ? " (shard " : "", shname,
            sh.count ? ")" : "");
    struct kernel_backend kb = {.self = cl, .run = cl_run_adapter};
    struct progress pr;
    progress_start(&pr, stderr, selected, now_seconds());
    size_t done = 0;
    for (size_t i = 0; i < o.cases.n; i++) {
        if (!shard_selects(&sh, i)) continue;
        struct case_result r;
        if (cl)
            run_case(&o.cases.v[i], &o.s, &kb, &r, runout_hook, ro);
        else
            no_device(&o.cases.v[i], cl_err, &r);
        tally_add(&t, r.verdict);
        runout_case(ro, (int64_t)i, &r);
        if (o.verbose >= 0 || (r.verdict != V_PASSED && r.verdict != V_SKIPPED)) {
            progress_clear(&pr);
            console_case(stdout, &r, prefix, o.verbose > 0);
            fflush(stdout);
        }
        case_result_free(&r);
        progress_update(&pr, ++done, now_seconds());
    }
    progress_clear(&pr);
    int code = runout_finish(ro, tally_exit_code(&t), stdout);
    tally_print(stdout, &t);
    runout_free(ro);
    if (cl) clb_close(cl);
    case_list_free(&o.cases);
    return cl ? code : 1; /* no device is a failure even against a baseline */
}

int cmd_devices(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "gptq-harness devices: takes no arguments\n");
        return 2;
    }
    return clb_list_devices(stdout) == 0 ? 0 : 1;
}

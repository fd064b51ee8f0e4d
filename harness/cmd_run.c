/* cmd_run.c - `gptq-harness run` and `gptq-harness devices`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_cl.h"
#include "batch.h"
#include "commands.h"
#include "console.h"
#include "faults.h"
#include "runner.h"

#define DEFAULT_MAX_BYTES ((int64_t)8 << 30)

struct run_opts {
    const char *kernel;
    const char *device;
    int verbose; /* -1 quiet, 0 normal, 1 verbose */
    struct run_settings s;
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
        case 'h':
            printf("usage: gptq-harness run [--batch FILE] [--kernel FILE] [--device SEL] "
                   "[--threads N] [--max-bytes N] [-v|-q] [DESCRIPTOR...]\n");
            exit(0);
        default: return -1;
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
    for (size_t i = 0; i < o->cases.n; i++)
        if (fault_check_name(o->cases.v[i].fault, err, sizeof err) != 0) {
            fprintf(stderr, "gptq-harness run: %s\n", err);
            return -1;
        }
    return 0;
}

static void repro_prefix(const struct run_opts *o, const char *prog, char *buf, size_t len) {
    int n = snprintf(buf, len, "%s run", prog);
    if (o->kernel) n += snprintf(buf + n, len - (size_t)n, " --kernel %s", o->kernel);
    if (o->device && (size_t)n < len) snprintf(buf + n, len - (size_t)n, " --device '%s'", o->device);
}

int cmd_run(const char *prog, int argc, char **argv) {
    struct run_opts o;
    memset(&o, 0, sizeof o);
    o.s.max_bytes = DEFAULT_MAX_BYTES;
    if (parse_run_opts(argc, argv, &o) != 0) {
        case_list_free(&o.cases);
        return 2;
    }
    char kbuf[4200], err[1024], prefix[1024];
    const char *kernel = o.kernel ? o.kernel : find_data_path(DEFAULT_KERNEL, kbuf, sizeof kbuf);
    struct tally t;
    memset(&t, 0, sizeof t);
    struct cl_backend *cl = clb_open(o.device, kernel, err, sizeof err);
    if (!cl) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        t.n = (long)o.cases.n;
        t.by[V_ERROR] = (long)o.cases.n;
        tally_print(stdout, &t);
        case_list_free(&o.cases);
        return 1;
    }
    fprintf(stderr, "device: %s (%s, driver %s); kernel: %s; %zu case(s)\n", clb_device_name(cl),
            clb_platform_name(cl), clb_driver_version(cl), kernel, o.cases.n);
    repro_prefix(&o, prog, prefix, sizeof prefix);
    struct kernel_backend kb = {.self = cl, .run = cl_run_adapter};
    for (size_t i = 0; i < o.cases.n; i++) {
        struct case_result r;
        run_case(&o.cases.v[i], &o.s, &kb, &r, NULL, NULL);
        tally_add(&t, r.verdict);
        if (o.verbose >= 0 || (r.verdict != V_PASSED && r.verdict != V_SKIPPED))
            console_case(stdout, &r, prefix, o.verbose > 0);
        fflush(stdout);
        case_result_free(&r);
    }
    tally_print(stdout, &t);
    clb_close(cl);
    case_list_free(&o.cases);
    return tally_exit_code(&t);
}

int cmd_devices(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "gptq-harness devices: takes no arguments\n");
        return 2;
    }
    return clb_list_devices(stdout) == 0 ? 0 : 1;
}

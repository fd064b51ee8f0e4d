/* cmd_run.c - `gptq-harness run` and `gptq-harness devices`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_cl.h"
#include "backends.h"
#include "batch.h"
#include "commands.h"
#include "console.h"
#include "runner.h"

#define DEFAULT_KERNEL "kernels/w4a16_gemm.cl"
#define DEFAULT_MAX_BYTES ((int64_t)8 << 30)

struct run_opts {
    const char *kernel;
    const char *device;
    int verbose; /* -1 quiet, 0 normal, 1 verbose */
    struct run_settings s;
    struct case_list cases;
};

/* The default kernel: ./kernels/... when run from the checkout, else next to
 * the executable (build/../kernels/...). */
static const char *default_kernel(char *buf, size_t len) {
    if (access(DEFAULT_KERNEL, R_OK) == 0) return DEFAULT_KERNEL;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(buf, len, "%s/../%s", exe, DEFAULT_KERNEL);
            if (access(buf, R_OK) == 0) return buf;
        }
    }
    return DEFAULT_KERNEL;
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
            printf("usage: gptq-harness run [--batch FILE] [--kernel FILE.cl|plugin:LIB.so] "
                   "[--device SEL] [--threads N] [--max-bytes N] [-v|-q] [DESCRIPTOR...]\n");
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
    const char *kernel = o.kernel ? o.kernel : default_kernel(kbuf, sizeof kbuf);
    struct tally t;
    memset(&t, 0, sizeof t);
    struct kernel_under_test kut;
    if (kut_open(kernel, o.device, &kut, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        t.n = (long)o.cases.n;
        t.by[V_ERROR] = (long)o.cases.n;
        tally_print(stdout, &t);
        case_list_free(&o.cases);
        return 1;
    }
    fprintf(stderr, "device: %s; kernel: %s; %zu case(s)\n", kut.device, kernel, o.cases.n);
    repro_prefix(&o, prog, prefix, sizeof prefix);
    for (size_t i = 0; i < o.cases.n; i++) {
        struct case_result r;
        run_case(&o.cases.v[i], &o.s, &kut.kb, &r, NULL, NULL);
        tally_add(&t, r.verdict);
        if (o.verbose >= 0 || (r.verdict != V_PASSED && r.verdict != V_SKIPPED))
            console_case(stdout, &r, prefix, o.verbose > 0);
        fflush(stdout);
        case_result_free(&r);
    }
    tally_print(stdout, &t);
    kut_close(&kut);
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

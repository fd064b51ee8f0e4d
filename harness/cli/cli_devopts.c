/* cli_devopts.c - see cli_devopts.h. */
#include "util/escape.h"
#include "cli/cli_devopts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"

#include "cli/commands.h"
#include "cli/inproc_watchdog.h"

void dev_opts_init(struct dev_opts *o) {
    memset(o, 0, sizeof *o);
    o->adapter = -1;
    o->s.max_bytes = DEV_OPTS_MAX_BYTES;
    o->case_timeout = KUT_DEFAULT_TIMEOUT;
}

int dev_opts_open_kernel(const struct dev_opts *o, const char *cmd, const char *kernel,
                         struct kernel_under_test *kut, char *err, size_t errlen) {
    if (o->in_process)
        return inproc_open(cmd, kernel, o->device, o->case_timeout, kut, err, errlen);
    return kut_open_isolated(kernel, o->device, o->case_timeout, kut, err, errlen);
}

static int bad(const char *cmd, const char *what) {
    fprintf(stderr, "gptq-harness %s: %s\n", cmd, what);
    return -1;
}

int dev_opts_parse(struct dev_opts *o, int c, const char *arg, const char *cmd) {
    long v;
    switch (c) {
    case 'k':
        o->kernel = arg;
        return 1;
    case 'd':
        o->device = arg;
        return 1;
    case 'v':
        o->verbose = 1;
        return 1;
    case 'q':
        o->verbose = -1;
        return 1;
    case 'a':
        for (int a = 0; a < ADAPTER_COUNT; a++)
            if (strcmp(adapter_name((adapter_t)a), arg) == 0) {
                o->adapter = a;
                return 1;
            }
        return bad(cmd, "--adapter wants reference, vllm-xpu, vllm-xpu-awq or xpu-kernels");
    case 't':
        if (parse_int(arg, 1, 1024, &v) != 0) return bad(cmd, "--threads wants 1..1024");
        o->s.threads = (int)v;
        return 1;
    case DEV_OPT_CASE_TIMEOUT:
        if (parse_case_timeout(arg, &o->case_timeout) != 0) return bad(cmd, CASE_TIMEOUT_WANTS);
        return 1;
    case DEV_OPT_NO_ISOLATION:
        o->in_process = 1;
        return 1;
    case 'M':
        if (parse_size(arg, &o->s.max_bytes) != 0)
            return bad(cmd, "--max-bytes wants a size like 4G");
        o->read_cap = (uint64_t)o->s.max_bytes;
        return 1;
    }
    return 0;
}

void dev_opts_repro(const struct dev_opts *o, char *buf, size_t len) {
    size_t n = strlen(buf);
    char w[4200];
    if (o->kernel && n < len)
        n += (size_t)snprintf(buf + n, len - n, " --kernel %s", shell_word(o->kernel, w, sizeof w));
    if (o->device && n < len)
        n += (size_t)snprintf(buf + n, len - n, " --device %s", shell_word(o->device, w, sizeof w));
    if (o->adapter >= 0 && n < len)
        snprintf(buf + n, len - n, " --adapter %s", adapter_name((adapter_t)o->adapter));
}

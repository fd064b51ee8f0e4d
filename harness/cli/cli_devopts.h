/* cli_devopts.h - the options that replay and inspect share: the kernel and
 * device under test, the adapter, reference threads, the memory cap, and
 * verbosity. Each command adds DEV_OPTS_LONG to its getopt_long table and
 * DEV_OPTS_SHORT to its short options, and hands every option to
 * dev_opts_parse first. */
#ifndef GH_CLI_DEVOPTS_H
#define GH_CLI_DEVOPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "verdict/runner.h"

struct dev_opts {
    const char *kernel, *device; /* NULL: the defaults */
    int adapter;                 /* adapter_t, or -1 when not given */
    int verbose;                 /* -1 quiet, 0 normal, 1 verbose */
    struct run_settings s;       /* threads, max_bytes */
    uint64_t read_cap;           /* safetensors reader cap (0: its default) */
    double case_timeout;         /* the worker's watchdog, seconds (0: none) */
    int in_process;              /* --no-isolation: the backend in this process */
};

/* The kernel runs in a device worker (backends.h: a hang or a crash is an
 * ERROR for its case) unless --no-isolation. */
#define DEV_OPT_CASE_TIMEOUT 0x300
#define DEV_OPT_NO_ISOLATION 0x301

#define DEV_OPTS_SHORT "a:k:d:t:M:vq"
#define DEV_OPTS_LONG                                                                              \
    {"kernel", required_argument, 0, 'k'}, {"device", required_argument, 0, 'd'},                  \
        {"adapter", required_argument, 0, 'a'}, {"threads", required_argument, 0, 't'},            \
        {"max-bytes", required_argument, 0, 'M'}, {"verbose", no_argument, 0, 'v'},                \
        {"quiet", no_argument, 0, 'q'},                                                            \
        {"case-timeout", required_argument, 0, DEV_OPT_CASE_TIMEOUT}, {                            \
        "no-isolation", no_argument, 0, DEV_OPT_NO_ISOLATION                                       \
    }

#define DEV_OPTS_MAX_BYTES ((int64_t)8 << 30)

void dev_opts_init(struct dev_opts *o);

/* Takes option c with argument arg. Returns 1 when it was one of these, 0
 * when not, -1 for a bad value (message on stderr, prefixed by cmd). */
int dev_opts_parse(struct dev_opts *o, int c, const char *arg, const char *cmd);

/* Appends the options a repro line needs (--kernel, --device, --adapter). */
void dev_opts_repro(const struct dev_opts *o, char *buf, size_t len);

/* Opens the kernel under test the options name (kernel: the path found),
 * isolated unless --no-isolation (then under inproc_open's deadline; cmd
 * names the command in its message). Returns 0, or -1 with a message. */
struct kernel_under_test;
int dev_opts_open_kernel(const struct dev_opts *o, const char *cmd, const char *kernel,
                         struct kernel_under_test *kut, char *err, size_t errlen);

#endif

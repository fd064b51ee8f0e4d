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
};

#define DEV_OPTS_SHORT "a:k:d:t:M:vq"
#define DEV_OPTS_LONG                                                                              \
    {"kernel", required_argument, 0, 'k'}, {"device", required_argument, 0, 'd'},                  \
        {"adapter", required_argument, 0, 'a'}, {"threads", required_argument, 0, 't'},            \
        {"max-bytes", required_argument, 0, 'M'}, {"verbose", no_argument, 0, 'v'}, {              \
        "quiet", no_argument, 0, 'q'                                                               \
    }

#define DEV_OPTS_MAX_BYTES ((int64_t)8 << 30)

void dev_opts_init(struct dev_opts *o);

/* Takes option c with argument arg. Returns 1 when it was one of these, 0
 * when not, -1 for a bad value (message on stderr, prefixed by cmd). */
int dev_opts_parse(struct dev_opts *o, int c, const char *arg, const char *cmd);

/* Appends the options a repro line needs (--kernel, --device, --adapter). */
void dev_opts_repro(const struct dev_opts *o, char *buf, size_t len);

#endif

/* commands.h - the subcommands; each takes (argc, argv) with argv[0] the
 * subcommand's name and returns the process exit code. cmd_run also takes
 * the program's path, for the repro lines it prints. */
#ifndef GH_COMMANDS_H
#define GH_COMMANDS_H

int cmd_run(const char *prog, int argc, char **argv);
int cmd_ref(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_replay(const char *prog, int argc, char **argv);
int cmd_inspect(const char *prog, int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_selftest(const char *prog, int argc, char **argv);

/* The production kernel, relative to the checkout. */
#define DEFAULT_KERNEL "kernels/w4a16_gemm.cl"
/* Shipped files (the default kernel, templates, sweeps) are found with
 * datapath_find (datapath.h). */

/* Shared option parsing helpers (cli_util.c). */
#include <stddef.h>
#include <stdint.h>
/* Parses a positive integer with optional K/M/G suffix (powers of 1024).
 * Returns 0 or -1. */
int parse_size(const char *s, int64_t *out);
int parse_int(const char *s, long lo, long hi, long *out);
/* --case-timeout's value: seconds in 0..86400 (0: no watchdog). Returns 0 or -1. */
#define CASE_TIMEOUT_WANTS "--case-timeout wants seconds in 0..86400 (0: no watchdog)"
int parse_case_timeout(const char *s, double *out);
/* "HEAD ARGV[0] ARGV[1] ...", head as given, each word of argv quoted for a
 * shell (malloc'd; NULL when out of memory): the command line the reports
 * show. */
char *cli_command_line(const char *head, int argc, char **argv);

/* The OpenCL backend's run in the shape of runner.h's kernel_backend.run
 * (cli_kernel.c). */
#include <stddef.h>

#include "adapters/abi.h"
#include "backends/backend.h"
void cli_cl_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                struct bk_result *res);

#endif

/* commands.h - the subcommands; each takes (argc, argv) with argv[0] the
 * subcommand's name and returns the process exit code. cmd_run also takes
 * the program's path, for the repro lines it prints. */
#ifndef GH_COMMANDS_H
#define GH_COMMANDS_H

int cmd_run(const char *prog, int argc, char **argv);
int cmd_ref(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_selftest(const char *prog, int argc, char **argv);

/* The production kernel, relative to the checkout. */
#define DEFAULT_KERNEL "kernels/w4a16_gemm.cl"

/* Shared option parsing helpers (cli_util.c). */
#include <stddef.h>
#include <stdint.h>
/* Parses a positive integer with optional K/M/G suffix (powers of 1024).
 * Returns 0 or -1. */
int parse_size(const char *s, int64_t *out);
int parse_int(const char *s, long lo, long hi, long *out);
/* A file of the checkout (e.g. "kernels/w4a16_gemm.cl"): rel itself when
 * readable from the current directory, else next to the executable
 * (build/../rel) when readable there, else rel. May return buf. */
const char *find_data_path(const char *rel, char *buf, size_t len);

#endif

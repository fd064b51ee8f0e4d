/* cli_help.h - help text and option mistakes shared by the subcommands: the
 * option list of `run` (printed by `--help` and `run --help`, one line per
 * option), and the message for an unknown option, which names the nearest
 * long option of the command. */
#ifndef GH_CLI_HELP_H
#define GH_CLI_HELP_H

#include <getopt.h>
#include <stdio.h>

/* Every option of `run`, one per line, indented by indent spaces. */
void help_run_options(FILE *f, int indent);

/* Call when getopt_long returned '?' (with opterr = 0, so that the message
 * is this one): names the option it stopped at (argv[optind - 1]) on stderr:
 * "gptq-harness CMD: unknown option '--x'; did you mean --y?" (the nearest of
 * longs by edit distance, when near enough), or that a known option needs a
 * value or takes none, and points at `gptq-harness CMD --help`. */
void help_bad_option(const char *cmd, int argc, char **argv, const struct option *longs);

/* The nearest name in longs to word (edit distance, at most a third of the
 * longer name plus one), or NULL. For tests. */
const char *help_nearest_option(const char *word, const struct option *longs);

#endif

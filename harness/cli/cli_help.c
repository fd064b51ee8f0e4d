/* cli_help.c - see cli_help.h. */
#include "cli/cli_help.h"

#include <string.h>

/* The options of `run`: the option as typed, then what it does. */
static const char *const run_options[][2] = {
    {"--batch FILE", "read descriptors from a batch file (repeatable)"},
    {"--kernel FILE", "OpenCL kernel source (default kernels/w4a16_gemm.cl), plugin:LIB.so,"},
    {"", "or exec:CMD (an external runner, docs/runners.md)"},
    {"--adapter exec:CMD", "the loader adapter in an external runner (cases: adapter=exec)"},
    {"--layer exec:CMD", "loader and kernel in one external runner (checkpoint + X in, Y out)"},
    {"--device SEL", "P:D index or name substring (default $GPTQ_HARNESS_DEVICE, else the first)"},
    {"--threads N", "reference threads (default: all CPUs)"},
    {"--max-bytes N", "skip cases needing more host memory (default 8G; K/M/G ok)"},
    {"-v, --verbose", "kernel times and whole build logs"},
    {"-q, --quiet", "failures and the summary line only"},
    {"--save-failures DIR", "write a fixture of each failed/mistrusted case to DIR"},
    {"--save-all DIR", "write a fixture of every case (golden sets)"},
    {"--out DIR|none", "run directory (default reports/<UTC time>/, reports/latest points at it):"},
    {"", "results.jsonl, report.html, report.md, plots/; none: no run directory"},
    {"--junit FILE", "also write JUnit XML (its folder is created)"},
    {"--baseline FILE", "judge against an earlier results.jsonl: regressions and new"},
    {"", "failures exit 1, accuracy drift warns"},
    {"--drift-factor F", "drift: worst_ratio grew more than F times (default 4)"},
    {"--shard I/N|auto", "run cases with index % N == I-1 (auto: Buildkite, GitLab or Slurm)"},
    {"--mode check|perf", "perf: also time each case's kernel (GB/s, GFLOP/s against peaks)"},
    {"--perf-runs N", "timed launches per case in perf mode (default 50)"},
    {"--repeat N", "bitwise mode: run each kernel N times, the bits must match"},
    {"--case-timeout S", "watchdog per case (default 300 s; 0: none)"},
    {"--max-hangs N", "after N hung cases in a row the rest is not run (default 3; 0: no limit)"},
    {"--no-isolation", "run the kernel in this process (default: a worker process)"},
    {"--profile", "print where the sweep's time went"},
    {"--random N", "add N random descriptors over the whole case space (seed printed)"},
    {"--seed S", "the seed of --random (default: from the clock)"},
    {"--budget SECONDS", "start no case after SECONDS (the rest is not run)"},
    {"-h, --help", "this list"},
};

void help_run_options(FILE *f, int indent) {
    for (size_t i = 0; i < sizeof run_options / sizeof *run_options; i++)
        fprintf(f, "%*s%-20s %s\n", indent, "", run_options[i][0], run_options[i][1]);
}

/* Levenshtein distance of a[0..na) and b[0..nb), both short (option names). */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb) {
    size_t row[64];
    if (nb >= sizeof row / sizeof *row) return (size_t)-1;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

const char *help_nearest_option(const char *word, const struct option *longs) {
    size_t nw = strcspn(word, "=");
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (const struct option *o = longs; o->name; o++) {
        size_t no = strlen(o->name);
        size_t d = edit_distance(word, nw, o->name, no);
        /* a prefix of several letters is a likely cut-off name */
        if (nw >= 3 && nw < no && !strncmp(word, o->name, nw)) d = 1;
        size_t limit = (no > nw ? no : nw) / 3 + 1;
        if (d <= limit && d < bestd) {
            best = o->name;
            bestd = d;
        }
    }
    return best;
}

void help_bad_option(const char *cmd, int argc, char **argv, const struct option *longs) {
    const char *arg = optind >= 1 && optind <= argc ? argv[optind - 1] : "";
    if (strncmp(arg, "--", 2) != 0 || !arg[2]) { /* a short option: getopt set optopt */
        fprintf(stderr,
                "gptq-harness %s: option '-%c' is unknown or needs a value (gptq-harness %s "
                "--help lists the options)\n",
                cmd, optopt > 32 && optopt < 127 ? optopt : '?', cmd);
        return;
    }
    const char *word = arg + 2;
    size_t nw = strcspn(word, "=");
    for (const struct option *o = longs; o->name; o++)
        if (strlen(o->name) == nw && !strncmp(o->name, word, nw)) {
            fprintf(stderr, "gptq-harness %s: option '--%s' %s\n", cmd, o->name,
                    o->has_arg == no_argument ? "takes no value" : "needs a value");
            return;
        }
    const char *near = help_nearest_option(word, longs);
    fprintf(stderr, "gptq-harness %s: unknown option '--%.*s'", cmd, (int)nw, word);
    if (near) fprintf(stderr, "; did you mean --%s?", near);
    fprintf(stderr, " (gptq-harness %s --help lists the options)\n", cmd);
}

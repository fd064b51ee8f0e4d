/* main.c - the gptq-harness command line: parses arguments and dispatches to
 * the subcommands. Exit codes: 0 ok / all passed, 1 failure, 2 usage error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "results/runenv.h"
#include "util/version.h"

static void usage(FILE *f) {
    fprintf(
        f,
        "gptq-harness %s - validation harness for int4 GPTQ (W4A16) dequantize-GEMM kernels\n"
        "\n"
        "usage:\n"
        "  gptq-harness run [options] [DESCRIPTOR...] [--batch FILE]...\n"
        "      run cases through adapter + kernel and compare with the reference\n"
        "      --batch FILE     read descriptors from a batch file (repeatable)\n"
        "      --kernel FILE    OpenCL kernel source (default kernels/w4a16_gemm.cl)\n"
        "      --device SEL     P:D index or name substring (default $GPTQ_HARNESS_DEVICE,\n"
        "                       else the first device)\n"
        "      --threads N      reference threads (default: all CPUs)\n"
        "      --max-bytes N    skip cases needing more host memory (default 8G; K/M/G ok)\n"
        "      -v, --verbose    full build logs; -q, --quiet: failures and summary only\n"
        "      --save-failures DIR  write a fixture of each failed/mistrusted case to DIR\n"
        "      --save-all DIR   write a fixture of every case (golden sets)\n"
        "      --out DIR        run directory (default reports/<UTC time>/, and\n"
        "                       reports/latest pointing at it): results.jsonl,\n"
        "                       report.html, report.md, plots/\n"
        "      --junit FILE     also write JUnit XML\n"
        "      --baseline FILE  judge against an earlier results.jsonl: regressions and\n"
        "                       new failures exit 1, accuracy drift warns\n"
        "      --drift-factor F drift: worst_ratio grew more than F times (default 4)\n"
        "      --shard I/N|auto run cases with index %% N == I-1 (auto: Buildkite,\n"
        "                       GitLab or Slurm variables)\n"
        "      --mode perf      also time each case's kernel (profiling events, rotated\n"
        "                       inputs; GB/s and GFLOP/s against measured device peaks)\n"
        "      --perf-runs N    timed launches per case in perf mode (default 50)\n"
        "      --repeat N       bitwise mode: run each kernel N times, bits must match\n"
        "      --case-timeout S watchdog per case (default 300 s; 0: none)\n"
        "      --no-isolation   run the kernel in this process (default: a worker process)\n"
        "      --profile        print where the sweep's time went\n"
        "  gptq-harness replay [--kernel F] [--device SEL] [--adapter A] [--case-timeout S]\n"
        "                      [--no-isolation] FIXTURE...\n"
        "      rerun saved fixtures (*.safetensors.gz) from their stored tensors\n"
        "  gptq-harness inspect FILE [-v] | FILE --layer NAME [--run [--adapter A] [--m M]\n"
        "                       [--seed S] [--fmt gptq-v1|gptq-v2] [--kernel F] [--device SEL]]]\n"
        "      list the quantized layers of a checkpoint shard or fixture (format, group\n"
        "      size, zero point, act-order, GPTQ v1/v2 zeros against the declared\n"
        "      checkpoint_format); --run pushes one real layer through adapter and kernel\n"
        "  gptq-harness selftest [--batch FILE] [--kernel FILE] [--device SEL] [options]\n"
        "      prove the harness catches layout bugs: the sweep (default\n"
        "      fixtures/sweeps/smoke.batch) clean, then with each planted fault and\n"
        "      each mutant kernel (tests/kernels/mutants/*.mut); prints the table and\n"
        "      the mutation score. Options: --mutants DIR, --keep-mutants DIR,\n"
        "      --no-mutants, --no-faults, --only NAME (repeatable), --no-diagnose,\n"
        "      --case-timeout S\n"
        "  gptq-harness ref [--threads N] DESCRIPTOR\n"
        "      generate the case, run the reference, print a checksum and a few values\n"
        "  gptq-harness report merge DIR... [--out DIR] [--junit FILE] [--baseline FILE]\n"
        "      merge shard runs (DIR/results.jsonl) into one results.jsonl and report\n"
        "  gptq-harness devices       list OpenCL platforms and devices\n"
        "  gptq-harness bench [--threads N] [--repeat N]\n"
        "      reference throughput (GFLOP/s) at m = 1, 16, 64, n = k = 4096\n"
        "  gptq-harness --help | --version\n"
        "\n"
        "A descriptor is one line of key=value pairs, e.g.\n"
        "  'fmt=gptq-v1 adapter=reference m=1 n=4096 k=4096 g=128 zp=asym gidx=act dt=f16 "
        "data=exact seed=7'\n"
        "keys: fmt=gptq-v1|gptq-v2|ct|awq adapter=reference|vllm-xpu m n k g=32|64|128|-1\n"
        "      zp=sym|asym gidx=none|trivial|act dt=f16|bf16 data=exact|real bias=0|1 seed\n"
        "      zproute=auto|zp|nozp (vllm-xpu) fault=NAME (plant a catalogued fault)\n"
        "exit: 0 all passed or skipped, 1 any failed/mistrusted/error, 2 usage error\n",
        GH_VERSION);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("gptq-harness %s (git %s)\n", GH_VERSION, run_env_git());
        return 0;
    }
    if (!strcmp(cmd, "run")) return cmd_run(argv[0], argc - 1, argv + 1);
    if (!strcmp(cmd, "ref")) return cmd_ref(argc - 1, argv + 1);
    if (!strcmp(cmd, "devices")) return cmd_devices(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay")) return cmd_replay(argv[0], argc - 1, argv + 1);
    if (!strcmp(cmd, "inspect")) return cmd_inspect(argv[0], argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "selftest")) return cmd_selftest(argv[0], argc - 1, argv + 1);
    fprintf(stderr, "gptq-harness: unknown command '%s' (try --help)\n", cmd);
    return 2;
}

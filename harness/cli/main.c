/* main.c - the gptq-harness command line: parses arguments and dispatches to
 * the subcommands. Exit codes: 0 ok / all passed, 1 failure, 2 usage error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_help.h"
#include "cli/commands.h"
#include "results/runenv.h"
#include "util/version.h"

static void usage(FILE *f) {
    fprintf(f,
            "gptq-harness %s - validation harness for int4 GPTQ (W4A16) dequantize-GEMM kernels\n"
            "\n"
            "usage:\n"
            "  gptq-harness run [options] [DESCRIPTOR...] [--batch FILE]...\n"
            "      run cases through adapter + kernel and compare with the reference\n",
            GH_VERSION);
    help_run_options(f, 6);
    fprintf(
        f, "  gptq-harness replay [options] FIXTURE...\n"
           "      rerun saved fixtures (*.safetensors.gz) from their stored tensors, with the\n"
           "      kernel they recorded unless --kernel is given\n"
           "      --kernel FILE        the kernel to run instead of the recorded one\n"
           "      --device SEL         as for run\n"
           "      --adapter A          reference|vllm-xpu instead of the recorded adapter\n"
           "      --threads N, --max-bytes N, -v, -q   as for run\n"
           "      --case-timeout S, --no-isolation     as for run\n"
           "  gptq-harness inspect FILE [options]\n"
           "      list the quantized layers of a checkpoint shard or fixture (format, group\n"
           "      size, zero point, act-order, GPTQ v1/v2 zeros against the declared\n"
           "      checkpoint_format)\n"
           "      --layer NAME         one layer (its prefix, e.g. model.layers.0.mlp.down_proj)\n"
           "      --run                push that layer through adapter and kernel\n"
           "      --m M, --seed S      activation rows and seed of the --run case\n"
           "      --fmt gptq-v1|gptq-v2  the zero convention the adapter is told\n"
           "      --adapter A, --kernel FILE, --device SEL, --threads N, --max-bytes N, -v, -q\n"
           "                           as for run and replay\n"
           "      --case-timeout S, --no-isolation     as for run (the --run case)\n"
           "  gptq-harness selftest [options]\n"
           "      prove the harness catches layout bugs: the sweep clean, then with each\n"
           "      planted fault and each mutant kernel; prints the table and the mutation score\n"
           "      --batch FILE         the sweep (default fixtures/sweeps/smoke.batch)\n"
           "      --kernel FILE, --device SEL, --threads N, -v   as for run\n"
           "      --mutants DIR        mutant descriptions (default tests/kernels/mutants)\n"
           "      --keep-mutants DIR   keep the generated mutant kernels in DIR\n"
           "      --write-mutant NAME FILE  write mutant NAME's kernel to FILE; runs nothing\n"
           "      --no-mutants         planted faults only\n"
           "      --no-faults          mutant kernels only\n"
           "      --only NAME          only this fault or mutant (repeatable)\n"
           "      --no-diagnose        no diagnosis of the failures (faster)\n"
           "      --case-timeout S     watchdog per case of the kernel and of each mutant\n"
           "  gptq-harness ref [--threads N] DESCRIPTOR\n"
           "      generate the case, run the reference, print a checksum and a few values\n"
           "      --threads N          reference threads (default: all CPUs)\n"
           "  gptq-harness report merge DIR... [options]\n"
           "      merge shard runs (DIR/results.jsonl) into one results.jsonl and report\n"
           "      --out DIR, --junit FILE, --baseline FILE, --drift-factor F, -v, -q   as for run\n"
           "  gptq-harness devices       list OpenCL platforms and devices\n"
           "  gptq-harness bench [--threads N] [--repeat N]\n"
           "      reference throughput (GFLOP/s) at m = 1, 16, 64, n = k = 4096\n"
           "      --threads N          reference threads; --repeat N: runs per shape\n"
           "  gptq-harness --help | --version\n"
           "\n"
           "A descriptor is one line of key=value pairs, e.g.\n"
           "  'fmt=gptq-v1 adapter=reference m=1 n=4096 k=4096 g=128 zp=asym gidx=act dt=f16 "
           "data=exact seed=7'\n"
           "keys: fmt=gptq-v1|gptq-v2|ct|awq adapter=reference|vllm-xpu m n k g=32|64|128|-1\n"
           "      zp=sym|asym gidx=none|trivial|act dt=f16|bf16 data=exact|real bias=0|1 seed\n"
           "      zproute=auto|zp|nozp (vllm-xpu) fault=NAME (plant a catalogued fault)\n"
           "last line: summary: total=N passed=P failed=F mistrusted=X skipped=S errors=E exit=C\n"
           "exit: 0 all passed or skipped, 1 any failed/mistrusted/error, 2 usage error\n");
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

/* main.c - the gptq-harness command line: parses arguments and dispatches to
 * the subcommands. Exit codes: 0 ok / all passed, 1 failure, 2 usage error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "version.h"

static void usage(FILE *f) {
    fprintf(f,
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
            "  gptq-harness selftest [--batch FILE] [--kernel FILE] [--device SEL] [options]\n"
            "      prove the harness catches layout bugs: the sweep (default\n"
            "      fixtures/sweeps/smoke.batch) clean, then with each planted fault and\n"
            "      each mutant kernel (tests/kernels/mutants/*.mut); prints the table and\n"
            "      the mutation score. Options: --mutants DIR, --keep-mutants DIR,\n"
            "      --no-mutants, --no-faults, --only NAME (repeatable), --no-diagnose\n"
            "  gptq-harness ref [--threads N] DESCRIPTOR\n"
            "      generate the case, run the reference, print a checksum and a few values\n"
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
        printf("gptq-harness %s\n", GH_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run")) return cmd_run(argv[0], argc - 1, argv + 1);
    if (!strcmp(cmd, "ref")) return cmd_ref(argc - 1, argv + 1);
    if (!strcmp(cmd, "devices")) return cmd_devices(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "selftest")) return cmd_selftest(argv[0], argc - 1, argv + 1);
    fprintf(stderr, "gptq-harness: unknown command '%s' (try --help)\n", cmd);
    return 2;
}

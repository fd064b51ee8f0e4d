#!/bin/sh
# device-cuda.sh - run THERE (the GPU machine), from the checkout root, after
# scripts/device-prepare.sh ran here and .ocl + build/ were carried along.
#  1. The CUDA plugin: build/plugins/libw4a16_cuda.so as carried (built here
#     by device-prepare with nvcc), or, if absent or REBUILD=1, built there
#     with `make plugins-cuda` (nvcc).
#  2. The sweeps in $BATCHES (default fixtures/sweeps/smoke.batch; "none"
#     skips them) through it: failures and the summary line.
#  3. Bandwidth for each m in $MS (default 1) and (n,k) in $SHAPES (default
#     4096:4096 11008:4096 4096:11008), asymmetric g=128, f16: the plugin's kernel time (median
#     of $REPS CUDA-event-timed launches, each after an L2 flush; default 20)
#     and GB/s over bytes = packed weights N*K/2 + scales G*N*2 + zero points
#     G*N/2 + activations M*K*2 + output M*N*2. DATA: the data mode (default real).
# Exit: 0 when the sweep and the bandwidth cases all passed, else 1.
set -eu
cd "$(dirname "$0")/.."
. scripts/device-env.sh
PLUGIN=${PLUGIN:-build/plugins/libw4a16_cuda.so}
BIN=./build/gptq-harness
if [ ! -f "$PLUGIN" ] || [ "${REBUILD:-0}" = 1 ]; then
    echo "== building $PLUGIN with nvcc here"
    make --no-print-directory -B "$PLUGIN"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

rc=0
BATCHES=${BATCHES:-fixtures/sweeps/smoke.batch}
if [ "$BATCHES" != none ]; then
    echo "== sweeps ($BATCHES) through plugin:$PLUGIN"
    set --
    for b in $BATCHES; do set -- "$@" --batch "$b"; done
    "$BIN" run -q --out none --kernel "plugin:$PLUGIN" "$@" || rc=1
fi

echo "== bandwidth (W4A16_CUDA_REPS=${REPS:-20})"
# SHAPES: n:k pairs, MS: batch sizes (defaults: the three shapes above at m=1)
SHAPES=${SHAPES:-4096:4096 11008:4096 4096:11008}
MS=${MS:-1}
set --
seed=11
for m in $MS; do
    for nk in $SHAPES; do
        set -- "$@" "fmt=ct zp=asym g=128 dt=f16 data=${DATA:-real} m=$m n=${nk%%:*} k=${nk##*:} seed=$seed"
        seed=$((seed + 1))
    done
done
W4A16_CUDA_REPS=${REPS:-20} "$BIN" run -v --out none --max-bytes 8G --kernel "plugin:$PLUGIN" "$@" >"$TMP/bw" || rc=1
awk '
/^(PASSED|FAILED|ERROR|SKIPPED|MISTRUSTED) / {
    verdict = $1; m = n = k = g = 0; zp = ""
    for (i = 2; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "m") m = kv[2]; if (kv[1] == "n") n = kv[2]; if (kv[1] == "k") k = kv[2]
        if (kv[1] == "g") g = kv[2]; if (kv[1] == "zp") zp = kv[2]
    }
    if (verdict != "PASSED") print
    next
}
/^    kernel: / {
    ms = $2; G = (g == -1) ? 1 : k / g
    bytes = n * k / 2 + G * n * 2 + (zp == "asym" ? G * n / 2 : 0) + m * k * 2 + m * n * 2
    printf "bandwidth: %-6s m=%d n=%-5d k=%-5d g=%d zp=%s  %8.2f MB  %.4f ms  %7.1f GB/s\n",
        verdict, m, n, k, g, zp, bytes / 1e6, ms, bytes / (ms * 1e-3) / 1e9
    next
}
/^summary: / { print }
' "$TMP/bw"
exit $rc

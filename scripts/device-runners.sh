#!/bin/sh
# device-runners.sh - run THERE (a CUDA machine whose python3 has torch and
# Triton), from the checkout root, with build/ (and .ocl, for the binary's
# libraries) carried as for scripts/device-run.sh. Exercises the external
# runners on real third-party kernels (docs/runners.md):
#   1. the default job (smoke + kernel-edges) through tinygemm on CUDA and on
#      CPU and through the repository's Triton W4A16 kernel;
#   2. a planted conversion bug (zero points transposed) in the tinygemm and
#      Triton runners, which must FAIL with a diagnosis;
#   3. perf mode through both, each timing its own kernel (CUDA events and a
#      CUDA graph) against the copy peak it measures.
# Writes everything under $OUT (default reports/device-runners): one .txt per
# step and summary.txt. About 2-4 minutes of GPU time.
set -u
cd "$(dirname "$0")/.."
. scripts/device-env.sh
OUT=${OUT:-reports/device-runners}
PY=${PY:-python3}
mkdir -p "$OUT"
export GPTQ_HARNESS_REPORTS="$OUT/runs"
BIN=./build/gptq-harness
DEFAULT="--batch fixtures/sweeps/smoke.batch --batch fixtures/sweeps/kernel-edges.batch"
S="$OUT/summary.txt"
{
    date -u
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
    $PY -c 'import torch, triton; print("torch", torch.__version__, "cuda", torch.version.cuda,
"triton", triton.__version__, torch.cuda.get_device_name())' 2>&1
} >"$S"

step() { # step NAME RUN-ARGS...: one harness run, its console in NAME.txt, its summary in summary.txt
    name=$1
    shift
    t0=$(date +%s)
    "$BIN" run "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err"
    rc=$?
    echo "== $name (exit $rc, $(($(date +%s) - t0)) s): $(grep '^summary:' "$OUT/$name.txt")" >>"$S"
}

# 1. The default job.
step tinygemm-cuda -q --out "$OUT/runs/tinygemm-cuda" --kernel "exec:$PY runners/tinygemm.py --device cuda" $DEFAULT
step tinygemm-cpu -q --out "$OUT/runs/tinygemm-cpu" --kernel "exec:$PY runners/tinygemm.py --device cpu" $DEFAULT
step triton -q --out "$OUT/runs/triton" --kernel "exec:$PY runners/triton_w4a16.py" $DEFAULT
for name in tinygemm-cuda tinygemm-cpu triton; do # what did not pass, by reason
    echo "-- $name: FAILED/ERROR/MISTRUSTED cases (first 12) and SKIPPED reasons" >>"$S"
    grep -A3 -E '^(FAILED|ERROR|MISTRUSTED)' "$OUT/$name.txt" | grep -v repro | head -48 >>"$S"
    $PY - "$OUT/runs/$name/results.jsonl" >>"$S" <<'PYEOF'
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["verdict"] == "SKIPPED":
        c[r["reason"]] += 1
for reason, n in c.most_common():
    print("   SKIPPED x%d: %s" % (n, reason))
PYEOF
done

# 2. Planted conversion bugs: the zero points transposed inside the runner.
BUG='fmt=gptq-v1,ct zp=asym g=32,128 gidx=none,act dt=bf16 data=exact,real m=7 n=40 k=384'
step tinygemm-cuda-bug --kernel "exec:$PY runners/tinygemm.py --device cuda --fault zeros-transposed" "$BUG"
step triton-bug --kernel "exec:$PY runners/triton_w4a16.py --fault zeros-transposed" "$BUG"
for name in tinygemm-cuda-bug triton-bug; do
    echo "-- $name: the first case's lines" >>"$S"
    grep -m1 -A4 '^FAILED' "$OUT/$name.txt" | grep -v repro >>"$S"
    echo "   cases explained by zeros-transposed: $(grep -c 'explained by fault zeros-transposed' "$OUT/$name.txt")" >>"$S"
done

# 3. Perf mode: decode (m=1) and a small batch (m=16), bf16, real data.
PERF="--mode perf --perf-runs 100"
SHAPES="m=1,16 n=4096 k=4096 g=128 zp=asym dt=bf16 data=real seed=3"
SHAPES2="m=1 n=11008,4096 k=4096,11008 g=128 zp=asym dt=bf16 data=real seed=3"
step perf-tinygemm $PERF --out "$OUT/runs/perf-tinygemm" --kernel "exec:$PY runners/tinygemm.py --device cuda" "$SHAPES" "$SHAPES2"
step perf-triton $PERF --out "$OUT/runs/perf-triton" --kernel "exec:$PY runners/triton_w4a16.py" "$SHAPES" "$SHAPES2"
for name in perf-tinygemm perf-triton; do
    echo "-- $name" >>"$S"
    grep -E '^(peaks|PASSED|FAILED|ERROR|    perf)' "$OUT/$name.txt" | sed 's/  */ /g' >>"$S"
done
cat "$S"

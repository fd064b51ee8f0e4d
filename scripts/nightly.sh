#!/bin/sh
# nightly.sh - the nightly flow on one machine, as CI runs it across nodes:
#   1. the default job (smoke, kernel-edges and contract sweeps) on every
#      shipped kernel ($KERNELS: the plain and the tuned OpenCL kernel): every
#      case must pass
#   1b. $RANDOM_CASES random descriptors (run --random, a fresh seed each night,
#      printed in the log; at most $RANDOM_BUDGET seconds) on the tuned kernel:
#      every case must pass
#   2. the nightly sweep (fixtures/sweeps/nightly.batch) in N shards, on the
#      tuned kernel ($KERNEL, kernels/w4a16_gemm_fast.cl; a --kernel among the
#      RUN-OPTIONS overrides it)
#   3. the shards merged into one results.jsonl, JUnit XML and report, judged
#      against the baseline when one is given: regressions and new failures
#      fail the night, known failures (vllm-xpu's expected ones) and accuracy
#      drift are reported but do not
#   4. with --promote, a night that passed becomes the next baseline; when
#      BASELINE does not exist yet, the first night creates it (its merge is
#      not judged, its failures become the known failures of later nights)
#
# Usage: sh scripts/nightly.sh [-n SHARDS] [-b BASELINE] [-o OUTDIR] [--promote]
#   (first night: sh scripts/nightly.sh -b baseline/results.jsonl --promote)
#                              [-- RUN-OPTIONS...]   (e.g. -- --kernel k.cl --device nvidia)
# Environment: BIN (build/gptq-harness), SMOKE, EDGES, CONTRACT and NIGHTLY (batch
# files), KERNELS (step 1), KERNEL (steps 1b and 2), RANDOM_CASES (300),
# RANDOM_BUDGET (600 seconds), RANDOM_SEED (default: drawn and printed).
# Writes OUTDIR (default reports/nightly-<UTC time>): smoke-<kernel>/, edges-<kernel>/,
# contract-<kernel>/, random/, shard-1..N/,
# nightly/ (the merged results.jsonl, report.html, report.md, junit.xml).
# Exit: 0 when smoke passed and the merged night is green, 1 otherwise, 2 on
# usage errors.
#
# In CI each shard runs on its own node and the merge in a final step:
#   Buildkite (parallelism: N) / GitLab (parallel: N) / Slurm (--array=0-N-1):
#     build/gptq-harness run -q --batch fixtures/sweeps/nightly.batch --shard auto \
#         --out shard-$ID --junit shard-$ID/junit.xml      # upload shard-$ID/
#   then, with the shard directories downloaded:
#     build/gptq-harness report merge shard-* --out nightly --junit nightly/junit.xml \
#         --baseline baseline/results.jsonl
set -u
BIN=${BIN:-build/gptq-harness}
SMOKE=${SMOKE:-fixtures/sweeps/smoke.batch}
NIGHTLY=${NIGHTLY:-fixtures/sweeps/nightly.batch}
EDGES=${EDGES:-fixtures/sweeps/kernel-edges.batch}
CONTRACT=${CONTRACT:-fixtures/sweeps/contract.batch}
RANDOM_CASES=${RANDOM_CASES:-300}
RANDOM_BUDGET=${RANDOM_BUDGET:-600}
RANDOM_SEED=${RANDOM_SEED:-}
KERNELS=${KERNELS:-kernels/w4a16_gemm.cl kernels/w4a16_gemm_fast.cl}
KERNEL=${KERNEL:-kernels/w4a16_gemm_fast.cl}
SHARDS=3
BASELINE=
OUT=
PROMOTE=0
usage() {
    echo "usage: sh scripts/nightly.sh [-n SHARDS] [-b BASELINE] [-o OUTDIR] [--promote] [-- RUN-OPTIONS...]" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    -n) [ $# -ge 2 ] || usage; SHARDS=$2; shift 2 ;;
    -b) [ $# -ge 2 ] || usage; BASELINE=$2; shift 2 ;;
    -o) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
    --promote) PROMOTE=1; shift ;;
    --) shift; break ;;
    *) usage ;;
    esac
done
case $SHARDS in '' | *[!0-9]* | 0) echo "nightly: -n wants a positive number" >&2; exit 2 ;; esac
[ -x "$BIN" ] || { echo "nightly: $BIN not built (make)" >&2; exit 2; }
FIRST=0
if [ -n "$BASELINE" ] && [ ! -e "$BASELINE" ]; then
    if [ "$PROMOTE" -eq 0 ]; then
        echo "nightly: baseline $BASELINE not found (with --promote this night creates it)" >&2
        exit 2
    fi
    FIRST=1
    echo "nightly: $BASELINE does not exist: this night becomes the first baseline" >&2
fi
OUT=${OUT:-reports/nightly-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 2
status=0

for k in $KERNELS; do
    name=$(basename "$k" .cl)
    for pair in "smoke:$SMOKE" "edges:$EDGES" "contract:$CONTRACT"; do
        step=${pair%%:*}
        echo "nightly: $step sweep (${pair#*:}) on $k" >&2
        "$BIN" run -q --batch "${pair#*:}" --kernel "$k" --out "$OUT/$step-$name" \
            --junit "$OUT/$step-$name/junit.xml" "$@" >"$OUT/$step-$name.log" || status=1
        tail -1 "$OUT/$step-$name.log" >&2
    done
done

echo "nightly: $RANDOM_CASES random descriptors on $KERNEL (budget ${RANDOM_BUDGET}s)" >&2
seedopt=
[ -n "$RANDOM_SEED" ] && seedopt="--seed $RANDOM_SEED"
# shellcheck disable=SC2086
"$BIN" run -q --random "$RANDOM_CASES" $seedopt --budget "$RANDOM_BUDGET" --kernel "$KERNEL" "$@" \
    --out "$OUT/random" --junit "$OUT/random/junit.xml" >"$OUT/random.log" || status=1
grep -E '^(random|budget):' "$OUT/random.log" >&2
tail -1 "$OUT/random.log" >&2

i=1
while [ "$i" -le "$SHARDS" ]; do
    echo "nightly: shard $i/$SHARDS of $NIGHTLY" >&2
    # the exit code of a shard is the merge's business
    "$BIN" run -q --batch "$NIGHTLY" --shard "$i/$SHARDS" --out "$OUT/shard-$i" --kernel "$KERNEL" "$@" \
        >"$OUT/shard-$i.log" 2>&1
    i=$((i + 1))
done

echo "nightly: merging $SHARDS shards${BASELINE:+ against $BASELINE}" >&2
set -- report merge
i=1
while [ "$i" -le "$SHARDS" ]; do set -- "$@" "$OUT/shard-$i"; i=$((i + 1)); done
set -- "$@" --out "$OUT/nightly" --junit "$OUT/nightly/junit.xml"
[ -n "$BASELINE" ] && [ "$FIRST" -eq 0 ] && set -- "$@" --baseline "$BASELINE"
"$BIN" "$@" >"$OUT/nightly.log"
night=$?
grep -E '^(REGRESSION|NEW FAILURE|DRIFT|baseline:|summary:)' "$OUT/nightly.log" >&2
# the first night has nothing to be judged against: its failures are what
# later nights call known; only a merge that wrote no results fails it
if [ "$FIRST" -eq 1 ]; then
    [ -s "$OUT/nightly/results.jsonl" ] || status=1
elif [ "$night" -ne 0 ]; then
    status=1
fi

if [ "$PROMOTE" -eq 1 ] && [ -n "$BASELINE" ] && [ "$status" -eq 0 ]; then
    mkdir -p "$(dirname "$BASELINE")" && cp "$OUT/nightly/results.jsonl" "$BASELINE" &&
        echo "nightly: promoted to baseline $BASELINE" >&2
fi
echo "nightly: $( [ $status -eq 0 ] && echo green || echo RED ); report: $OUT/nightly/report.html" >&2
exit $status

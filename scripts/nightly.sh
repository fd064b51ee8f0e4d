#!/bin/sh
# nightly.sh - the nightly flow on one machine, as CI runs it across nodes:
#   1. the smoke sweep (fixtures/sweeps/smoke.batch): every case must pass
#   2. the nightly sweep (fixtures/sweeps/nightly.batch) in N shards
#   3. the shards merged into one results.jsonl, JUnit XML and report, judged
#      against the baseline when one is given: regressions and new failures
#      fail the night, known failures (vllm-xpu's expected ones) and accuracy
#      drift are reported but do not
#   4. with --promote, a night that passed becomes the next baseline
#
# Usage: sh scripts/nightly.sh [-n SHARDS] [-b BASELINE] [-o OUTDIR] [--promote]
#                              [-- RUN-OPTIONS...]   (e.g. -- --kernel k.cl --device nvidia)
# Environment: BIN (build/gptq-harness), SMOKE and NIGHTLY (batch files).
# Writes OUTDIR (default reports/nightly-<UTC time>): smoke/, shard-1..N/,
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
OUT=${OUT:-reports/nightly-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 2
status=0

echo "nightly: smoke sweep ($SMOKE)" >&2
"$BIN" run -q --batch "$SMOKE" --out "$OUT/smoke" --junit "$OUT/smoke/junit.xml" "$@" \
    >"$OUT/smoke.log" || status=1
tail -1 "$OUT/smoke.log" >&2

i=1
while [ "$i" -le "$SHARDS" ]; do
    echo "nightly: shard $i/$SHARDS of $NIGHTLY" >&2
    # the exit code of a shard is the merge's business
    "$BIN" run -q --batch "$NIGHTLY" --shard "$i/$SHARDS" --out "$OUT/shard-$i" "$@" \
        >"$OUT/shard-$i.log" 2>&1
    i=$((i + 1))
done

echo "nightly: merging $SHARDS shards${BASELINE:+ against $BASELINE}" >&2
set -- report merge
i=1
while [ "$i" -le "$SHARDS" ]; do set -- "$@" "$OUT/shard-$i"; i=$((i + 1)); done
set -- "$@" --out "$OUT/nightly" --junit "$OUT/nightly/junit.xml"
[ -n "$BASELINE" ] && set -- "$@" --baseline "$BASELINE"
"$BIN" "$@" >"$OUT/nightly.log"
night=$?
grep -E '^(REGRESSION|NEW FAILURE|DRIFT|baseline:|tests:)' "$OUT/nightly.log" >&2
[ "$night" -eq 0 ] || status=1

if [ "$PROMOTE" -eq 1 ] && [ -n "$BASELINE" ] && [ "$status" -eq 0 ]; then
    mkdir -p "$(dirname "$BASELINE")" && cp "$OUT/nightly/results.jsonl" "$BASELINE" &&
        echo "nightly: promoted to baseline $BASELINE" >&2
fi
echo "nightly: $( [ $status -eq 0 ] && echo green || echo RED ); report: $OUT/nightly/report.html" >&2
exit $status

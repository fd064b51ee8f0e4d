#!/bin/sh
# seeds.sh - false failures of the clean run: reruns sweeps (default the
# default job: smoke, kernel-edges and contract) with seed=1..N written into
# every line (N default 20) and counts the cases that do not pass. A correct
# kernel and adapter must give 0: any failure is a false alarm of the
# comparison (a bound too tight, a generator corner case).
# Usage: sh scripts/seeds.sh [N] [BIN] [BATCH...]
# Environment: KERNEL (a --kernel for the run: a .cl file or plugin:LIB.so).
set -u
N=${1:-20}
BIN=${2:-build/gptq-harness}
[ $# -ge 2 ] && shift 2 || shift $#
[ $# -gt 0 ] || set -- fixtures/sweeps/smoke.batch fixtures/sweeps/kernel-edges.batch \
    fixtures/sweeps/contract.batch
BATCH="$*"
KOPT=
[ -n "${KERNEL-}" ] && KOPT="--kernel $KERNEL"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cases=0
bad=0
seed=1
while [ "$seed" -le "$N" ]; do
    # the job's lines keep their own seeds apart: seed S becomes S * 1000 + seed
    cat "$@" | sed "s/seed=\([0-9][0-9]*\)/seed=\1$(printf %03d "$seed")/g" >"$TMP/seed.batch"
    # shellcheck disable=SC2086
    "$BIN" run -q $KOPT --batch "$TMP/seed.batch" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    line=$(grep '^tests: ' "$TMP/out")
    if [ -z "$line" ]; then
        echo "seed $seed: no summary (exit $rc)"
        cat "$TMP/err"
        exit 2
    fi
    n=$(echo "$line" | awk '{print $2}')
    p=$(echo "$line" | awk '{print $4}')
    s=$(echo "$line" | awk '{print $10}')
    f=$((n - p - s))
    cases=$((cases + n))
    bad=$((bad + f))
    echo "seed $seed: $line"
    [ "$f" -eq 0 ] || grep -A3 '^\(FAILED\|MISTRUSTED\|ERROR\)' "$TMP/out"
    seed=$((seed + 1))
done
echo "seeds 1..$N of $BATCH: $cases cases, $bad false failure(s)"
[ "$bad" -eq 0 ]

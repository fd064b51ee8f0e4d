#!/bin/sh
# seeds.sh - false failures of the clean run: reruns a sweep (default the
# smoke sweep) with seed=1..N written into every line (N default 20) and
# counts the cases that do not pass. A correct kernel and adapter must give
# 0: any failure is a false alarm of the comparison (a bound too tight, a
# generator corner case).
# Usage: sh scripts/seeds.sh [N] [BIN] [BATCH]
set -u
N=${1:-20}
BIN=${2:-build/gptq-harness}
BATCH=${3:-fixtures/sweeps/smoke.batch}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cases=0
bad=0
seed=1
while [ "$seed" -le "$N" ]; do
    sed "s/seed=[0-9][0-9]*/seed=$seed/g" "$BATCH" >"$TMP/seed.batch"
    "$BIN" run -q --batch "$TMP/seed.batch" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    line=$(grep '^summary: ' "$TMP/out")
    if [ -z "$line" ]; then
        echo "seed $seed: no summary (exit $rc)"
        cat "$TMP/err"
        exit 2
    fi
    # summary: total=N passed=P failed=F mistrusted=X skipped=S errors=E exit=C
    field() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    n=$(field total)
    p=$(field passed)
    s=$(field skipped)
    f=$((n - p - s))
    cases=$((cases + n))
    bad=$((bad + f))
    echo "seed $seed: $line"
    [ "$f" -eq 0 ] || grep -A3 '^\(FAILED\|MISTRUSTED\|ERROR\)' "$TMP/out"
    seed=$((seed + 1))
done
echo "seeds 1..$N of $BATCH: $cases cases, $bad false failure(s)"
[ "$bad" -eq 0 ]

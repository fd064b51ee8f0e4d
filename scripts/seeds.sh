#!/bin/sh
# seeds.sh - false failures of the clean run: reruns a sweep (default the
# smoke sweep) with seed=1..N written into every line (N default 20) on
# every correct kernel and counts the cases that do not pass. A correct
# kernel and adapter must give 0: any failure is a false alarm of the
# comparison (a bound too tight, a generator corner case).
# Usage: sh scripts/seeds.sh [N] [BIN] [BATCH] [KERNEL...]
# KERNEL: a --kernel argument; default: the plain kernel, the fast one, the
# CPU plugin (build/plugins/libw4a16_cpu.so) and the correct kernels written
# differently in tests/kernels/correct/ (other work-group shapes, split-K with
# a tree reduction, fma, weights rounded to the activation dtype).
set -u
N=${1:-20}
BIN=${2:-build/gptq-harness}
BATCH=${3:-fixtures/sweeps/smoke.batch}
[ $# -gt 3 ] && shift 3 || set -- kernels/w4a16_gemm.cl kernels/w4a16_gemm_fast.cl \
    plugin:build/plugins/libw4a16_cpu.so tests/kernels/correct/*.cl
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
all_cases=0
all_bad=0
for kernel in "$@"; do
    cases=0
    bad=0
    seed=1
    while [ "$seed" -le "$N" ]; do
        sed "s/seed=[0-9][0-9]*/seed=$seed/g" "$BATCH" >"$TMP/seed.batch"
        "$BIN" run -q --kernel "$kernel" --batch "$TMP/seed.batch" >"$TMP/out" 2>"$TMP/err"
        rc=$?
        line=$(grep '^summary: ' "$TMP/out")
        if [ -z "$line" ]; then
            echo "$kernel, seed $seed: no summary (exit $rc)"
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
        echo "$kernel, seed $seed: $line"
        [ "$f" -eq 0 ] || grep -A3 '^\(FAILED\|MISTRUSTED\|ERROR\)' "$TMP/out"
        seed=$((seed + 1))
    done
    echo "$kernel: seeds 1..$N of $BATCH: $cases cases, $bad false failure(s)"
    all_cases=$((all_cases + cases))
    all_bad=$((all_bad + bad))
done
echo "seeds 1..$N of $BATCH on $# kernel(s): $all_cases cases, $all_bad false failure(s)"
[ "$all_bad" -eq 0 ]

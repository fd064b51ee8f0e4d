#!/bin/sh
# seeds.sh - false failures of the clean run: reruns sweeps (default the
# default job: smoke, kernel-edges, contract and v1-zero) with seed=1..N
# written into every line (N default 20) on every correct kernel and counts
# the cases that do not pass. A correct kernel and adapter must give 0: any
# failure is a false alarm of the comparison (a bound too tight, a generator
# corner case).
# Usage: sh scripts/seeds.sh [N] [BIN] [BATCH...]
# Environment: KERNELS, space-separated --kernel arguments (a .cl file or
# plugin:LIB.so); default: the plain kernel, the fast one, the CPU plugin
# (build/plugins/libw4a16_cpu.so) and the correct kernels written differently
# in tests/kernels/correct/ (other work-group shapes, split-K with a tree
# reduction, fma, weights rounded to the activation dtype).
set -u
N=${1:-20}
BIN=${2:-build/gptq-harness}
[ $# -ge 2 ] && shift 2 || shift $#
[ $# -gt 0 ] || set -- fixtures/sweeps/smoke.batch fixtures/sweeps/kernel-edges.batch \
    fixtures/sweeps/contract.batch fixtures/sweeps/v1-zero.batch
BATCH="$*"
KERNELS=${KERNELS:-}
[ -n "$KERNELS" ] || KERNELS="kernels/w4a16_gemm.cl kernels/w4a16_gemm_fast.cl \
plugin:build/plugins/libw4a16_cpu.so $(ls tests/kernels/correct/*.cl | tr '\n' ' ')"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
seed=1
while [ "$seed" -le "$N" ]; do
    # the job's lines keep their own seeds apart: seed S becomes S * 1000 + seed
    cat "$@" | sed "s/seed=\([0-9][0-9]*\)/seed=\1$(printf %03d "$seed")/g" >"$TMP/seed$seed.batch"
    seed=$((seed + 1))
done
all_cases=0
all_bad=0
for kernel in $KERNELS; do
    cases=0
    bad=0
    seed=1
    while [ "$seed" -le "$N" ]; do
        "$BIN" run -q --out none --kernel "$kernel" --batch "$TMP/seed$seed.batch" >"$TMP/out" 2>"$TMP/err"
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
echo "seeds 1..$N, every kernel: $all_cases cases, $all_bad false failure(s)"
[ "$all_bad" -eq 0 ]

#!/bin/sh
# kernels.sh - every ABI kernel shipped in kernels/, and every correct kernel
# written differently in tests/kernels/correct/ (other work-group shapes,
# split-K with a tree reduction, fma, weights rounded to the activation
# dtype: no false failure allowed), passes the default job: the smoke,
# kernel-edges (group boundaries inside 128-bit chunks, K/8 not a multiple of
# 4, K past a staged tile, single column tiles, many row tiles) and contract
# sweeps (docs/descriptors.md#the-default-job).
# Usage: sh tests/kernels.sh build/gptq-harness
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=kernels
. tests/checklib.sh
for k in kernels/*.cl tests/kernels/correct/*.cl; do
    for batch in fixtures/sweeps/smoke.batch fixtures/sweeps/kernel-edges.batch \
        fixtures/sweeps/contract.batch; do
        out=$("$BIN" run -q --kernel "$k" --batch "$batch" 2>/dev/null)
        rc=$?
        last=$(printf '%s\n' "$out" | tail -n 1)
        if [ $rc -eq 0 ] && printf '%s\n' "$last" | grep -Eq '^summary: total=([0-9]+) passed=\1 failed=0'; then
            pass=$((pass + 1))
            echo "kernels ok:   $k on $batch: $last"
        else
            fail=$((fail + 1))
            echo "kernels FAIL: $k on $batch (exit $rc): $last"
            printf '%s\n' "$out" | head -20
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# gemv_candidates.sh - candidate defaults of the CUDA plugin's gemv kernel
# (M = 1), built here and checked and timed there, side by side.
#   HERE:  sh bench/gemv_candidates.sh build   (needs nvcc; sm_90 only; the
#          Makefile's plugin rule with BUILD=build/gemv/dDmM and CUDA_DEFS)
#          then carry .ocl, build/gptq-harness and build/gemv
#   THERE: sh bench/gemv_candidates.sh run     (after the carry)
# CANDIDATES: "depth:minb ..." (default "2:3 1:3 1:4"; 2:3 is the current
# default, built the same way, so that every figure comes from one run).
# run: for each candidate, the sweeps in $BATCHES (default the default job's
# batches and m1-edges.batch) and the m = 1 bandwidth at $SHAPES (default
# the five decode shapes of docs/performance.md) through scripts/device-cuda.sh;
# then the bandwidth once more for each, in the same order.
# Exit: 0 when every candidate passed every case, else 1.
set -u
cd "$(dirname "$0")/.."
CANDIDATES=${CANDIDATES:-2:3 1:3 1:4}
DIR=build/gemv
lib() { echo "$DIR/d$1m$2/plugins/libw4a16_cuda.so"; } # lib DEPTH MINB: the candidate's plugin
case "${1:-}" in
build)
    rc=0
    for c in $CANDIDATES; do
        d=${c%%:*} m=${c##*:}
        echo "== building $(lib "$d" "$m") (GEMV_DEPTH=$d GEMV_MINB=$m)"
        make --no-print-directory -B BUILD="$DIR/d${d}m${m}" CUDA_ARCH="-gencode arch=compute_90,code=sm_90" \
            CUDA_DEFS="-DGEMV_DEPTH=$d -DGEMV_MINB=$m" "$(lib "$d" "$m")" || rc=1
    done
    exit $rc
    ;;
run)
    export SHAPES="${SHAPES:-4096:4096 11008:4096 4096:11008 14336:14336 28672:8192}"
    B="fixtures/sweeps/smoke.batch fixtures/sweeps/kernel-edges.batch fixtures/sweeps/contract.batch"
    B="$B fixtures/sweeps/v1-zero.batch fixtures/sweeps/m1-edges.batch"
    BATCHES=${BATCHES:-$B}
    rc=0
    for round in sweeps timing; do
        for c in $CANDIDATES; do
            d=${c%%:*} m=${c##*:}
            so=$(lib "$d" "$m")
            echo "== $round: GEMV_DEPTH=$d GEMV_MINB=$m ($so)"
            if [ ! -f "$so" ]; then
                echo "gemv_candidates: $so missing; run 'sh bench/gemv_candidates.sh build' here and carry build/gemv" >&2
                exit 1
            fi
            b=$BATCHES
            [ "$round" = timing ] && b=none
            if ! PLUGIN=$so BATCHES=$b MS=1 REPS=${REPS:-20} DATA=exact \
                sh scripts/device-cuda.sh >"$DIR/last.log" 2>&1; then
                rc=1
                echo "gemv_candidates: GEMV_DEPTH=$d GEMV_MINB=$m did not pass every case"
            fi
            grep -E '^(bandwidth|summary|FAILED|ERROR|MISTRUSTED)' "$DIR/last.log" || cat "$DIR/last.log"
        done
    done
    exit $rc
    ;;
*)
    echo "usage: sh bench/gemv_candidates.sh build|run (see the comment at the top)" >&2
    exit 2
    ;;
esac

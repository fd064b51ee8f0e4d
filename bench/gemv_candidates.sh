#!/bin/sh
# gemv_candidates.sh - candidate defaults of the CUDA plugin's gemv kernel
# (M = 1), built here and checked and timed there, side by side.
#   HERE:  sh bench/gemv_candidates.sh build   (needs nvcc; sm_90 only; the
#          Makefile's plugin rule with BUILD=build/gemv/<name> and CUDA_DEFS)
#          then carry .ocl, build/gptq-harness and build/gemv
#   THERE: sh bench/gemv_candidates.sh run     (after the carry)
# CANDIDATES: "depth:minb[:DEF=V,DEF=V] ..." (default "1:4 2:3 1:3"; 1:4 is
# the current default, built the same way, so that every figure comes from
# one run; the optional third field adds -D flags, e.g. 1:4:GEMV_LOAD_HINT=0).
# run: for each candidate, the sweeps in $BATCHES (default the default job's
# batches and m1-edges.batch; "none": no sweeps) and the m = 1 bandwidth at
# $SHAPES (default the five decode shapes of docs/performance.md) through
# scripts/device-cuda.sh; then the bandwidth once more for each, in the same
# order. SWEEP (default: every candidate) names the candidates that get the
# sweeps; the others are only timed.
# Exit: 0 when every swept candidate passed every case, else 1.
set -u
cd "$(dirname "$0")/.."
CANDIDATES=${CANDIDATES:-1:4 2:3 1:3}
SWEEP=${SWEEP:-$CANDIDATES}
DIR=build/gemv
# name CANDIDATE: its build folder under $DIR (d<depth>m<minb>[-DEF_V...]: no = in a make target)
name() {
    d=$(echo "$1" | cut -d: -f1) m=$(echo "$1" | cut -d: -f2) x=$(echo "$1" | cut -s -d: -f3)
    echo "d${d}m${m}${x:+-$(echo "$x" | tr ',=' '-_')}"
}
lib() { echo "$DIR/$(name "$1")/plugins/libw4a16_cuda.so"; } # the candidate's plugin
case "${1:-}" in
build)
    rc=0
    for c in $CANDIDATES; do
        d=$(echo "$c" | cut -d: -f1) m=$(echo "$c" | cut -d: -f2) x=$(echo "$c" | cut -s -d: -f3)
        defs="-DGEMV_DEPTH=$d -DGEMV_MINB=$m"
        for e in $(echo "$x" | tr ',' ' '); do defs="$defs -D$e"; done
        echo "== building $(lib "$c") ($defs)"
        make --no-print-directory -B BUILD="$DIR/$(name "$c")" CUDA_ARCH="-gencode arch=compute_90,code=sm_90" \
            CUDA_DEFS="$defs" "$(lib "$c")" || rc=1
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
            so=$(lib "$c")
            if [ ! -f "$so" ]; then
                echo "gemv_candidates: $so missing; run 'sh bench/gemv_candidates.sh build' here and carry build/gemv" >&2
                exit 1
            fi
            b=$BATCHES
            [ "$round" = timing ] && b=none
            case " $SWEEP " in *" $c "*) ;; *) b=none ;; esac
            echo "== $round: $c ($so)"
            if ! PLUGIN=$so BATCHES=$b MS=1 REPS=${REPS:-20} DATA=exact \
                sh scripts/device-cuda.sh >"$DIR/last.log" 2>&1; then
                rc=1
                echo "gemv_candidates: $c did not pass every case"
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

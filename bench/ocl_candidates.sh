#!/bin/sh
# ocl_candidates.sh - candidate build-time settings of the tuned OpenCL
# kernel (kernels/w4a16_gemm_fast.cl), checked and timed side by side in one
# run on the GPU machine. Nothing is built here: each candidate is the kernel
# with #define lines in front (its settings are #ifndef-guarded), written to
# build/oclcand/<name>.cl where the command runs.
#   THERE: sh bench/ocl_candidates.sh        (after scripts/device-prepare.sh
#          here and a carry of .ocl and build/gptq-harness)
#   HERE:  DEVICE=0:0 SHAPES=512:1024 RUNS=3 BATCHES=fixtures/sweeps/m1-edges.batch
#          sh bench/ocl_candidates.sh        (a quick check of the script, PoCL)
# CANDIDATES: "name:DEF=V,DEF=V ..." (default "default: gv1:W4_GV_DEPTH=1
# gv4:W4_GV_DEPTH=4 plain:W4_NV_LDHINT=0"; "default:" is the kernel as it is).
# For each candidate: the sweeps in $BATCHES (default the default job's
# batches and m1-edges.batch; none: no sweeps), then perf mode (--perf-runs
# $RUNS, default 50) at m = 1, g = 128, asymmetric, f16, data=exact over $SHAPES (n:k, default
# the five decode shapes of docs/performance.md); the perf lines of every
# candidate are printed again at the end, in the same order.
# Registers: where build/ocl-buildlog ($OCL_BUILDLOG) exists, each candidate's program binary
# (f16, asymmetric, no act-order, no bias) goes to build/oclcand/<name>.bin;
# where that is PTX (NVIDIA's OpenCL) and a ptxas is found ($PTXAS, PATH,
# /usr/local/cuda/bin or Triton's copy), the closing table gets a line
# "<name>: registers N, spills ..." from `ptxas -arch=$SM -v` (SM default
# sm_90). OpenCL has no query for a kernel's registers, and they set how
# many work-groups share an SM.
# Exit: 0 when every candidate passed every case, else 1.
set -u
cd "$(dirname "$0")/.." || exit 1
CANDIDATES=${CANDIDATES:-default: gv1:W4_GV_DEPTH=1 gv4:W4_GV_DEPTH=4 plain:W4_NV_LDHINT=0}
SHAPES=${SHAPES:-4096:4096 11008:4096 4096:11008 14336:14336 28672:8192}
B="fixtures/sweeps/smoke.batch fixtures/sweeps/kernel-edges.batch fixtures/sweeps/contract.batch"
B="$B fixtures/sweeps/v1-zero.batch fixtures/sweeps/m1-edges.batch"
BATCHES=${BATCHES:-$B}
RUNS=${RUNS:-50}
DIR=build/oclcand
SRC=kernels/w4a16_gemm_fast.cl
if [ "${1:-}" != "" ]; then
    echo "usage: sh bench/ocl_candidates.sh (settings by environment; see the comment at the top)" >&2
    exit 2
fi
. bench/harness_cmd.sh # harness: the run on the GPU machine or straight to build/ (DEVICE)
. bench/ptxas_find.sh # ptxas_bin
# regs NAME KERNEL: the candidate's register line, or why there is none
regs() {
    tool=${OCL_BUILDLOG:-build/ocl-buildlog} bin="$DIR/$1.bin"
    if [ ! -x "$tool" ]; then
        echo "$1: registers not read (no $tool; make $tool)"
        return
    fi
    if ! "$tool" "$2" "-DW4_BF16=0 -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0" "$bin" >"$DIR/$1.build.log" 2>&1; then
        echo "$1: registers not read (the build failed; log: $DIR/$1.build.log)"
        return
    fi
    if ! grep -q '^\.version' "$bin" 2>/dev/null; then
        echo "$1: registers not read (the program binary is not PTX)"
        return
    fi
    px=$(ptxas_bin)
    if [ -z "$px" ]; then
        echo "$1: registers not read (no ptxas; set PTXAS)"
        return
    fi
    # NVIDIA's binary ends in NUL bytes, which ptxas reads as an unexpected EOF
    tr -d '\000' <"$bin" >"$DIR/$1.ptx" || return
    "$px" -arch="${SM:-sm_90}" -v "$DIR/$1.ptx" -o "$DIR/$1.cubin" >"$DIR/$1.ptxas.log" 2>&1
    # a ptxas older than the driver (Triton's copy) refuses the PTX's .version:
    # once more with the .version it names (the count is then that ptxas's)
    lowered=""
    v=$(sed -n "s/.*Unsupported \.version [0-9.]*; current version is '\([0-9.]*\)'.*/\1/p" \
        "$DIR/$1.ptxas.log" | head -1)
    if [ -n "$v" ]; then
        sed "s/^\.version .*/.version $v/" "$DIR/$1.ptx" >"$DIR/$1.v.ptx" &&
            "$px" -arch="${SM:-sm_90}" -v "$DIR/$1.v.ptx" -o "$DIR/$1.cubin" >"$DIR/$1.ptxas.log" 2>&1
        lowered=", PTX .version lowered to $v for this ptxas"
    fi
    r=$(grep -o 'Used [0-9]* registers' "$DIR/$1.ptxas.log" | head -1 | grep -o '[0-9]*')
    sp=$(grep -oE '[0-9]+ bytes spill stores, [0-9]+ bytes spill loads' "$DIR/$1.ptxas.log" | head -1)
    if [ -z "$r" ]; then
        echo "$1: registers not read (ptxas said: $(head -3 "$DIR/$1.ptxas.log" | tr '\n' ' '))"
    else
        echo "$1: registers $r, ${sp:-spills not reported} (ptxas -arch=${SM:-sm_90}$lowered)"
    fi
}
mkdir -p "$DIR" || exit 1
descs=""
seed=1
for s in $SHAPES; do
    descs="$descs m=1:n=${s%%:*}:k=${s##*:}:g=128:zp=asym:data=exact:seed=$seed"
    seed=$((seed + 1))
done
rc=0
for c in $CANDIDATES; do
    name=${c%%:*} defs=${c#*:}
    k="$DIR/$name.cl"
    {
        echo "/* candidate $name: $defs */"
        for d in $(echo "$defs" | tr ',' ' '); do echo "#define ${d%%=*} ${d#*=}"; done
        cat "$SRC"
    } >"$k" || exit 1
    if [ "$BATCHES" != none ]; then
        echo "== $name ($defs): sweeps"
        args=""
        for b in $BATCHES; do args="$args --batch $b"; done
        # shellcheck disable=SC2086 # word splitting of the batch list is meant
        if ! harness -q --kernel "$k" $args >"$DIR/$name.sweep.log" 2>&1; then
            rc=1
            echo "ocl_candidates: $name did not pass every case (log: $DIR/$name.sweep.log)"
        fi
        grep -E '^(summary|FAILED|ERROR|MISTRUSTED)' "$DIR/$name.sweep.log" | head -20
    fi
    echo "== $name: perf"
    # shellcheck disable=SC2086 # one descriptor per word, ':' standing for ' '
    set -- $descs
    n=0
    : >"$DIR/$name.perf"
    for d in "$@"; do
        n=$((n + 1))
        d=$(echo "$d" | tr ':' ' ')
        log="$DIR/$name.perf$n.log"
        harness --mode perf --perf-runs "$RUNS" --kernel "$k" "$d" >"$log" 2>&1 || rc=1
        shape=$(echo "$d" | grep -oE 'n=[0-9]+ k=[0-9]+')
        grep -E 'perf: median|perf ceiling|^(FAILED|ERROR)' "$log" | sed "s/^ */$name $shape: /" >>"$DIR/$name.perf"
    done
    regs "$name" "$k" >"$DIR/$name.regs"
    cat "$DIR/$name.perf" "$DIR/$name.regs"
done
echo "== all candidates, perf"
for c in $CANDIDATES; do cat "$DIR/${c%%:*}.perf"; done
for c in $CANDIDATES; do cat "$DIR/${c%%:*}.regs"; done
exit $rc

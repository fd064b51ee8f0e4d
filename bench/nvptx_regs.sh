#!/bin/sh
# nvptx_regs.sh - an estimate, without a GPU, of the registers and spills of
# the tuned OpenCL kernel (kernels/w4a16_gemm_fast.cl) on an sm_90 GPU: clang
# compiles it for nvptx as NVIDIA's OpenCL would see it (cl_nv_pragma_unroll,
# the tensor-core paths on; bench/nvptx_builtins.h stands in for OpenCL's
# builtins), ptxas -v allocates registers. The counts set how many 256-lane
# work-groups share an SM (65536 registers: <= 64 four, <= 80 three, <= 128
# two). On the GPU machine bench/ocl_candidates.sh reads the same from
# NVIDIA's own PTX, which is the measurement; this is a guide between calls.
#   sh bench/nvptx_regs.sh [NAME:DEF=V,DEF=V ...]   (default "default:")
# Each argument: a name and the #defines in front of the kernel, as in
# bench/ocl_candidates.sh. Option set: f16, asymmetric, no act-order, no bias.
# Needs clang (15 or later, with the nvptx target) and ptxas ($PTXAS, PATH,
# /usr/local/cuda/bin or Triton's copy: bench/ptxas_find.sh). Exit: 0 every candidate counted, 1 one was not, 2 no
# clang or ptxas.
set -u
cd "$(dirname "$0")/.." || exit 1
CLANG=$(command -v clang-15 || command -v clang || true)
. bench/ptxas_find.sh # ptxas_bin
PX=$(ptxas_bin)
if [ -z "$CLANG" ] || [ -z "$PX" ]; then
    echo "nvptx_regs: needs clang with the nvptx target and ptxas (set PTXAS)" >&2
    exit 2
fi
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
[ $# -gt 0 ] || set -- default:
rc=0
for c in "$@"; do
    name=${c%%:*} defs=${c#*:}
    {
        for d in $(echo "$defs" | tr ',' ' '); do echo "#define ${d%%=*} ${d#*=}"; done
        cat kernels/w4a16_gemm_fast.cl
    } >"$TMP/k.cl" || exit 1
    if ! "$CLANG" -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header \
        -Xclang -cl-ext=+cl_khr_fp16 -include bench/nvptx_builtins.h -Xclang -target-cpu -Xclang sm_80 -O2 -S \
        -o "$TMP/k.ptx" -Dcl_nv_pragma_unroll=1 -DW4_BF16=0 -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0 \
        "$TMP/k.cl" 2>"$TMP/err"; then
        echo "$name: did not compile: $(grep -m1 error "$TMP/err")"
        rc=1
        continue
    fi
    "$PX" -arch=sm_90 -v "$TMP/k.ptx" -o "$TMP/k.cubin" >"$TMP/px" 2>&1
    r=$(grep -o 'Used [0-9]* registers' "$TMP/px" | head -1 | grep -o '[0-9]*')
    sp=$(grep -oE '[0-9]+ bytes spill stores, [0-9]+ bytes spill loads' "$TMP/px" | head -1)
    if [ -z "$r" ]; then
        echo "$name: ptxas gave no count: $(head -2 "$TMP/px" | tr '\n' ' ')"
        rc=1
    else
        echo "$name: registers $r, ${sp:-spills not reported} (estimate: clang nvptx, ptxas sm_90)"
    fi
done
exit $rc

#!/bin/sh
# cuda_tune.sh - run THERE (the GPU machine), from the checkout root, after
# scripts/device-prepare.sh ran here and .ocl + build/ were carried along:
# the CUDA plugin's mma kernel at each of its settings, side by side in one
# run. With W4A16_CUDA_TUNE set, the plugin times every setting (column tiles
# per warp, slabs in flight, register bound, warps per block) on each case
# before its own run and prints one "w4a16_cuda tune:" line each; then the
# decode kernel (W4A16_CUDA_MMA=0) at the same shapes, for reference.
#   SHAPES  n:k pairs (default the five decode shapes of docs/performance.md)
#   MS      batch sizes (default "1 16"; the tuning covers m <= 16)
#   REPS    timed launches per setting (default 20)
#   DATA    data mode (default exact: quicker to make than real data)
set -u
cd "$(dirname "$0")/.."
export SHAPES="${SHAPES:-4096:4096 11008:4096 4096:11008 14336:14336 28672:8192}"
export MS="${MS:-1 16}" BATCHES=none REPS="${REPS:-20}" DATA="${DATA:-exact}"
echo "== mma kernel, every setting (W4A16_CUDA_TUNE=1)"
W4A16_CUDA_TUNE=1 sh scripts/device-cuda.sh 2>&1 | grep -E '^(w4a16_cuda tune|bandwidth|summary|FAILED|ERROR)'
echo "== decode kernel (W4A16_CUDA_MMA=0)"
MS=1 W4A16_CUDA_MMA=0 sh scripts/device-cuda.sh 2>&1 | grep -E '^(bandwidth|summary|FAILED|ERROR)'

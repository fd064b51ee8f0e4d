# harness_cmd.sh - sourced by bench/ocl_candidates.sh and bench/gpu_compare.sh:
# harness ARGS... runs `gptq-harness run ARGS...` on the OpenCL device the
# scripts time: through scripts/device-run.sh on the GPU machine (where
# nvidia-smi is; it registers NVIDIA's driver and picks it), straight from
# build/ elsewhere, on the device $DEVICE names (default NVIDIA).
harness() {
    if command -v nvidia-smi >/dev/null 2>&1; then
        sh scripts/device-run.sh "$@"
    else
        ./build/gptq-harness run --device "${DEVICE:-NVIDIA}" "$@"
    fi
}

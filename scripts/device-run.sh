#!/bin/sh
# device-run.sh - run THERE (the GPU machine), from the checkout root, after
# scripts/device-prepare.sh ran here and .ocl + build/ were carried along.
# Unpacks the ICD loader (dpkg -x, not installed), registers NVIDIA's OpenCL
# driver as an ICD vendor, lists the devices and runs the harness on the
# first device whose name contains $DEVICE (default "NVIDIA").
# Arguments are passed to `gptq-harness run`; without a --batch or a
# descriptor the smoke sweep is added (so `-q` alone runs it quietly).
set -eu
cd "$(dirname "$0")/.."
. scripts/device-env.sh
mkdir -p /etc/OpenCL/vendors
[ -f /etc/OpenCL/vendors/nvidia.icd ] || echo libnvidia-opencl.so.1 >/etc/OpenCL/vendors/nvidia.icd
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
./build/gptq-harness devices
DEVICE=${DEVICE:-NVIDIA}
# no --batch and no descriptor (a word with '='): the smoke sweep
cases=0
for a in "$@"; do
    case "$a" in --batch | --batch=*) cases=1 ;; --*) ;; *=*) cases=1 ;; esac
done
if [ "$cases" -eq 0 ]; then set -- "$@" --batch fixtures/sweeps/smoke.batch; fi
exec ./build/gptq-harness run --device "$DEVICE" "$@"

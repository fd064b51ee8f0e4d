#!/bin/sh
# device-prepare.sh - run HERE (the development machine) before a GPU run.
# docs/gpu.md: the GPU machine has NVIDIA's OpenCL driver but no ICD loader
# and no package registry. This downloads the Debian packages it lacks into
# .ocl/ (git-ignored) and builds the harness, so that a device call can carry
# .ocl and build/ (carry: [".ocl", "build"]) and run scripts/device-run.sh.
set -eu
cd "$(dirname "$0")/.."
mkdir -p .ocl
(cd .ocl && rm -f ./*.deb &&
    apt-get download ocl-icd-libopencl1 ocl-icd-opencl-dev opencl-c-headers libcjson1 >/dev/null)
make --no-print-directory build/gptq-harness plugins plugins-cuda
ls -l .ocl build/gptq-harness build/plugins
echo "device-prepare: ready; carry .ocl and build, then run: sh scripts/device-run.sh [run args]"
echo "device-prepare: for the CUDA plugin: sh scripts/device-cuda.sh"

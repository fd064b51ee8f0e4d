#!/bin/sh
# Installs the Debian packages gptq-harness needs (DESIGN §9).
# Run as root; when not root, prints the exact command to run and exits 1.
#   --bench  also the benchmark-only packages (OpenBLAS, for `make bench`)
set -eu
PKGS="build-essential pkg-config ocl-icd-opencl-dev opencl-c-headers pocl-opencl-icd clinfo \
libcunit1-dev zlib1g-dev gnuplot-nox libcjson-dev libxml2-utils"
BENCH_PKGS="libopenblas-dev"
case "${1-}" in
--bench) PKGS="$PKGS $BENCH_PKGS" ;;
"") ;;
*)
    echo "usage: install-deps.sh [--bench]" >&2
    exit 2
    ;;
esac
CMD="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS"
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: not root; run as root:" >&2
    echo "  sudo sh -c '$CMD'" >&2
    exit 1
fi
echo "install-deps: installing: $PKGS" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS

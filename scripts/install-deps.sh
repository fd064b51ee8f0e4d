#!/bin/sh
# Installs the Debian packages gptq-harness needs (docs/layout.md).
#   sh scripts/install-deps.sh           what `make run` and `make test` need
#   sh scripts/install-deps.sh --fuzz    also clang's libFuzzer runtime (`make fuzz`)
#   sh scripts/install-deps.sh --bench   also OpenBLAS, for the benchmark (`make bench`)
# Run as root; when not root, prints the exact command to run and exits 1.

set -eu
PKGS="build-essential pkg-config ocl-icd-opencl-dev opencl-c-headers pocl-opencl-icd clinfo \
libcunit1-dev zlib1g-dev gnuplot-nox libcjson-dev libxml2-utils python3-numpy python3-yaml"
for arg in "$@"; do
    case "$arg" in
    --fuzz) PKGS="$PKGS clang libclang-rt-dev" ;;
    --bench) PKGS="$PKGS libopenblas-dev" ;;
    *)
        echo "install-deps: unknown option '$arg' (known: --fuzz, --bench)" >&2
        exit 2
        ;;
    esac
done
CMD="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS"
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: not root; run as root:" >&2
    echo "  sudo sh -c '$CMD'" >&2
    exit 1
fi
echo "install-deps: installing: $PKGS" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS

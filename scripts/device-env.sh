# device-env.sh - sourced (not run) by the device scripts, THERE (the GPU
# machine), from the checkout root: unpacks the carried .ocl/*.deb (ICD
# loader, libcjson; see scripts/device-prepare.sh) with dpkg -x, not
# installed, and puts their libraries on LD_LIBRARY_PATH so that
# build/gptq-harness starts there. Sets OCL_ROOT.
if ! ls .ocl/*.deb >/dev/null 2>&1; then
    echo "device-env: no .ocl/*.deb here; run scripts/device-prepare.sh first and carry .ocl" >&2
    exit 1
fi
OCL_ROOT=$PWD/.ocl/root
mkdir -p "$OCL_ROOT"
for deb in .ocl/*.deb; do dpkg -x "$deb" "$OCL_ROOT"; done
export LD_LIBRARY_PATH="$OCL_ROOT/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

#!/bin/sh
# gpu_compare.sh - run THERE (the GPU machine, after scripts/device-prepare.sh
# here and a carry of .ocl, build/gptq-harness and build/plugins/libw4a16_cuda.so):
# the tuned OpenCL kernel, PyTorch's tinygemm and the CUDA plugin at m = 1,
# g = 128, asymmetric, f16, data=exact, side by side in one run, and one table
# of the three (docs/performance.md, "eleventh look", says how each is timed).
#  1. The tuned kernel (kernels/w4a16_gemm_fast.cl) in perf mode, --perf-runs
#     $RUNS (default 30), every shape in one harness run: median GB/s of
#     single launches, the read-only ceiling next to it, the empty launch.
#  2. bench/tinygemm_bw.py --m 1 at the same shapes: single launches after a
#     read flush, the copy peak, CUDA's empty launch.
#  3. The CUDA plugin (scripts/device-cuda.sh, read flush), where
#     build/plugins/libw4a16_cuda.so and nvidia-smi are there.
# SHAPES: n:k pairs (default the five decode shapes of docs/performance.md).
# The table (markdown) goes to stdout and $DIR/compare.md, the same figures as
# JSON to $DIR/compare.json (DIR default build/gpucompare). A step that fails
# leaves its columns empty ("-") and says why; the others still run.
#   HERE:  DEVICE=0:0 SHAPES=256:512 RUNS=3 PYTHONPATH=tests/stand-ins sh bench/gpu_compare.sh
#          (a check of the script: PoCL, the stand-in torch of tests/perf.sh)
# Exit: 0 when every OpenCL case passed and was timed and tinygemm gave a
# figure at every shape, else 1. The plugin is optional: without a GPU or
# the plugin its columns stay "-" and a line says why.
set -u
cd "$(dirname "$0")/.." || exit 1
SHAPES=${SHAPES:-4096:4096 11008:4096 4096:11008 14336:14336 28672:8192}
RUNS=${RUNS:-30}
DIR=${DIR:-build/gpucompare}
PLUGIN=build/plugins/libw4a16_cuda.so
if [ "${1:-}" != "" ]; then
    echo "usage: sh bench/gpu_compare.sh (settings by environment; see the comment at the top)" >&2
    exit 2
fi
mkdir -p "$DIR" || exit 1
rm -rf "$DIR/ocl" "$DIR/ocl.log" "$DIR/tinygemm.log" "$DIR/cuda.log" "$DIR/compare.md" "$DIR/compare.json"
. bench/harness_cmd.sh # harness: the run on the GPU machine or straight to build/ (DEVICE)
rc=0
set --
seed=1
for s in $SHAPES; do
    set -- "$@" "m=1 n=${s%%:*} k=${s##*:} g=128 zp=asym data=exact seed=$seed"
    seed=$((seed + 1))
done
echo "== the tuned OpenCL kernel, perf mode"
harness -q --out "$DIR/ocl" --mode perf --perf-runs "$RUNS" --kernel kernels/w4a16_gemm_fast.cl \
    "$@" >"$DIR/ocl.log" 2>&1 || rc=1
grep -E '^(summary|FAILED|ERROR|MISTRUSTED)' "$DIR/ocl.log"
echo "== tinygemm (bench/tinygemm_bw.py)"
tshapes=$(echo "$SHAPES" | tr ' ' ',')
python3 bench/tinygemm_bw.py --m 1 --shapes "$tshapes" >"$DIR/tinygemm.log" 2>&1 || rc=1
grep -E '^(device|copy peak|empty launch)' "$DIR/tinygemm.log"
echo "== the CUDA plugin (scripts/device-cuda.sh)"
if command -v nvidia-smi >/dev/null 2>&1 && [ -f "$PLUGIN" ]; then
    W4A16_CUDA_FLUSH=read BATCHES=none SHAPES="$SHAPES" DATA=exact sh scripts/device-cuda.sh \
        >"$DIR/cuda.log" 2>&1 || rc=1
    grep -E '^summary' "$DIR/cuda.log"
else
    echo "not run: needs nvidia-smi and $PLUGIN" | tee "$DIR/cuda.log"
fi
python3 - "$DIR" "$SHAPES" <<'PY' || rc=1
import json, os, re, sys
d, shapes = sys.argv[1], [tuple(int(v) for v in s.split(":")) for s in sys.argv[2].split()]
def text(name):
    try:
        return open(os.path.join(d, name)).read()
    except OSError:
        return ""
rows = {s: {} for s in shapes}
peaks = {}
try:
    lines = [json.loads(l) for l in open(os.path.join(d, "ocl", "perf.jsonl"))]
except (OSError, ValueError):
    lines = []
    print("gpu_compare: no perf.jsonl from the OpenCL run (see %s/ocl.log)" % d)
for o in lines:
    if o.get("kind") == "peaks":
        peaks["ocl_empty_us"] = o.get("empty_launch_us")
        peaks["ocl_copy_gbs"] = o.get("copy_gbs")
    elif o.get("kind") == "case" and o.get("timed"):
        m = re.search(r"\bn=(\d+) k=(\d+)", o["descriptor"])
        s = (int(m.group(1)), int(m.group(2))) if m else None
        if s in rows:
            rows[s]["ocl_gbs"] = o["gbs"]
            rows[s]["ocl_us"] = o["median_us"]
            if "read_only_us" in o:
                rows[s]["ceiling_share"] = o["read_only_share"]  # read-only time / this one
tg = text("tinygemm.log")
m = re.search(r"^copy peak: (\d+) GB/s", tg, re.M)
if m:
    peaks["copy_gbs"] = float(m.group(1))
m = re.search(r"^empty launch: single ([\d.]+) ms", tg, re.M)
if m:
    peaks["cuda_empty_us"] = float(m.group(1)) * 1e3
for m in re.finditer(r"^tinygemm: m=1 n=(\d+) k=(\d+) .*?  single ([\d.]+) ms (\d+) GB/s", tg, re.M):
    s = (int(m.group(1)), int(m.group(2)))
    if s in rows:
        rows[s]["tinygemm_gbs"] = float(m.group(4))
        rows[s]["tinygemm_us"] = float(m.group(3)) * 1e3
for m in re.finditer(r"^bandwidth: PASSED m=1 n=(\d+)\s+k=(\d+) .* ([\d.]+) GB/s", text("cuda.log"), re.M):
    s = (int(m.group(1)), int(m.group(2)))
    if s in rows:
        rows[s]["plugin_gbs"] = float(m.group(3))
def f(v, fmt):
    return fmt % v if v is not None else "-"
def gbs(v):  # whole GB/s on a GPU; three digits for the small figures of a CPU check
    return "-" if v is None else "%.0f" % v if v >= 100 else "%.3g" % v
out = ["| (n, k) | OpenCL GB/s | share of read-only ceiling | tinygemm single GB/s | OpenCL / tinygemm "
       "| CUDA plugin GB/s | plugin share of copy peak |", "|---|---|---|---|---|---|---|"]
for s in shapes:
    r = rows[s]
    ratio = r["ocl_gbs"] / r["tinygemm_gbs"] if "ocl_gbs" in r and "tinygemm_gbs" in r else None
    pshare = r["plugin_gbs"] / peaks["copy_gbs"] if "plugin_gbs" in r and "copy_gbs" in peaks else None
    out.append("| (%d, %d) | %s | %s | %s | %s | %s | %s |" % (
        s[0], s[1], gbs(r.get("ocl_gbs")),
        f(r["ceiling_share"] * 100 if "ceiling_share" in r else None, "%.0f%%"),
        gbs(r.get("tinygemm_gbs")), f(ratio, "%.2f"), gbs(r.get("plugin_gbs")),
        f(pshare * 100 if pshare is not None else None, "%.0f%%")))
out.append("")
out.append("copy peak (torch) %s GB/s; empty launch: OpenCL %s us, CUDA %s us" % (
    f(peaks.get("copy_gbs"), "%.0f"), f(peaks.get("ocl_empty_us"), "%.2f"),
    f(peaks.get("cuda_empty_us"), "%.2f")))
print("\n".join(out))
open(os.path.join(d, "compare.md"), "w").write("\n".join(out) + "\n")
json.dump({"peaks": peaks, "shapes": [dict(n=s[0], k=s[1], **rows[s]) for s in shapes]},
          open(os.path.join(d, "compare.json"), "w"), indent=1)
sys.exit(0 if all("ocl_gbs" in rows[s] and "tinygemm_gbs" in rows[s] for s in shapes) else 1)
PY
exit $rc

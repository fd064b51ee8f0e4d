#!/bin/sh
# perf.sh - `run --mode perf` on the default OpenCL device (PoCL in CI): the
# console lines, perf.jsonl (peaks line, one line per case, the bytes of a
# launch computed from the shapes), untimed cases, and refusals. Timings
# themselves are not judged here (machines are noisy): only that they exist,
# are positive and consistent. Usage: sh tests/perf.sh build/gptq-harness [build/plugins]
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=perf
. tests/checklib.sh

# m=1 n=256 k=1024 g=32 symmetric, f16: a 2048 + b 131072 + scales 16384
# + out 512 bytes (the zero-point and perm dummies are not read) = 150016.
# A zp=asym act-order case adds zeros 32*256/2 = 4096 and perm 4096: 158208.
# The third case cannot run its fault (SKIPPED): not timed.
"$BIN" run --mode perf --perf-runs 4 --out "$TMP/p1" \
    'm=1 n=256 k=1024 g=32 zp=sym seed=3' \
    'm=1 n=256 k=1024 g=32 zp=asym gidx=act seed=3' \
    'm=2 n=64 k=64 g=32 zp=sym fault=zeros-transposed seed=1' >"$TMP/p1.out" 2>"$TMP/p1.err"
rc=$?
check "perf: exit 0 (passed and skipped cases)" [ "$rc" -eq 0 ]
check "perf: peaks line with copy, fma and the empty launch" \
    grep -Eq '^peaks: copy [0-9.]+ GB/s, fma [0-9.]+ GFLOP/s; empty launch [0-9.]+ us one at a time, [0-9.]+ us back to back' "$TMP/p1.out"
check "perf: one-at-a-time line per timed case" \
    [ "$(grep -Ec '^    perf: median [0-9.]+ us \(min [0-9.]+, max [0-9.]+; 4 runs over [0-9]+ input sets\) [0-9.]+ GB/s' "$TMP/p1.out")" -eq 2 ]
check "perf: back-to-back line per timed case (3 batches of 50)" \
    [ "$(grep -Ec '^    perf back to back: [0-9.]+ us per launch \(median of 3 batches of 50\)' "$TMP/p1.out")" -eq 2 ]
check "perf: ceiling line per timed case" \
    [ "$(grep -Ec '^    perf ceiling: a read-only kernel over the same 0[.]15(8)? MB takes [0-9.]+ us' "$TMP/p1.out")" -eq 2 ]
check "perf: the skipped case says it was not timed" \
    grep -q '^    perf: not timed: the kernel did not run' "$TMP/p1.out"
check "perf: perf.jsonl is valid and complete" python3 - "$TMP/p1/perf.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 4, lines
pk = lines[0]
assert pk["kind"] == "peaks" and pk["copy_gbs"] > 0 and pk["fma_gflops"] > 0, pk
assert pk["empty_launch_us"] > 0 and pk["empty_launch_back_to_back_us"] > 0, pk
want = {0: 150016, 1: 158208}
for c in lines[1:3]:
    assert c["kind"] == "case" and c["timed"] is True, c
    assert c["bytes"] == want[c["index"]], c
    assert c["flops"] == 2 * 256 * 1024 and c["runs"] == 4, c
    assert c["back_to_back_launches"] == 150 and c["input_sets"] >= 2, c
    assert 0 < c["min_us"] <= c["median_us"] <= c["max_us"], c
    assert abs(c["gbs"] - c["bytes"] / (c["median_us"] * 1e-6) / 1e9) < 1e-6 * c["gbs"], c
    assert abs(c["copy_share"] - c["gbs"] / pk["copy_gbs"]) < 1e-9, c
    assert c["back_to_back_us"] > 0 and c["read_only_us"] > 0, c
    assert abs(c["read_only_share"] - c["read_only_us"] / c["median_us"]) < 1e-9, c
    assert "m=1 n=256 k=1024 g=32" in c["descriptor"], c
sk = lines[3]
assert sk["index"] == 2 and sk["timed"] is False and "did not run" in sk["reason"], sk
PY

# A kernel that does not build: ERROR verdict, exit 1, the case not timed.
"$BIN" run --mode perf --perf-runs 2 --out "$TMP/p2" --kernel tests/kernels/does_not_compile.cl \
    'm=1 n=64 k=64 g=32 seed=1' >"$TMP/p2.out" 2>&1
rc=$?
check "perf: a kernel that does not build: exit 1" [ "$rc" -eq 1 ]
check "perf: ... ERROR, not timed" sh -c "grep -q '^ERROR' '$TMP/p2.out' && grep -q '\"timed\":false' '$TMP/p2/perf.jsonl'"

# Plugins time themselves: perf mode refuses them with a clear message.
PLUGIN_DIR=${2:-build/plugins}
"$BIN" run --mode perf --kernel "plugin:$PLUGIN_DIR/libw4a16_cpu.so" 'm=1 n=64 k=64 g=32' \
    >"$TMP/p3.out" 2>&1
rc=$?
check "perf: a plugin kernel is refused, non-zero exit" [ "$rc" -ne 0 ]
check "perf: ... saying why" grep -q 'mode perf times OpenCL kernels' "$TMP/p3.out"

# --perf-runs must be a positive count.
"$BIN" run --mode perf --perf-runs 0 'm=1 n=64 k=64 g=32' >"$TMP/p4.out" 2>&1
rc=$?
check "perf: --perf-runs 0 is a usage error (exit 2)" [ "$rc" -eq 2 ]

# bench/ocl_candidates.sh (the GPU machine's side-by-side timing of kernel
# settings) on PoCL: one tiny shape, two candidates, no sweeps; a candidate
# whose setting does not build makes it exit 1 and say so.
CANDIDATES="default: gv1:W4_GV_DEPTH=1" SHAPES=256:512 RUNS=2 BATCHES=none DEVICE="${GPTQ_HARNESS_DEVICE:-0:0}" \
    sh bench/ocl_candidates.sh >"$TMP/c1.out" 2>&1
rc=$?
check "ocl_candidates: exit 0" [ "$rc" -eq 0 ]
check "ocl_candidates: the closing table has both candidates' median and ceiling lines" sh -c \
    "sed -n '/^== all candidates/,\$p' '$TMP/c1.out' | grep -Ec '^(default|gv1) n=256 k=512: perf(: median| ceiling)' | grep -qx 4"
check "ocl_candidates: the candidate kernel has its #define in front" \
    grep -qx '#define W4_GV_DEPTH 1' build/oclcand/gv1.cl
check "ocl_candidates: no PTX from PoCL, so no register count, and it says why" sh -c \
    "sed -n '/^== all candidates/,\$p' '$TMP/c1.out' | grep -c '^\(default\|gv1\): registers not read (' | grep -qx 2"
# The register line from PTX: a stand-in build tool that writes a PTX file and
# a stand-in ptxas that reports as the real one does.
# The build tool's PTX ends in NUL bytes, as NVIDIA's does; the stand-in ptxas
# reports only when given a file without them.
printf '#!/bin/sh\nprintf ".version 8.0\\n.target sm_90\\n\\000\\000" >"$3"\n' >"$TMP/fake-buildlog"
printf '#!/bin/sh\nfor a; do case $a in *.ptx) if tr -d "\\\\000" <"$a" | cmp -s - "$a"; then echo "ptxas info    : Used 72 registers, 380 bytes cmem[0]"; echo "    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads"; else echo "ptxas fatal   : Unexpected EOF"; fi;; esac; done\n' >"$TMP/fake-ptxas"
chmod +x "$TMP/fake-buildlog" "$TMP/fake-ptxas"
CANDIDATES="default:" SHAPES=64:128 RUNS=2 BATCHES=none DEVICE="${GPTQ_HARNESS_DEVICE:-0:0}" \
    OCL_BUILDLOG="$TMP/fake-buildlog" PTXAS="$TMP/fake-ptxas" sh bench/ocl_candidates.sh >"$TMP/c3.out" 2>&1
check "ocl_candidates: registers and spills read from ptxas -v over the candidate's PTX" \
    grep -qx 'default: registers 72, 4 bytes spill stores, 4 bytes spill loads (ptxas -arch=sm_90)' "$TMP/c3.out"
# A ptxas older than the PTX (Triton's copy beside a newer driver) refuses its
# .version and names its own: the count is read once more with that version.
printf '#!/bin/sh\nprintf ".version 9.0\\n.target sm_90\\n" >"$3"\n' >"$TMP/fake-buildlog9"
printf '#!/bin/sh\nfor a; do case $a in *.ptx) if grep -q "^.version 9.0" "$a"; then echo "ptxas $a, line 1; fatal   : Unsupported .version 9.0; current version is '"'"'8.7'"'"'"; elif grep -q "^.version 8.7" "$a"; then echo "ptxas info    : Used 64 registers"; echo "    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads"; fi;; esac; done\n' >"$TMP/fake-ptxas87"
chmod +x "$TMP/fake-buildlog9" "$TMP/fake-ptxas87"
CANDIDATES="default:" SHAPES=64:128 RUNS=2 BATCHES=none DEVICE="${GPTQ_HARNESS_DEVICE:-0:0}" \
    OCL_BUILDLOG="$TMP/fake-buildlog9" PTXAS="$TMP/fake-ptxas87" sh bench/ocl_candidates.sh >"$TMP/c4.out" 2>&1
check "ocl_candidates: an older ptxas gets the PTX with its own .version, and the line says so" \
    grep -qx 'default: registers 64, 0 bytes spill stores, 0 bytes spill loads (ptxas -arch=sm_90, PTX .version lowered to 8.7 for this ptxas)' "$TMP/c4.out"
CANDIDATES="bad:W4_NV_MMA=(" SHAPES=64:128 RUNS=2 BATCHES=fixtures/sweeps/smoke.batch DEVICE="${GPTQ_HARNESS_DEVICE:-0:0}" \
    sh bench/ocl_candidates.sh >"$TMP/c2.out" 2>&1
rc=$?
check "ocl_candidates: a candidate that does not build: exit 1, named" \
    sh -c "[ $rc -eq 1 ] && grep -q 'bad did not pass every case' '$TMP/c2.out'"

# bench/tinygemm_bw.py (PyTorch's int4 kernel timed on the GPU machine) over a
# stand-in torch that logs what runs: each single launch comes after the flush
# of its form (a read of the flush buffer, an overwrite of it, or a busy GPU
# and the next copy of the inputs), and every form is printed.
PYTHONPATH=tests/stand-ins TORCH_STANDIN_LOG="$TMP/torch.log" python3 bench/tinygemm_bw.py \
    --m 1 --shapes 256:256 >"$TMP/t1.out" 2>&1
rc=$?
check "tinygemm_bw: exit 0 over the stand-in torch" [ "$rc" -eq 0 ]
check "tinygemm_bw: the empty launch and every single-launch form are printed" sh -c \
    "grep -q '^empty launch: single 0.0100 ms' '$TMP/t1.out' &&
     grep -Eq '^tinygemm: m=1 n=256 k=256 g=128  0.04 MB  single 0.0100 ms 4 GB/s  single-wflush 0.0100 ms 4 GB/s  single-rotate 0.0100 ms 4 GB/s  graph' '$TMP/t1.out'"
check "tinygemm_bw: read flush, write flush, busy GPU + rotated inputs before the timed launches" \
    python3 - "$TMP/torch.log" <<'PY'
import collections, sys
ops = open(sys.argv[1]).read().splitlines()
before = collections.Counter()
rotated = set()
for i in range(1, len(ops) - 2):
    if ops[i] == "record" and ops[i + 2] == "record" and ops[i + 1].startswith("mm "):
        kind = ops[i - 1].split()[0]
        before[kind] += 1
        if kind == "sleep":
            rotated.add(ops[i + 1])
flushes = {o.split()[1] for o in ops if o.split()[0] in ("max", "zero")}
assert before == {"max": 200, "zero": 200, "sleep": 200}, before
assert len(flushes) == 1, flushes  # the same buffer is read or overwritten
assert len(rotated) >= 2, rotated  # the rotated launches use several copies
PY

# bench/gpu_compare.sh (the OpenCL kernel, tinygemm and the CUDA plugin in one
# table) on PoCL with the stand-in torch: every row has the OpenCL and the
# tinygemm figures, the plugin (no GPU here) is "-" and says why, the JSON
# holds the same; without torch the tinygemm columns are "-" and it exits 1.
GC="$TMP/gc"
DIR="$GC" DEVICE="${GPTQ_HARNESS_DEVICE:-0:0}" SHAPES="256:512 512:256" RUNS=2 \
    PYTHONPATH=tests/stand-ins sh bench/gpu_compare.sh >"$TMP/g1.out" 2>&1
rc=$?
check "gpu_compare: exit 0 (OpenCL timed, tinygemm at every shape)" [ "$rc" -eq 0 ]
check "gpu_compare: a row per shape: OpenCL GB/s, ceiling share, tinygemm 7 GB/s, ratio, no plugin" \
    sh -c "grep -Ec '^\| \((256, 512|512, 256)\) \| [0-9.]+ \| [0-9]+% \| 7 \| [0-9.]+ \| - \| - \|\$' '$TMP/g1.out' | grep -qx 2"
check "gpu_compare: the plugin step says why it did not run" \
    grep -q '^not run: needs nvidia-smi and build/plugins/libw4a16_cuda.so' "$TMP/g1.out"
check "gpu_compare: compare.md and compare.json hold the same figures" python3 - "$GC" <<'PY'
import json, os, sys
d = sys.argv[1]
j = json.load(open(os.path.join(d, "compare.json")))
assert [(r["n"], r["k"]) for r in j["shapes"]] == [(256, 512), (512, 256)], j
for r in j["shapes"]:
    assert r["ocl_gbs"] > 0 and 0 < r["ceiling_share"] and r["tinygemm_gbs"] == 7.0, r
    assert "plugin_gbs" not in r, r
    assert ("| (%d, %d) |" % (r["n"], r["k"])) in open(os.path.join(d, "compare.md")).read()
assert j["peaks"]["cuda_empty_us"] == 10.0 and j["peaks"]["ocl_empty_us"] > 0, j["peaks"]
PY
DIR="$GC" DEVICE="${GPTQ_HARNESS_DEVICE:-0:0}" SHAPES="256:512" RUNS=2 PYTHONPATH=/nonexistent \
    sh bench/gpu_compare.sh >"$TMP/g2.out" 2>&1
rc=$?
check "gpu_compare: without torch: exit 1, the tinygemm columns empty" \
    sh -c "[ $rc -eq 1 ] && grep -Eq '^\| \(256, 512\) \| [0-9.]+ \| [0-9]+% \| - \| - \|' '$TMP/g2.out'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

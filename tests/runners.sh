#!/bin/sh
# runners.sh - end-to-end tests of external runners (docs/runners.md): the
# numpy kernel runner passes the default job; the numpy adapter passes and,
# with the zero points transposed, fails with the built-in planted fault's
# diagnosis; a NaN scale from the numpy adapter is refused by the contract
# check; layer mode; the docs' examples as written; every protocol fault
# is an ERROR for its case and the run goes on with a fresh runner; a
# loader's bad tensors are FAILED or ERROR as docs/runners.md says; the
# torch runners SKIP without torch; perf mode through a runner.
# Usage: sh tests/runners.sh build/gptq-harness
# Prints one line per check and "N passed, N failed"; exits 1 on any failure.
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=runners
. tests/checklib.sh
PY=/usr/bin/python3
DEFAULT="--batch fixtures/sweeps/smoke.batch --batch fixtures/sweeps/kernel-edges.batch"
SMOKE="--batch fixtures/sweeps/smoke.batch"
not_grep() { ! grep -q "$@"; }
all_passed() { grep -Eq '^summary: total=([0-9]+) passed=\1 failed=0 mistrusted=0 skipped=0 errors=0 exit=0$' "$1"; }
export TMPDIR="$TMP/rt" # the runners' directories go there: checked empty at the end
mkdir -p "$TMPDIR"

# 1. The numpy kernel runner passes the default job; the numpy adapter (with
#    the OpenCL kernel) and the numpy layer runner pass the smoke sweep.
"$BIN" run -q --kernel "exec:$PY runners/numpy_kernel.py" $DEFAULT >"$TMP/k.out" 2>"$TMP/k.err"
check "numpy kernel runner, default job: exit 0" [ $? -eq 0 ]
check "numpy kernel runner, default job: all passed" all_passed "$TMP/k.out"
check "numpy kernel runner: the device line names it" \
    grep -q '^device: kernel runner numpy kernel (float32)' "$TMP/k.err"
"$BIN" run -q --adapter "exec:$PY runners/numpy_adapter.py" $SMOKE >"$TMP/a.out" 2>&1
check "numpy adapter runner, smoke sweep: exit 0" [ $? -eq 0 ]
check "numpy adapter runner, smoke sweep: all passed" all_passed "$TMP/a.out"
"$BIN" run -q --layer "exec:$PY runners/numpy_layer.py" $SMOKE >"$TMP/l.out" 2>&1
check "numpy layer runner, smoke sweep: all passed" all_passed "$TMP/l.out"
"$BIN" run -q --repeat 3 --layer "exec:$PY runners/numpy_layer.py" 'm=3 fmt=ct zp=asym' >"$TMP/lr.out" 2>&1
check "numpy layer runner, --repeat 3: all passed" all_passed "$TMP/lr.out"
"$BIN" run -q --kernel "exec:$PY runners/xpu_int4_gemm.py --stand-in" $DEFAULT >"$TMP/x.out" 2>&1
check "xpu_int4_gemm marshalling (numpy stand-in), default job: all passed" all_passed "$TMP/x.out"

# 2. The zero points transposed: the same diagnosis as the built-in fault.
ASYM1='fmt=gptq-v1,gptq-v2,ct zp=asym g=32,128 gidx=none,act m=7 n=40 k=384 bias=1'
ASYM2='fmt=awq zp=asym g=32,128 m=7 n=40 k=384'
"$BIN" run -q --out "$TMP/zt-exec" --adapter "exec:$PY runners/numpy_adapter.py --fault zeros-transposed" \
    "$ASYM1" "$ASYM2" >"$TMP/zt.out" 2>&1
check "zeros transposed in the runner: exit 1" [ $? -eq 1 ]
"$BIN" run -q --out "$TMP/zt-builtin" "$ASYM1 fault=zeros-transposed" "$ASYM2 fault=zeros-transposed" \
    >/dev/null 2>&1
same_diagnosis() { # same_diagnosis A/results.jsonl B/results.jsonl
    $PY - "$1" "$2" <<'PYEOF'
import json, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
ok = len(a) == len(b) == 14 and all(
    x["verdict"] == y["verdict"] == "FAILED" and x["where"] == y["where"] and
    x["diagnosis"] == y["diagnosis"] and "explained by fault zeros-transposed" in x["diagnosis"]
    for x, y in zip(a, b))
sys.exit(0 if ok else 1)
PYEOF
}
check "zeros transposed: every case FAILED with the built-in fault's where and diagnosis" \
    same_diagnosis "$TMP/zt-exec/results.jsonl" "$TMP/zt-builtin/results.jsonl"
repro=$(grep -m1 '^    repro: ' "$TMP/zt.out" | sed 's/^    repro: //')
case $repro in *"--adapter 'exec:$PY runners/numpy_adapter.py --fault zeros-transposed'"*" adapter=exec "*)
    ok "the repro line carries --adapter and adapter=exec" ;;
*) bad "the repro line carries --adapter and adapter=exec: $repro" ;; esac
eval "$repro" >"$TMP/repro.out" 2>&1
check "the repro line reproduces the failure" grep -q 'explained by fault zeros-transposed' "$TMP/repro.out"
"$BIN" run --layer "exec:$PY runners/numpy_layer.py --fault zeros-transposed" 'fmt=ct zp=asym g=32 m=7 n=40 k=384' \
    >"$TMP/lf.out" 2>&1
check "layer runner with zeros transposed: FAILED, named" grep -q 'explained by fault zeros-transposed' "$TMP/lf.out"
check "layer runner with zeros transposed: located as the layer" grep -q 'where: layer wrong' "$TMP/lf.out"

# 2b. A NaN scale from the loader (scale[0][0]): the contract check refuses
#     it, so the case FAILS as the adapter's, the kernel not run (a NaN the
#     kernel got would look like a kernel computing NaN).
"$BIN" run -q --out "$TMP/sn" --adapter "exec:$PY runners/numpy_adapter.py --fault scale-nan" \
    'fmt=gptq-v1,ct,awq zp=asym g=32 dt=f16,bf16 m=3 n=40 k=384 bias=1' >"$TMP/sn.out" 2>&1
check "NaN scale from the loader: exit 1" [ $? -eq 1 ]
check "NaN scale from the loader: all 6 cases FAILED" \
    grep -q '^summary: total=6 passed=0 failed=6 mistrusted=0 skipped=0 errors=0 exit=1$' "$TMP/sn.out"
nan_scale_refused() { # every case refused by the contract check, naming the scale
    $PY - "$1" <<'PYEOF'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
ok = len(rs) == 6 and all(
    r["verdict"] == "FAILED" and r["reason"] == "adapter output violates the kernel contract: "
    "scale[0][0] is NaN: scales must be finite" and
    r["where"] == "adapter wrong: contract violated, kernel not run" for r in rs)
sys.exit(0 if ok else 1)
PYEOF
}
check "NaN scale from the loader: the contract check names scale[0][0], kernel not run" \
    nan_scale_refused "$TMP/sn/results.jsonl"

# 3. The docs' examples, exactly as written, each under 20 lines.
mkdir -p "$TMP/ex"
$PY tests/tools/doc_example.py docs/runners.md "$TMP/ex" >"$TMP/ex/lines"
check "docs/runners.md has my_kernel.py and my_loader.py" \
    test -f "$TMP/ex/my_kernel.py" -a -f "$TMP/ex/my_loader.py"
while read -r name n; do
    check "docs example $name: $n lines (< 20)" [ "$n" -lt 20 ]
done <"$TMP/ex/lines"
PYTHONPATH=runners/python "$BIN" run -q --kernel "exec:$PY $TMP/ex/my_kernel.py" $DEFAULT >"$TMP/ek.out" 2>&1
check "docs example kernel, default job: all passed" all_passed "$TMP/ek.out"
PYTHONPATH=runners/python "$BIN" run -q --adapter "exec:$PY $TMP/ex/my_loader.py" $SMOKE >"$TMP/el.out" 2>&1
check "docs example loader, smoke sweep: exit 0 (GPTQ passed, the rest SKIPPED)" [ $? -eq 0 ]
check "docs example loader: passes the GPTQ cases" \
    grep -Eq '^summary: total=[0-9]+ passed=[1-9][0-9]+ failed=0 mistrusted=0 skipped=[0-9]+ errors=0 exit=0$' "$TMP/el.out"

# 4. Protocol faults: ERROR for the case, the others pass, a fresh runner after.
case2_why() { # the why line after case 2's ERROR line in $TMP/f.out matches $1
    grep -A1 '^ERROR.* m=2 ' "$TMP/f.out" | grep -q "why: .*$1"
}
fault() { # fault MODE REASON [run options]
    mode=$1 reason=$2
    shift 2
    "$BIN" run "$@" --kernel "exec:$PY tests/runners/faulty_runner.py $mode" 'm=1 seed=1' 'm=2 seed=1' 'm=3 seed=1' \
        >"$TMP/f.out" 2>"$TMP/f.err"
    rc=$?
    check "$mode: exit 1" [ "$rc" -eq 1 ]
    check "$mode: case 2 is an ERROR: $reason" case2_why "$reason"
    check "$mode: cases 1 and 3 pass (a fresh runner after the fault)" \
        grep -q '^summary: total=3 passed=2 failed=0 mistrusted=0 skipped=0 errors=1 exit=1$' "$TMP/f.out"
}
fault die@2 'the runner died before its reply.*exited with status 3'
fault segv@2 'killed by signal 11'
# a runner that exits while a process it started holds the channel open:
# seen within a fraction of a second, not at the case timeout as a hang
t0=$(date +%s)
fault orphan@2 'exited with status 3 without replying, while a process it started still holds its reply channel open' --case-timeout 60
check "orphan: seen long before the 60 s case timeout" [ $(($(date +%s) - t0)) -lt 30 ]
fault hang@2 'did not send its reply within 2 s (hung; killed)' --case-timeout 2
fault garbage@2 'its reply is not a JSON object'
fault trailing@2 'its reply is not a JSON object: .* (one object per line'
fault noid@2 'not the request.s "id"'
fault shape@2 'out of shape \[2\]\[72\]; it must be \[2\]\[64\]'
fault dtype@2 'returned out as F32; it must be F16'
fault extra@2 "the runner's output file holds a tensor 'debug' besides 'out'"
fault nooutput@2 'wrote no output file'
fault error@2 'the runner failed: planted runner error'
# a reason with a line break and control characters stays on its line, escaped
fault fakeline@2 'the runner failed: CUDA error: illegal access\\nsummary: total=3 passed=3 .*exit=0\\r\\x1B\[2K$'
check "fakeline: one summary line on stdout, the real one" sh -c \
    "[ \$(grep -c '^summary:' '$TMP/f.out') -eq 1 ] && ! LC_ALL=C grep -q \"\$(printf '[\\r\\033]')\" '$TMP/f.out'"
# SIGINT while the runner hangs: the run stops at once (not at the 120 s
# watchdog), the hanging case is abandoned and not recorded.
HANG_MARK="$TMP/hang.mark" "$BIN" run --out "$TMP/hangint" --case-timeout 120 \
    --kernel "exec:$PY tests/runners/faulty_runner.py hang@2" 'm=1 seed=1' 'm=2 seed=1' 'm=3 seed=1' >"$TMP/hangint.out" 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && [ ! -f "$TMP/hang.mark" ]; do
    sleep 0.1
    i=$((i + 1))
done
t0=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
took=$(($(date +%s) - t0))
check "SIGINT while the runner hangs: stops in $took s, not at the 120 s watchdog" [ "$took" -lt 60 ]
check "SIGINT while the runner hangs: exit 1, 1 of 3 cases recorded" sh -c \
    "[ $rc -eq 1 ] && [ \$(wc -l <'$TMP/hangint/results.jsonl') -eq 1 ] && grep -q 'interrupted by SIGINT after 1 of 3 cases' '$TMP/hangint.out'"
# 4b. A loader's bad tensors (docs/runners.md, "What a loader's tensors are
#     judged by"): FAILED naming the tensor and the rule where the loader's
#     output cannot be the kernel's arguments, ERROR where the reply cannot
#     be read as ABI tensors; either way the runner is kept.
BADCASE='fmt=gptq-v1 zp=asym g=32 gidx=act n=40 k=384 seed=1'
bad_loader() { # bad_loader MODE VERDICT [WHY]: both cases VERDICT, the why: line starts with WHY
    "$BIN" run --out none --adapter "exec:$PY tests/runners/bad_loader.py $1" "m=3 $BADCASE" \
        "m=5 $BADCASE" >"$TMP/bl.out" 2>"$TMP/bl.err"
    rc=$?
    check "loader $1: exit 1, both cases $2" \
        sh -c "[ $rc -eq 1 ] && [ \$(grep -c '^$2 ' '$TMP/bl.out') -eq 2 ]"
    [ $# -lt 3 ] || check "loader $1: why: $3" grep -qF "    why: $3" "$TMP/bl.out"
    check "loader $1: one runner for both cases" [ "$(grep -c '^bad_loader: started' "$TMP/bl.err")" -eq 1 ]
}
contract() { # contract MODE WHY: FAILED, the contract violated, the kernel not run
    bad_loader "$1" FAILED "adapter output violates the kernel contract: $2"
    check "loader $1: located as the adapter, kernel not run" \
        grep -q '^    where: adapter wrong: contract violated, kernel not run' "$TMP/bl.out"
}
contract perm-short 'perm has the wrong number of entries (shape [383]); the kernel contract needs perm [K] = [384]'
contract perm-long 'perm has the wrong number of entries (shape [385]);'
contract perm-3d 'perm has the wrong number of dimensions (shape [2][24][8]); the kernel contract needs perm [K] = [384]'
contract b-3d 'b has the wrong number of dimensions (shape [40][6][8]); the kernel contract needs b [N][K/8] = [40][48]'
contract zp-scalar 'zp has the wrong number of dimensions (shape [], a scalar); the kernel contract needs zp [G][N/8] = [12][5] (one zero point for every weight is zp_scalar)'
contract perm-empty 'perm is empty (shape [0]); the kernel contract needs perm [K] = [384]'
contract scale-empty 'scale is empty (shape [0][40]); the kernel contract needs scale [G][N] = [12][40]'
contract b-short 'b_words=1872: the kernel contract needs N*K/8 = 1920 words'
contract scale-groups 'scale_elems=240: the kernel contract needs (K/group_size)*N = 12*40 = 480'
contract zp-short 'zp_words=55: the kernel contract needs G*N/8 = 12*40/8 = 60 words'
contract perm-range 'perm[0]=384: perm must be a permutation of 0..K-1 (K=384); out of range'
contract perm-negative 'perm[0]=-1: perm must be a permutation of 0..K-1 (K=384); out of range'
contract perm-gidx 'perm[6]=9: perm must be a permutation of 0..K-1 (K=384); duplicate index'
contract group-size 'group_size=-1: the kernel contract needs a positive group size dividing K=384'
contract py-perm-wide 'perm[0]=2147483647: perm must be a permutation of 0..K-1 (K=384); out of range'
check "loader py-perm-wide: the helper says the value did not fit int32" \
    grep -q 'gptq_runner: perm holds values outside int32 (the first: flat index 0, 4294967300)' "$TMP/bl.err"
# Non-finite scales: FAILED by the contract check, the kernel not run.
contract scale-nan "scale[0][0] is NaN: scales must be finite"
contract scale-inf "scale[0][0] is Inf: scales must be finite"
bad_loader scale-f32 ERROR "adapter exec failed: the adapter runner returned 'scale' as F32; it must be F16"
bad_loader perm-i64 ERROR "adapter exec failed: the adapter runner returned 'perm' as I64; it must be I32"
bad_loader b-f16 ERROR "adapter exec failed: the adapter runner returned 'b' as F16; it must be U32 or I32"
bad_loader unknown ERROR "adapter exec failed: the adapter runner returned an unknown tensor 'zeros'"
bad_loader no-b ERROR "adapter exec failed: the adapter runner returned no 'b' tensor"
bad_loader py-perm-float ERROR 'adapter exec failed: the runner failed: TypeError: perm must be an integer array, not float64'

bad_start() { # bad_start MODE REASON
    "$BIN" run --kernel "exec:$PY tests/runners/faulty_runner.py $1" 'm=1 seed=1' 'm=2 seed=1' 'm=3 seed=1' >"$TMP/s.out" 2>&1
    check "$1: exit 1" [ $? -eq 1 ]
    check "$1: every case an ERROR: $2" [ "$(grep -c "why: .*$2" "$TMP/s.out")" -ge 2 ]
    check "$1: after 3 failed starts no more" grep -q 'why: not started again: 3 starts in a row failed' "$TMP/s.out"
}
bad_start nohello 'its hello is not a JSON object'
bad_start version 'the runner speaks protocol version 99; the harness speaks 1'
bad_start role 'the runner says its role is adapter; it is used as the kernel here'
"$BIN" run -q --kernel "exec:no-such-runner-command-xyz" 'm=1 seed=1' >"$TMP/nf.out" 2>&1
check "a command that does not exist: ERROR, exit 127 named" grep -q 'exited with status 127' "$TMP/nf.out"
"$BIN" run -q --kernel "exec:$PY tests/runners/faulty_runner.py stdout" 'm=1 seed=1' 'm=2 seed=1' >"$TMP/p.out" 2>"$TMP/p.err"
check "a runner printing to stdout: its cases pass" all_passed "$TMP/p.out"
check "a runner printing to stdout: nothing of it on the harness's stdout" \
    not_grep RUNNER-STDOUT-MARKER "$TMP/p.out"
check "a runner printing to stdout: it is on stderr" grep -q RUNNER-STDOUT-MARKER "$TMP/p.err"

# 5. The torch runners without torch: SKIPPED with the reason, and the run
# is not green (nothing was checked).
if $PY -c 'import torch' >/dev/null 2>&1; then
    ok "torch is installed here: the SKIPPED-without-torch checks do not apply"
else
    for r in "tinygemm.py --device cpu" "tinygemm.py --device cuda" triton_w4a16.py xpu_int4_gemm.py; do
        "$BIN" run --kernel "exec:$PY runners/$r" 'm=1 seed=1' 'dt=bf16 zp=asym' >"$TMP/t.out" 2>&1
        rc=$?
        check "$r without torch: both cases SKIPPED, exit 1 (nothing was checked)" \
            grep -q '^summary: total=2 passed=0 failed=0 mistrusted=0 skipped=2 errors=0 exit=1$' "$TMP/t.out"
        check "$r without torch: says nothing was checked" \
            grep -q 'nothing was checked: all 2 case(s) were SKIPPED' "$TMP/t.out"
        check "$r without torch: the reason says torch is not installed" \
            grep -q 'why: torch is not installed for this python' "$TMP/t.out"
        [ "$rc" -eq 1 ] || bad "$r without torch: exit $rc (want 1)"
    done
fi
"$BIN" run --kernel "exec:$PY runners/xpu_int4_gemm.py --stand-in --fault b-not-transposed" m=3 >"$TMP/xb.out" 2>&1
check "xpu marshalling bug (B not transposed): ERROR naming B's layout" \
    grep -q "why: the runner failed: ValueError: B must be the .t() view" "$TMP/xb.out"

# 6. Usage errors (exit 2).
"$BIN" run 'adapter=exec m=1' >/dev/null 2>"$TMP/u1.err"
check "adapter=exec without --adapter: exit 2" [ $? -eq 2 ]
check "adapter=exec without --adapter: says so" grep -q 'adapter=exec needs --adapter exec:' "$TMP/u1.err"
"$BIN" run --adapter reference m=1 >/dev/null 2>&1
check "--adapter without exec: exit 2" [ $? -eq 2 ]
"$BIN" run --layer "exec:true" --kernel kernels/w4a16_gemm.cl m=1 >/dev/null 2>&1
check "--layer with --kernel: exit 2" [ $? -eq 2 ]

# 7. Perf mode through a runner that times itself.
"$BIN" run --mode perf --perf-runs 3 --out "$TMP/perf" --kernel "exec:$PY runners/numpy_kernel.py" \
    'm=4 n=64 k=256' >"$TMP/perf.out" 2>&1
check "perf through a runner: exit 0" [ $? -eq 0 ]
check "perf through a runner: the runner's copy peak" \
    grep -Eq '^peaks: copy [0-9.]+ GB/s \(measured by the runner numpy kernel' "$TMP/perf.out"
check "perf through a runner: its own timing, GB/s and share of copy" \
    grep -Eq "^    perf \(the runner's own timing: wall clock; 3 runs\): median [0-9.]+ us, [0-9.]+ GB/s \([0-9]+% of copy\)" "$TMP/perf.out"
check "perf through a runner: perf.jsonl holds the timed case" \
    grep -q '"kind":"case".*"timed":true.*"timing":"wall clock".*"gbs":' "$TMP/perf/perf.jsonl"

check "every runner's directory was removed" [ -z "$(ls -A "$TMPDIR")" ]
echo "runners: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# reliability_io.sh - runs that never lie and never lose (issue 15): write
# failures in the results stream, torn lines, partial runs and merges in the
# reports and JUnit, gnuplot that never exits, plugins that exit() or a
# closed stdout under --no-isolation, baselines with repeated descriptors.
# Usage: sh tests/reliability_io.sh build/gptq-harness build/plugins
set -u
BIN=${1:-build/gptq-harness}
PLUGINS=${2:-build/plugins}
CHECK_TAG=reliability-io
. tests/checklib.sh
PY=/usr/bin/python3
# waits (at most 60 s) until the results file holds a first record
wait_recorded() {
    i=0
    while [ $i -lt 600 ] && [ "$(cat "$1" 2>/dev/null | wc -l)" -lt 1 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}
# every line of a results file is one strict JSON object (Python's json)
strict_json() { $PY -c 'import json,sys
for l in open(sys.argv[1], "rb").read().split(b"\n")[:-1]: json.loads(l.decode("utf-8"))' "$1"; }

# A disk that fills up: results.jsonl keeps only complete records, the run
# names the cases not recorded and the full disk, exits 1, and does not claim
# a report it could not write. Needs a small tmpfs (root); skipped otherwise.
mkdir -p "$TMP/full"
if mount -t tmpfs -o size=12k tmpfs "$TMP/full" 2>/dev/null; then
    "$BIN" run -q --out "$TMP/full/run" 'm=1 n=8 k=32 g=32 seed=1,2,3,4,5,6,7,8,9,10,11,12' \
        >"$TMP/full.out" 2>&1
    rc=$?
    check "full disk: exit 1" [ $rc -eq 1 ]
    check "full disk: named as no space left" grep -qi 'no space left' "$TMP/full.out"
    check "full disk: the unrecorded cases are named" grep -q 'not recorded: #11 ' "$TMP/full.out"
    check "full disk: results.jsonl holds only complete records" strict_json "$TMP/full/run/results.jsonl"
    check "full disk: no report: line for a report not written" sh -c \
        "grep -q '^results: .*(no report written)' '$TMP/full.out' && ! grep -q '^results: .*report: ' '$TMP/full.out'"
    umount "$TMP/full"
else
    echo "reliability-io skip: full disk (mount -t tmpfs not permitted here)"
fi

# A torn line in the middle of a shard's results: merge skips it with a
# warning; its case counts as missing.
"$BIN" run -q --out "$TMP/t" 'm=1 n=8 k=32 g=32 seed=1,2,3' >/dev/null 2>&1
$PY - "$TMP/t/results.jsonl" <<'PYEOF'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
lines[1] = lines[1][: len(lines[1]) // 2] + lines[2]  # a half record spliced onto the next
del lines[2]
open(p, "w").write("\n".join(lines))
PYEOF
"$BIN" report merge --out "$TMP/tm" "$TMP/t" >"$TMP/tm.out" 2>&1
rc=$?
check "torn line: merge exit 1 (a case missing), not refused" [ $rc -eq 1 ]
check "torn line: warned, line 2 named" grep -q 'damaged line(s).*the first is line 2' "$TMP/tm.out"
check "torn line: the intact record merged" [ "$(wc -l <"$TMP/tm/results.jsonl")" -eq 1 ]

# A merge with a shard missing: PARTIAL at the top, the real exit code, the
# missing cases listed; JUnit has them as errors of type not-run.
"$BIN" run -q --out "$TMP/s1" --shard 1/2 'm=1 n=8 k=32 g=32 seed=1,2,3,4' >/dev/null 2>&1
"$BIN" report merge --out "$TMP/m" --junit "$TMP/m.xml" "$TMP/s1" >"$TMP/m.out" 2>&1
rc=$?
check "missing shard: exit 1" [ $rc -eq 1 ]
check "missing shard: report.md PARTIAL at the top" sh -c "sed -n 3p '$TMP/m/report.md' | grep -q '^\*\*PARTIAL\*\*: 2 of 4 cases missing'"
check "missing shard: report.md shows exit code 1" grep -q '(exit code 1)' "$TMP/m/report.md"
check "missing shard: report.md lists the cases" grep -q 'not run: `case #3 of the sweep`' "$TMP/m/report.md"
check "missing shard: report.html PARTIAL" grep -q '<strong>PARTIAL</strong>' "$TMP/m/report.html"
check "missing shard: JUnit 2 not-run errors" [ "$(grep -c 'type="not-run"' "$TMP/m.xml")" -eq 2 ]
check "missing shard: JUnit counts them" grep -q '<testsuites name="gptq-harness" tests="4" failures="0" errors="2"' "$TMP/m.xml"
check "missing shard: JUnit valid" xmllint --noout --schema tests/junit.xsd "$TMP/m.xml"

# Shards that ran different kernels: warned, exit 1.
"$BIN" run -q --out "$TMP/k2" --shard 2/2 --kernel kernels/w4a16_gemm_fast.cl \
    'm=1 n=8 k=32 g=32 seed=1,2,3,4' >/dev/null 2>&1
"$BIN" report merge --out "$TMP/mk" "$TMP/s1" "$TMP/k2" >"$TMP/mk.out" 2>&1
rc=$?
check "different kernels: exit 1" [ $rc -eq 1 ]
check "different kernels: warned" grep -q 'the shards ran different kernel FNV-1a 64' "$TMP/mk.out"
"$BIN" run -q --out "$TMP/s2" --shard 2/2 'm=1 n=8 k=32 g=32 seed=1,2,3,4' >/dev/null 2>&1
"$BIN" report merge --out "$TMP/ms" "$TMP/s1" "$TMP/s2" >"$TMP/ms.out" 2>&1
check "same kernel, all shards: exit 0, no PARTIAL" sh -c "[ $? -eq 0 ] && ! grep -q PARTIAL '$TMP/ms/report.md'"

# An interrupted run: the reports show the exit code it ends with and list
# the cases not run; JUnit has them as not-run errors.
"$BIN" run --out "$TMP/int" --junit "$TMP/int.xml" --case-timeout 120 --kernel tests/kernels/hang.cl \
    'm=1 n=8 k=64 g=32' 'm=2 n=8 k=64 g=32' 'm=3 n=8 k=64 g=32' >"$TMP/int.out" 2>&1 &
pid=$!
wait_recorded "$TMP/int/results.jsonl"
sleep 1
kill -INT $pid
wait $pid
rc=$?
check "interrupted: exit 1" [ $rc -eq 1 ]
check "interrupted: report.md shows exit code 1" grep -q '^\*\*PARTIAL\*\*: interrupted by SIGINT after 1 of 3 cases (exit code 1)' "$TMP/int/report.md"
check "interrupted: report.md lists the 2 cases not run" [ "$(grep -c '^- not run: `' "$TMP/int/report.md")" -eq 2 ]
check "interrupted: JUnit: 2 not-run errors, valid" sh -c "[ \$(grep -c 'type=\"not-run\"' '$TMP/int.xml') -eq 2 ] && xmllint --noout --schema tests/junit.xsd '$TMP/int.xml'"

# A gnuplot that never exits: killed at its time limit, the reports are
# written without plots; and killed at once by SIGINT.
printf '#!/bin/sh\nexec sleep 3917\n' >"$TMP/gnuplot-hangs"
chmod +x "$TMP/gnuplot-hangs"
GPTQ_HARNESS_GNUPLOT="$TMP/gnuplot-hangs" GPTQ_HARNESS_GNUPLOT_TIMEOUT=1 \
    "$BIN" run -q --out "$TMP/gp" 'm=1 n=8 k=32 g=32' >"$TMP/gp.out" 2>&1
rc=$?
check "gnuplot hangs: the run ends, exit 0" [ $rc -eq 0 ]
check "gnuplot hangs: killed at the limit, named" grep -q "did not finish in time (limit 1 s" "$TMP/gp.out"
check "gnuplot hangs: report.html and report.md written" sh -c "grep -q 'plots are missing' '$TMP/gp/report.html' && [ -s '$TMP/gp/report.md' ]"
GPTQ_HARNESS_GNUPLOT="$TMP/gnuplot-hangs" "$BIN" run -q --out "$TMP/gpi" 'm=1 n=8 k=32 g=32' \
    >"$TMP/gpi.out" 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && ! pgrep -f "^sleep 3917" >/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
t0=$(date +%s)
kill -INT $pid
wait $pid
took=$(($(date +%s) - t0))
check "gnuplot hangs, SIGINT: the run ends at once ($took s)" [ "$took" -lt 10 ]
check "gnuplot hangs, SIGINT: gnuplot killed, report written" sh -c "grep -q 'stopped by a signal' '$TMP/gpi.out' && [ -s '$TMP/gpi/report.html' ]"

# A plugin that calls exit(0) under --no-isolation: not green, reports and
# JUnit written, partial, the case in progress and the rest listed not run.
EX="plugin:$PLUGINS/test/exits.so"
"$BIN" run --no-isolation --out "$TMP/ex" --junit "$TMP/ex.xml" --kernel "$EX" \
    'm=1 n=8 k=32 g=32' 'm=2 n=8 k=32 g=32' 'm=3 n=8 k=32 g=32' >"$TMP/ex.out" 2>&1
rc=$?
check "exit(0) in a plugin, --no-isolation: exit 1" [ $rc -eq 1 ]
check "exit(0) in a plugin, --no-isolation: report PARTIAL, 2 not run" sh -c \
    "grep -q 'PARTIAL.*ended by exit() during case' '$TMP/ex/report.md' && [ \$(grep -c '^- not run: ' '$TMP/ex/report.md') -eq 2 ]"
check "exit(0) in a plugin, --no-isolation: JUnit written, 2 not-run" [ "$(grep -c 'type="not-run"' "$TMP/ex.xml" 2>/dev/null)" -eq 2 ]
check "exit(0) in a plugin, --no-isolation: the finished case kept" [ "$(wc -l <"$TMP/ex/results.jsonl")" -eq 1 ]
"$BIN" run -q --out "$TMP/ex2" --kernel "$EX" 'm=1 n=8 k=32 g=32' 'm=2 n=8 k=32 g=32' \
    'm=3 n=8 k=32 g=32' >"$TMP/ex2.out" 2>&1
check "exit(0) in a plugin, isolated: ERROR for that case only" sh -c \
    "grep -q 'worker process exited with status 0' '$TMP/ex2.out' && [ \$(wc -l <'$TMP/ex2/results.jsonl') -eq 3 ]"

# A closed stdout (SIGPIPE) under --no-isolation: the run goes on, every case
# recorded, reports written, exit 1 with the reason.
(
    "$BIN" run --no-isolation --out "$TMP/pipe" 'm=1 n=8 k=32 g=32 seed=1,2,3,4,5,6' 2>"$TMP/pipe.err"
    echo $? >"$TMP/pipe.rc"
) | true
check "closed stdout, --no-isolation: exit 1, named" sh -c "[ \$(cat '$TMP/pipe.rc') -eq 1 ] && grep -q 'writing to stdout failed' '$TMP/pipe.err'"
check "closed stdout, --no-isolation: every case recorded, report written" sh -c \
    "[ \$(wc -l <'$TMP/pipe/results.jsonl') -eq 6 ] && [ -s '$TMP/pipe/report.html' ]"

# The watchdog and the worker cover replay and inspect --run: a hanging
# kernel is an ERROR for its case, the next fixture still runs; replay runs
# plugins too.
"$BIN" run -q --out "$TMP/fxr" --save-all "$TMP/fx" 'm=2 n=8 k=64 g=32' 'm=1 n=8 k=64 g=32' >/dev/null 2>&1
start=$(date +%s)
"$BIN" replay --case-timeout 2 --kernel tests/kernels/hang.cl "$TMP"/fx/*m-2_*.gz "$TMP"/fx/*m-1_*.gz \
    >"$TMP/rh.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
check "replay, hanging kernel: exit 1, ERROR then PASSED in $took s" sh -c "[ $rc -eq 1 ] && [ $took -lt 30 ] && \
    [ \"\$(grep -Eo '^(PASSED|ERROR)' '$TMP/rh.out' | tr '\n' ' ')\" = 'ERROR PASSED ' ] && grep -q 'did not finish within 2 s' '$TMP/rh.out'"
"$BIN" replay -q --kernel "plugin:$PLUGINS/libw4a16_cpu.so" "$TMP"/fx/*.gz >"$TMP/rp.out" 2>&1
check "replay --kernel plugin: runs the plugin" sh -c "[ $? -eq 0 ] && grep -q 'summary: total=2 passed=2' '$TMP/rp.out'"
"$BIN" replay -q --kernel "plugin:$PLUGINS/test/crash.so" "$TMP"/fx/*m-2_*.gz "$TMP"/fx/*m-1_*.gz >"$TMP/rc.out" 2>&1
check "replay, crashing plugin: ERROR for that fixture, the next runs" sh -c \
    "grep -q 'killed by signal 11' '$TMP/rc.out' && grep -q 'summary: total=2 passed=0 failed=1 mistrusted=0 skipped=0 errors=1' '$TMP/rc.out'"
"$BIN" inspect "$(ls "$TMP"/fx/*m-1_*.gz)" --layer '' --run --m 2 --case-timeout 2 \
    --kernel tests/kernels/hang.cl >"$TMP/ih.out" 2>&1
check "inspect --run, hanging kernel: ERROR by the watchdog" sh -c "[ $? -eq 1 ] && grep -q 'did not finish within 2 s' '$TMP/ih.out'"

# selftest: a planted bug (mutant) that hangs is an ERROR for its case, the
# table goes on.
mkdir -p "$TMP/mut"
cat >"$TMP/mut/hangs.mut" <<'MUT'
# A loop that never ends when M == 2.
mutant: hangs when m=2
-    float acc = 0.0f;
+    float acc = 0.0f;
+    while (M == 2) { acc += 1.0f; if (acc < 0.0f) break; }
MUT
printf 'm=1 n=8 k=32 g=32\nm=2 n=8 k=32 g=32\nm=3 n=8 k=32 g=32\n' >"$TMP/st.batch"
start=$(date +%s)
"$BIN" selftest --batch "$TMP/st.batch" --mutants "$TMP/mut" --no-faults --case-timeout 2 >"$TMP/st.out" 2>&1
took=$(($(date +%s) - start))
check "selftest, hanging mutant: ERROR by the watchdog, the table printed ($took s)" sh -c \
    "[ $took -lt 60 ] && grep -q 'did not finish within 2 s' '$TMP/st.out' && grep -q '^mutation score: 0/1' '$TMP/st.out'"

# --mode perf (the kernel runs in this process): --case-timeout is honoured
# (the hang is ERROR, the rest listed not run, reports written, exit 1), and
# SIGTERM while a kernel hangs ends the run at once with its reports.
start=$(date +%s)
"$BIN" run --mode perf --perf-runs 3 --case-timeout 2 --out "$TMP/pf" --junit "$TMP/pf.xml" \
    --kernel tests/kernels/hang.cl 'm=1 n=8 k=64 g=32' 'm=2 n=8 k=64 g=32' 'm=3 n=8 k=64 g=32' \
    >"$TMP/pf.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
check "perf, hanging kernel: exit 1 in $took s, ERROR by the watchdog" sh -c "[ $rc -eq 1 ] && [ $took -lt 60 ] && \
    grep -q 'did not finish within 2 s' '$TMP/pf.out' && [ \$(wc -l <'$TMP/pf/results.jsonl') -eq 2 ]"
check "perf, hanging kernel: PARTIAL, the rest not run, JUnit written" sh -c \
    "grep -q '^\*\*PARTIAL\*\*: a kernel hung' '$TMP/pf/report.md' && [ \$(grep -c 'type=\"not-run\"' '$TMP/pf.xml') -eq 1 ]"
for mode in "--mode perf --perf-runs 3" "--no-isolation"; do
    # shellcheck disable=SC2086
    "$BIN" run $mode --case-timeout 300 --out "$TMP/pt" --kernel tests/kernels/hang.cl \
        'm=1 n=8 k=64 g=32' 'm=2 n=8 k=64 g=32' 'm=3 n=8 k=64 g=32' >"$TMP/pt.out" 2>&1 &
    pid=$!
    wait_recorded "$TMP/pt/results.jsonl"
    sleep 1
    t0=$(date +%s)
    kill -TERM $pid
    wait $pid
    rc=$?
    took=$(($(date +%s) - t0))
    check "$mode, SIGTERM during a hanging kernel: exit 1 in $took s, reports written" sh -c \
        "[ $rc -eq 1 ] && [ $took -lt 20 ] && grep -q 'PARTIAL.*interrupted by SIGTERM' '$TMP/pt/report.md' && \
         [ \$(grep -c '^- not run: ' '$TMP/pt/report.md') -eq 2 ]"
    rm -rf "$TMP/pt"
done

# A FIFO where a file is expected is refused at once (fopen would block).
mkfifo "$TMP/fifo" "$TMP/fifo.cl"
mkdir -p "$TMP/fifodir"
mkfifo "$TMP/fifodir/results.jsonl"
for what in "run --batch $TMP/fifo" "run --kernel $TMP/fifo.cl m=1" "run -q --out $TMP/fo --baseline $TMP/fifo m=1" \
    "replay $TMP/fifo" "inspect $TMP/fifo" "report merge --out $TMP/fo2 $TMP/fifodir"; do
    # shellcheck disable=SC2086
    timeout 20 "$BIN" $what >"$TMP/fifo.out" 2>&1
    rc=$?
    check "FIFO refused, not waited on: $what (exit $rc)" sh -c \
        "[ $rc -ne 124 ] && [ $rc -ne 0 ] && grep -q 'not a regular file (a FIFO)' '$TMP/fifo.out'"
done

# A kernel path that is not UTF-8: results.jsonl stays valid for a strict
# parser; the bytes are escaped as \xHH.
K8="$TMP/$(printf 'k\377\376').cl"
cp kernels/w4a16_gemm.cl "$K8"
"$BIN" run -q --out "$TMP/u8" --kernel "$K8" 'm=1 n=8 k=32 g=32' >/dev/null 2>&1
check "non-UTF-8 path: results.jsonl strict JSON" strict_json "$TMP/u8/results.jsonl"
check "non-UTF-8 path: bytes escaped" grep -q 'k\\\\xFF\\\\xFE.cl' "$TMP/u8/results.jsonl"

# Fixtures that disagree with themselves: act-order groups of uneven size
# (the ABI cannot express them) are refused by replay as inspect refuses
# them; a tensor whose shape disagrees with the descriptor names the
# dimension.
"$BIN" run -q --out "$TMP/fa" --save-all "$TMP/fxa" 'm=1 n=8 k=64 g=32 gidx=act' >/dev/null 2>&1
$PY - "$(ls "$TMP"/fxa/*.gz)" "$TMP" <<'PYEOF'
import gzip, json, struct, sys
src, tmp = sys.argv[1], sys.argv[2]
b = gzip.open(src).read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
data = bytearray(b[8 + n:])
s, e = h['g_idx']['data_offsets']
gi = [0] * 40 + [1] * 24  # uneven: 40 and 24 rows, not 32 and 32
data[s:e] = struct.pack('<64i', *gi)
gzip.open(tmp + '/uneven.safetensors.gz', 'wb').write(b[:8 + n] + bytes(data))
h2 = json.loads(json.dumps(h))
h2['__metadata__']['descriptor'] = h['__metadata__']['descriptor'].replace('k=64', 'k=128')
hb = json.dumps(h2).encode()
hb += b' ' * ((8 - len(hb) % 8) % 8)
gzip.open(tmp + '/wrongk.safetensors.gz', 'wb').write(struct.pack('<Q', len(hb)) + hb + b[8 + n:])
PYEOF
"$BIN" replay "$TMP/uneven.safetensors.gz" >"$TMP/un.out" 2>&1
check "replay, uneven act-order groups: ERROR naming them" sh -c "[ $? -eq 1 ] && grep -q 'groups are uneven' '$TMP/un.out'"
"$BIN" inspect "$TMP/uneven.safetensors.gz" >"$TMP/uni.out" 2>&1
check "inspect, uneven act-order groups: unusable, the same words" grep -q 'groups are uneven' "$TMP/uni.out"
"$BIN" replay "$TMP/wrongk.safetensors.gz" >"$TMP/wk.out" 2>&1
check "replay, tensor disagrees with the descriptor: names dimension K" \
    grep -q "in dimension K: 64 in the file, k=128 in the descriptor" "$TMP/wk.out"

# Memory: the --max-bytes estimate (the peak of a failing, diagnosed case)
# against the real peak (harness and device worker, from run --profile, less
# what a tiny case needs) within 25%; a passing case stays under it.
mem() { # descriptor -> "harness_MiB worker_MiB estimate_MiB"
    "$BIN" run -q --profile --out "$TMP/mem" "$1" 2>/dev/null |
        sed -n 's/^memory: peak RSS harness \([0-9.]*\) MiB, device worker \([0-9.]*\) MiB; largest case estimate (--max-bytes) \([0-9.]*\) MiB$/\1 \2 \3/p'
}
base=$(mem 'm=1 n=8 k=32 g=32')
for d in 'm=16 n=2048 k=2048 g=128 zp=asym fault=zeros-transposed' \
    'm=256 n=1024 k=2048 g=64 zp=asym fault=zeros-transposed' \
    'm=16 n=1024 k=4096 g=128 gidx=act fault=perm-inverse' \
    'm=64 n=2048 k=2048 g=128 data=real zp=asym gidx=act'; do
    got=$(mem "$d")
    verdict=$(echo "$d" | grep -q fault= && echo fails || echo passes)
    check "memory: $d ($verdict): peak vs estimate [$base] [$got]" $PY - "$base" "$got" "$verdict" <<'PYEOF'
import sys
b = [float(v) for v in sys.argv[1].split()]
g = [float(v) for v in sys.argv[2].split()]
peak = (g[0] - b[0]) + max(g[1] - b[1], 0.0)
est = g[2]
print("    peak %.1f MiB, estimate %.1f MiB (x%.2f)" % (peak, est, peak / est))
ok = abs(peak - est) <= 0.25 * est if sys.argv[3] == "fails" else peak <= est
sys.exit(0 if ok else 1)
PYEOF
done
# inspect --run checks the cap before it generates the activations (X at
# m=2^20 would be 128 MiB here)
peak=$($PY -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], "w"), stderr=subprocess.STDOUT)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' \
    "$TMP/ib.out" "$BIN" inspect "$(ls "$TMP"/fx/*m-1_*.gz)" --layer '' --run --m 1048576 --max-bytes 16M)
check "inspect --run over --max-bytes: SKIPPED before generating, exit 1: nothing checked (exit, peak MiB: $peak)" sh -c \
    "[ '${peak% *}' -eq 1 ] && grep -q 'skipped=1 errors=0 exit=1\$' '$TMP/ib.out' && grep -q 'nothing was checked' '$TMP/ib.out' && [ '${peak#* }' -lt 64 ] && grep -q '^SKIPPED' '$TMP/ib.out' && grep -q 'needs about .* > --max-bytes' '$TMP/ib.out'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# reports.sh - end-to-end tests of what a run leaves behind (issue 5): the
# results stream, JUnit XML (xmllint + tests/junit.xsd), report.html (well-formed
# XML with inline SVG plots) and report.md with PNG plots, shards and their
# merge (equal to the unsharded run), baselines (planted drift and regression),
# gnuplot missing, the default run directory, a killed run, progress.
# Usage: sh tests/reports.sh build/gptq-harness. Runs from the checkout root.
set -u
BIN=$(cd "$(dirname "${1:-build/gptq-harness}")" && pwd)/$(basename "${1:-build/gptq-harness}")
SWEEP=tests/reports.batch
XSD=tests/junit.xsd
CHECK_TAG=reports
. tests/checklib.sh
lines() { n=$(grep -c . "$1" 2>/dev/null); echo "${n:-0}"; }
# results.jsonl without the timings (the only thing shards may change)
untimed() { sed 's/"time":{[^}]*}//' "$1"; }

# 1. One run: results stream, JUnit, reports.
"$BIN" run -q --batch $SWEEP --out "$TMP/full" --junit "$TMP/full.xml" >"$TMP/full.out" 2>"$TMP/full.err"
rc=$?
check "run: exit 1 (the sweep has vllm-xpu failures)" [ "$rc" -eq 1 ]
check "run: one results.jsonl line per case (144)" [ "$(lines "$TMP/full/results.jsonl")" -eq 144 ]
check "run: every line names index, sweep, desc, verdict, device, kernel hash, git" \
    sh -c "! grep -v '\"index\":[0-9]*,\"sweep\":{\"cases\":144,.*\"desc\":\"fmt=.*\"verdict\":\"[A-Z]*\".*\"device\":{\"name\".*\"fnv1a64\":\"[0-9a-f]\\{16\\}\".*\"git\":' '$TMP/full/results.jsonl'"
check "run: non-finite metrics are strings (sqnr_db \"inf\")" grep -q '"sqnr_db":"inf"' "$TMP/full/results.jsonl"
check "run: failing cases with an output carry an error grid" grep -q '"verdict":"FAILED".*"grid":{"rows":[0-9]*,"cols":40' "$TMP/full/results.jsonl"
check "run: an adapter's failure carries the grid over the weights it handed over" \
    grep -q '"verdict":"FAILED".*adapter=vllm-xpu.*"grid":{.*"space":"weights"}' "$TMP/full/results.jsonl"
check "JUnit: well-formed (xmllint)" xmllint --noout "$TMP/full.xml"
check "JUnit: valid against tests/junit.xsd" xmllint --noout --schema $XSD "$TMP/full.xml" 2>/dev/null
failed=$(sed -n 's/^summary: total=144 passed=[0-9]* failed=\([0-9]*\) .*/\1/p' "$TMP/full.out")
check "JUnit: counts match the run's summary ($failed failed)" \
    grep -q "<testsuites name=\"gptq-harness\" tests=\"144\" failures=\"$failed\" errors=\"0\" skipped=\"0\"" "$TMP/full.xml"
check "JUnit: failures carry metrics and the repro line" \
    grep -q "^metrics: max_ulp=.*" "$TMP/full.xml"
check "JUnit: repro lines" grep -q "^repro: .*gptq-harness run &apos;fmt=" "$TMP/full.xml"
check "JUnit: where in system-out" grep -q "<system-out>where: adapter wrong" "$TMP/full.xml"
check "report.html: well-formed XML (XHTML with inline SVG)" xmllint --noout "$TMP/full/report.html"
# one heatmap per diagnosis: as many as distinct diagnoses among the cases with a grid
withgrid=$(grep -c '"grid":{' "$TMP/full/results.jsonl")
ngroups=$(grep '"grid":{' "$TMP/full/results.jsonl" | sed -n 's/.*"diagnosis":"\([^;"]*\).*/\1/p' | sort -u | wc -l)
nheat=$(ls "$TMP/full/plots/" | grep -c '^heat-.*\.png$')
check "heatmaps: one per diagnosis ($nheat for $ngroups diagnoses of $withgrid cases with a grid)" \
    sh -c "[ $ngroups -ge 1 ] && [ $withgrid -gt $ngroups ] && [ $nheat -eq $ngroups ]"
check "report.html: error-vs-K, by-variant and heatmap SVGs inline" \
    [ "$(grep -c '<svg' "$TMP/full/report.html")" -eq $((2 + ngroups)) ]
nzt=$(grep '"verdict":"FAILED"' "$TMP/full/results.jsonl" | grep -c '"diagnosis":"explained by fault zeros-transposed (')
check "report.md: worst cases grouped by diagnosis ($nzt zeros-transposed cases in one row)" \
    sh -c "[ $nzt -ge 2 ] && [ \$(grep -c '^| $nzt | \*\*FAIL\*\* explained by fault zeros-transposed (' '$TMP/full/report.md') -eq 1 ]"
check "report.html: sections" sh -c "grep -q 'Format x variant' '$TMP/full/report.html' && grep -q 'Worst cases' '$TMP/full/report.html' && grep -q 'kernel FNV-1a 64' '$TMP/full/report.html'"
check "report.html: no plot missing" sh -c "! grep -q 'missing' '$TMP/full/report.html'"
pngs=$(sed -n 's/.*](\(plots\/[^)]*\.png\)).*/\1/p' "$TMP/full/report.md")
allpng=1
for p in $pngs; do [ -s "$TMP/full/$p" ] || allpng=0; done
check "report.md: links PNG plots that exist ($(echo $pngs | wc -w))" sh -c "[ $allpng -eq 1 ] && [ $(echo $pngs | wc -w) -eq $((2 + ngroups)) ]"
check "report.md: matrix marks failures" grep -q '| gptq-v2 / vllm-xpu | ok' "$TMP/full/report.md"

# 1b. The heatmap's grid shows a layout bug as a pattern: a kernel that reads
#     the zero point of column n from nibble (n % 8) & 3 is right on columns
#     n % 8 < 4 and wrong on the others: stripes four columns wide.
sed 's|zp\[(size_t)g \* (size_t)(N / 8) + (size_t)(n / 8)\], n % 8)|zp[(size_t)g * (size_t)(N / 8) + (size_t)(n / 8)], (n % 8) \& 3)|' \
    kernels/w4a16_gemm.cl >"$TMP/zpbug.cl"
"$BIN" run -q --kernel "$TMP/zpbug.cl" 'fmt=ct zp=asym m=16 n=64 k=256 g=32 data=exact' \
    --out "$TMP/zpbug" >/dev/null 2>&1
check "heatmap: the planted zero-point bug was planted" grep -q '(n % 8) & 3' "$TMP/zpbug.cl"
awk '{
    if (!match($0, /"grid":\{"rows":16,"cols":64,"m":16,"n":64,"cells":\[[^]]*\]/)) exit 1
    g = substr($0, RSTART, RLENGTH); sub(/.*"cells":\[/, "", g); sub(/\]$/, "", g)
    n = split(g, c, ",")
    if (n != 16 * 64) exit 1
    for (i = 1; i <= n; i++) {
        col = (i - 1) % 64
        if (col % 8 < 4 && c[i] + 0 != 0) bad++      # right columns: exactly 0
        if (col % 8 >= 4) wrong[col] += (c[i] + 0 > 0)
    }
    for (col = 4; col < 64; col += (col % 8 == 7) ? 5 : 1) if (wrong[col] < 8) bad++
    exit bad > 0
}' "$TMP/zpbug/results.jsonl"
check "heatmap: grid shows stripes (columns n % 8 < 4 right, the others wrong)" [ $? -eq 0 ]
check "heatmap: drawn in report.html" grep -q 'FAILED #0: fmt=ct' "$TMP/zpbug/report.html"

# 2. Shards 1/3, 2/3, 3/3 merged equal the unsharded run (timings aside).
for i in 1 2 3; do
    "$BIN" run -q --batch $SWEEP --shard $i/3 --out "$TMP/s$i" >/dev/null 2>&1
done
check "shards: 48 cases each" sh -c "[ $(lines "$TMP/s1/results.jsonl") -eq 48 ] && [ $(lines "$TMP/s3/results.jsonl") -eq 48 ]"
"$BIN" report merge "$TMP/s3" "$TMP/s1" "$TMP/s2" --out "$TMP/merged" --junit "$TMP/merged.xml" \
    >"$TMP/merge.out" 2>"$TMP/merge.err"
rc=$?
check "merge: exit 1 like the unsharded run" [ "$rc" -eq 1 ]
untimed "$TMP/full/results.jsonl" >"$TMP/a"
untimed "$TMP/merged/results.jsonl" >"$TMP/b"
check "merge: results.jsonl equals the unsharded run's (verdicts, metrics, grids; timings aside)" cmp -s "$TMP/a" "$TMP/b"
# the head (when, where, which command) and the case time are the only lines that differ
HEAD_MD='^- (written|host|command|batch files): '
HEAD_HTML='^<tr><th>(written|host|command|batch files)</th>'
check "merge: report.md equals the unsharded run's (but the head and the case time)" \
    sh -c "grep -Ev 'Case time|$HEAD_MD' '$TMP/full/report.md' >'$TMP/c'; grep -Ev 'Case time|$HEAD_MD' '$TMP/merged/report.md' >'$TMP/d'; cmp -s '$TMP/c' '$TMP/d'"
check "merge: report.html equals the unsharded run's (but the head and the case time)" \
    sh -c "grep -Ev 'Case time|$HEAD_HTML' '$TMP/full/report.html' >'$TMP/c'; grep -Ev 'Case time|$HEAD_HTML' '$TMP/merged/report.html' >'$TMP/d'; cmp -s '$TMP/c' '$TMP/d'"
check "report: the head names the command, the host and the batch file" \
    sh -c "grep -q '^- command: .*run -q --batch' '$TMP/full/report.md' && grep -q '^- host: ' '$TMP/full/report.md' && grep -q '^<tr><th>batch files</th><td>.*reports.batch' '$TMP/full/report.html' && grep -q '^- written: 20[0-9-]* [0-9:]* UTC' '$TMP/merged/report.md'"
check "merge: same summary line" sh -c "[ \"$(tail -1 "$TMP/merge.out")\" = \"$(tail -1 "$TMP/full.out")\" ]"
check "merge: JUnit valid" xmllint --noout --schema $XSD "$TMP/merged.xml" 2>/dev/null
"$BIN" report merge "$TMP/s1" "$TMP/s2" --out "$TMP/partial" >/dev/null 2>"$TMP/partial.err"
check "merge of 2 of 3 shards: exit 1, names the missing cases" \
    sh -c "[ $? -eq 1 ] && grep -q 'case #2 of the sweep is missing' '$TMP/partial.err' && grep -q '48 of 144 cases missing' '$TMP/partial.err'"
"$BIN" report merge "$TMP/s1" "$TMP/s1" --out "$TMP/dup" >/dev/null 2>"$TMP/dup.err"
check "merge of a shard twice: exit 2 (overlap)" sh -c "[ $? -eq 2 ] && grep -q 'in two shards' '$TMP/dup.err'"
"$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' --out "$TMP/other" >/dev/null 2>&1
"$BIN" report merge "$TMP/s1" "$TMP/other" --out "$TMP/mix" >/dev/null 2>"$TMP/mix.err"
check "merge of two sweeps: exit 2" sh -c "[ $? -eq 2 ] && grep -q 'different sweeps' '$TMP/mix.err'"
mkdir -p "$TMP/garbage"
printf '{"index": 0, "sweep": 3}\n' >"$TMP/garbage/results.jsonl"
"$BIN" report merge "$TMP/garbage" --out "$TMP/g2" >/dev/null 2>"$TMP/garbage.err"
check "merge of a bad results file: exit 2, names file:line and field" \
    sh -c "[ $? -eq 2 ] && grep -q 'results.jsonl:1: field .sweep.' '$TMP/garbage.err'"

# 3. Baselines: planted drift (an error 4x+ larger than the baseline says,
#    still passing) warns; a planted regression fails the run.
awk '!done && /"verdict":"PASSED"/ && /data=real/ {
        if (match($0, /"worst_ratio":[0-9.e+-]+/) && substr($0, RSTART + 14, RLENGTH - 14) + 0 > 0.05) {
            sub(/"worst_ratio":[0-9.e+-]+/, "\"worst_ratio\":0.001"); done = 1
            match($0, /"desc":"[^"]*"/); print substr($0, RSTART + 8, RLENGTH - 9) > "/dev/stderr"
        }
    } { print }' "$TMP/full/results.jsonl" >"$TMP/drift-base.jsonl" 2>"$TMP/drift-desc"
"$BIN" run -q --batch $SWEEP --baseline "$TMP/drift-base.jsonl" --out "$TMP/drift" \
    >"$TMP/drift.out" 2>"$TMP/drift.err"
rc=$?
check "drift: a case was planted" [ -s "$TMP/drift-desc" ]
check "drift: exit 0 (known failures and drift do not fail the run)" [ "$rc" -eq 0 ]
check "drift: stdout flags exactly the planted case" \
    sh -c "grep -A1 '^DRIFT' '$TMP/drift.out' | grep -qF \"$(cat "$TMP/drift-desc")\" && [ \$(grep -c '^DRIFT' '$TMP/drift.out') -eq 1 ]"
check "drift: counted on stdout" grep -q '^baseline: regressions: 0 new failures: 0 drift: 1 fixed: 0 known failures: [1-9]' "$TMP/drift.out"
check "drift: in the report" grep -q '| DRIFT | DRIFT: worst_ratio 0.001 ->' "$TMP/drift/report.md"
sed '0,/"verdict":"FAILED"/s//"verdict":"PASSED"/' "$TMP/full/results.jsonl" >"$TMP/regr-base.jsonl"
"$BIN" run -q --batch $SWEEP --baseline "$TMP/regr-base.jsonl" --out "$TMP/regr" --junit "$TMP/regr.xml" \
    >"$TMP/regr.out" 2>/dev/null
rc=$?
check "regression: exit 1" [ "$rc" -eq 1 ]
check "regression: flagged first on stdout with its repro line" \
    sh -c "grep -A2 '^REGRESSION' '$TMP/regr.out' | grep -q 'repro: .*run .fmt='"
check "regression: first in report.html" \
    sh -c "awk '/Against the baseline/ { b = NR } /id=\"summary\"/ { s = NR } END { exit !(b && s && b < s) }' '$TMP/regr/report.html' && grep -q '<td>REGRESSION</td>' '$TMP/regr/report.html'"
check "regression: in JUnit (valid)" sh -c "xmllint --noout --schema $XSD '$TMP/regr.xml' 2>/dev/null && grep -q '^baseline: REGRESSION: PASSED in the baseline, FAILED now' '$TMP/regr.xml'"
"$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' --baseline /nonexistent/results.jsonl >/dev/null 2>"$TMP/nob.err"
check "missing baseline: exit 2" sh -c "[ $? -eq 2 ] && grep -q 'nonexistent' '$TMP/nob.err'"
"$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' --drift-factor 0.5 >/dev/null 2>&1
check "bad --drift-factor: exit 2" [ $? -eq 2 ]
# Coverage lost: every case skipped now (--max-bytes 1) that passed in the
# baseline is flagged NOT RUN and counted; a warning, but a run in which
# every case was skipped checked nothing: exit 1, baseline or not.
npassed=$(grep -c '"verdict":"PASSED"' "$TMP/full/results.jsonl")
"$BIN" run -q --batch $SWEEP --max-bytes 1 --baseline "$TMP/full/results.jsonl" --out "$TMP/lost" \
    >"$TMP/lost.out" 2>"$TMP/lost.err"
rc=$?
check "every case skipped, against a baseline: exit 1 (nothing was checked)" [ "$rc" -eq 1 ]
check "every case skipped: stderr says nothing was checked" \
    grep -q 'nothing was checked: all [0-9]* case(s) were SKIPPED' "$TMP/lost.err"
"$BIN" run -q --max-bytes 1 'fmt=ct m=3 n=16 k=64 g=32' >"$TMP/lost1.out" 2>/dev/null
rc=$?
check "every case skipped, no baseline: exit 1, the summary says so" \
    sh -c "[ $rc -eq 1 ] && grep -q '^summary: total=1 passed=0 failed=0 mistrusted=0 skipped=1 errors=0 exit=1\$' '$TMP/lost1.out'"
"$BIN" run -q --max-bytes 1M 'fmt=ct m=3 n=16 k=64 g=32' 'fmt=ct m=64 n=4096 k=4096 g=128' \
    >"$TMP/lost2.out" 2>/dev/null
rc=$?
check "one case skipped, one passed: exit 0" \
    sh -c "[ $rc -eq 0 ] && grep -q '^summary: total=2 passed=1 failed=0 mistrusted=0 skipped=1 errors=0 exit=0\$' '$TMP/lost2.out'"
check "skipped now, passed before: $npassed counted as no longer run" \
    grep -q "^baseline: .* no longer run: $npassed\$" "$TMP/lost.out"
check "skipped now, passed before: listed as NOT RUN" grep -q '^NOT RUN .*fmt=' "$TMP/lost.out"
# --out on a directory that already holds a run says it replaces it.
"$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' --out "$TMP/again" >/dev/null 2>&1
"$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' --out "$TMP/again" >/dev/null 2>"$TMP/again.err"
check "--out on an earlier run's directory: a note says it is replaced" grep -q 'already holds a run' "$TMP/again.err"
# A baseline that shares no case with the run (another sweep) is said so.
"$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32 seed=99' --baseline "$TMP/full/results.jsonl" \
    --out "$TMP/other" >"$TMP/other.out" 2>/dev/null
check "baseline from another sweep: warned" grep -q 'none of this run.s 1 cases is in the baseline' "$TMP/other.out"

# 4. Without gnuplot the reports are still written and say the plots are missing.
GPTQ_HARNESS_GNUPLOT=/nonexistent/gnuplot "$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32 data=real' \
    --out "$TMP/nogp" >/dev/null 2>"$TMP/nogp.err"
rc=$?
check "no gnuplot: exit 0 (per the verdicts)" [ "$rc" -eq 0 ]
check "no gnuplot: report.html says plots are missing" grep -q 'plots are missing: cannot run gnuplot' "$TMP/nogp/report.html"
check "no gnuplot: report.md says so too" grep -q 'plots are missing' "$TMP/nogp/report.md"
check "no gnuplot: report.html still well-formed" xmllint --noout "$TMP/nogp/report.html"

# 5. The default run directory and reports/latest.
mkdir -p "$TMP/cwd"
(cd "$TMP/cwd" && env -u GPTQ_HARNESS_REPORTS "$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' >/dev/null 2>&1)
first=$(readlink "$TMP/cwd/reports/latest")
(cd "$TMP/cwd" && env -u GPTQ_HARNESS_REPORTS "$BIN" run -q 'fmt=awq m=3 n=16 k=64 g=32' >/dev/null 2>&1)
second=$(readlink "$TMP/cwd/reports/latest")
check "default: reports/<UTC time>/ with results.jsonl" sh -c "echo '$first' | grep -Eq '^[0-9]{8}-[0-9]{6}(-[0-9]+)?$' && [ -s '$TMP/cwd/reports/$first/results.jsonl' ]"
check "default: reports/latest moves to the newest run" sh -c "[ '$first' != '$second' ] && grep -q 'fmt=awq' '$TMP/cwd/reports/latest/results.jsonl'"

# 6. --shard auto from CI variables.
CI_NODE_INDEX=2 CI_NODE_TOTAL=3 "$BIN" run -q --batch $SWEEP --shard auto --out "$TMP/auto" >/dev/null 2>&1
untimed "$TMP/s2/results.jsonl" >"$TMP/a"
untimed "$TMP/auto/results.jsonl" >"$TMP/b"
check "--shard auto (GitLab CI_NODE_INDEX=2 CI_NODE_TOTAL=3): the cases of shard 2/3" cmp -s "$TMP/a" "$TMP/b"
env -u CI_NODE_INDEX -u BUILDKITE_PARALLEL_JOB -u SLURM_ARRAY_TASK_ID "$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' --shard auto >/dev/null 2>"$TMP/auto.err"
check "--shard auto without CI variables: exit 2, says which" sh -c "[ $? -eq 2 ] && grep -q 'CI_NODE_INDEX' '$TMP/auto.err'"
"$BIN" run -q 'fmt=ct m=3 n=16 k=64 g=32' --shard 4/3 >/dev/null 2>&1
check "--shard 4/3: exit 2" [ $? -eq 2 ]

# 7. A killed run keeps every case it finished (each line is flushed).
"$BIN" run -q 'fmt=gptq-v1,ct zp=asym m=64 n=512 k=4096 g=128 seed=1,2,3,4,5,6,7,8,9,10' \
    --out "$TMP/kill" >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(lines "$TMP/kill/results.jsonl")" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
kept=$(lines "$TMP/kill/results.jsonl")
"$BIN" report merge "$TMP/kill" --out "$TMP/kill-m" >/dev/null 2>"$TMP/kill.err"
rc=$?
check "killed run: finished cases kept ($kept of 20) and readable" \
    sh -c "[ $kept -ge 2 ] && [ $kept -lt 20 ] && [ $rc -eq 1 ] && grep -q 'cases missing' '$TMP/kill.err'"

# 8. Progress: nothing when stderr is not a terminal; a line on a terminal.
check "progress: none when stderr is not a terminal" sh -c "! grep -q \"$(printf '\r')\" '$TMP/full.err'"
if command -v script >/dev/null 2>&1; then
    script -qec "'$BIN' run -q 'fmt=ct,awq m=3 n=16 k=64 g=32' --out '$TMP/tty'" /dev/null >"$TMP/tty.out" 2>&1
    check "progress: case i/N, elapsed on a terminal" grep -q '\[2/2\] 0:0[0-9] elapsed' "$TMP/tty.out"
fi

# 9. The nightly flow (scripts/nightly.sh) on small sweeps: smoke, 3 shards,
#    merge judged against the baseline (the full run above: its vllm-xpu
#    failures are known), promotion of a green night.
cat >"$TMP/smoke.batch" <<'B'
fmt=gptq-v1,ct zp=sym,asym g=32 m=3 n=16 k=64
B
cp "$TMP/full/results.jsonl" "$TMP/base.jsonl"
BIN="$BIN" SMOKE="$TMP/smoke.batch" EDGES="$TMP/smoke.batch" NIGHTLY=$SWEEP KERNEL=kernels/w4a16_gemm.cl \
    sh scripts/nightly.sh -n 3 -b "$TMP/base.jsonl" \
    -o "$TMP/night" --promote >/dev/null 2>"$TMP/night.err"
rc=$?
check "nightly.sh: green against the baseline (known failures only)" [ "$rc" -eq 0 ]
check "nightly.sh: merged report, JUnit valid" sh -c "[ -s '$TMP/night/nightly/report.html' ] && xmllint --noout --schema $XSD '$TMP/night/nightly/junit.xml' 2>/dev/null && xmllint --noout --schema $XSD '$TMP/night/smoke-w4a16_gemm_fast/junit.xml' 2>/dev/null"
untimed "$TMP/night/nightly/results.jsonl" >"$TMP/b"
check "nightly.sh: promoted the night to the baseline" sh -c "untimed() { sed 's/\"time\":{[^}]*}//' \"\$1\"; }; untimed '$TMP/base.jsonl' | cmp -s - '$TMP/b'"
BIN="$BIN" SMOKE="$TMP/smoke.batch" EDGES="$TMP/smoke.batch" NIGHTLY=$SWEEP KERNEL=kernels/w4a16_gemm.cl \
    sh scripts/nightly.sh -n 2 -b "$TMP/regr-base.jsonl" \
    -o "$TMP/night2" >/dev/null 2>"$TMP/night2.err"
check "nightly.sh: red on a regression, and says so" sh -c "[ $? -eq 1 ] && grep -q '^REGRESSION' '$TMP/night2.err'"
# The first night creates the baseline (--promote with a BASELINE not there yet),
# known failures and all; without --promote a missing baseline is a usage error.
BIN="$BIN" SMOKE="$TMP/smoke.batch" EDGES="$TMP/smoke.batch" NIGHTLY=$SWEEP KERNEL=kernels/w4a16_gemm.cl \
    sh scripts/nightly.sh -n 2 -b "$TMP/first/base.jsonl" -o "$TMP/night3" --promote >/dev/null 2>"$TMP/night3.err"
check "nightly.sh: the first night creates the baseline" \
    sh -c "[ $? -eq 0 ] && [ \$(wc -l <'$TMP/first/base.jsonl') -eq \$(wc -l <'$TMP/night3/nightly/results.jsonl') ] && grep -q 'becomes the first baseline' '$TMP/night3.err'"
BIN="$BIN" SMOKE="$TMP/smoke.batch" EDGES="$TMP/smoke.batch" NIGHTLY=$SWEEP \
    sh scripts/nightly.sh -n 2 -b "$TMP/none/base.jsonl" -o "$TMP/night4" >/dev/null 2>"$TMP/night4.err"
check "nightly.sh: a missing baseline without --promote: exit 2" \
    sh -c "[ $? -eq 2 ] && grep -q 'not found' '$TMP/night4.err'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# usability.sh - what the people who run the harness see (issue 18): the
# summary line, --help, unknown options, descriptor words, output folders,
# --out none, repro lines that carry the verdict's options, a kernel that does
# not build, replay of the recorded kernel, selftest --write-mutant, and the
# probe's weight-space heatmap of a kernel bug (none for a noise-only failure).
# Usage: sh tests/usability.sh build/gptq-harness
# Prints one line per check and "N passed, N failed"; exits 1 on any failure.
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=usability
. tests/checklib.sh
ONE='fmt=ct m=3 n=16 k=64 g=32'
BAD='fmt=gptq-v1 zp=asym m=1 n=64 k=256 g=32 fault=zeros-transposed'

# 1. The summary line: key=value words, exit= the exit code.
"$BIN" run -q --out none "$ONE" >"$TMP/one.out" 2>&1
check "summary line: parsable, total first, exit=0" \
    sh -c "[ $? -eq 0 ] && tail -1 '$TMP/one.out' | grep -Eq '^summary: total=1 passed=1 failed=0 mistrusted=0 skipped=0 errors=0 exit=0$'"
"$BIN" run -q --out none "$BAD" >"$TMP/bad.out" 2>&1
rc=$?
check "summary line: exit= is the exit code ($rc)" \
    sh -c "[ $rc -eq 1 ] && tail -1 '$TMP/bad.out' | grep -q ' failed=1 .* exit=1$'"

# 2. --help and run --help list every long option of run, a line each.
opts=$(sed -n 's/.*{"\([a-z-]*\)", \(required\|no\)_argument.*/\1/p' harness/cli/cmd_run.c harness/results/outputs.h)
"$BIN" run --help >"$TMP/runhelp" 2>&1
"$BIN" --help >"$TMP/help" 2>&1
missing=
for o in $opts; do
    grep -Eq "^ +(-[a-z], )?--$o( |$)" "$TMP/runhelp" || missing="$missing run:--$o"
    grep -Eq "^ +(-[a-z], )?--$o( |$)" "$TMP/help" || missing="$missing help:--$o"
done
check "help: every run option ($(echo $opts | wc -w)) on a line of its own in --help and run --help${missing:+; missing$missing}" \
    sh -c "[ -z '$missing' ] && [ $(echo $opts | wc -w) -ge 20 ]"
"$BIN" report merge --help >"$TMP/mergehelp" 2>&1
check "report merge --help lists -q and -v" sh -c "grep -q -- '-q, --quiet' '$TMP/mergehelp' && grep -q -- '-v, --verbose' '$TMP/mergehelp'"

# 3. An unknown option names the nearest one.
"$BIN" run --repaet 3 "$ONE" >/dev/null 2>"$TMP/typo.err"
check "unknown option: exit 2, did you mean --repeat?" \
    sh -c "[ $? -eq 2 ] && grep -q \"unknown option '--repaet'; did you mean --repeat?\" '$TMP/typo.err'"
"$BIN" replay --kernal x.cl y >/dev/null 2>"$TMP/typo2.err"
check "unknown option of replay: did you mean --kernel?" grep -q 'did you mean --kernel?' "$TMP/typo2.err"
"$BIN" run --junit >/dev/null 2>"$TMP/noval.err"
check "an option without its value says so" grep -q "option '--junit' needs a value" "$TMP/noval.err"

# 4. Unquoted descriptor words form one descriptor; a mix is refused.
"$BIN" run -q --out none fmt=ct m=3 n=40 k=384 g=32 >"$TMP/words.out" 2>&1
check "descriptor words: one case" sh -c "[ $? -eq 0 ] && tail -1 '$TMP/words.out' | grep -q '^summary: total=1 '"
"$BIN" run -q --out none "$ONE" m=2 >/dev/null 2>"$TMP/mix.err"
check "quoted descriptor and loose words: exit 2, says quote each" \
    sh -c "[ $? -eq 2 ] && grep -q 'quote each descriptor' '$TMP/mix.err'"

# 5. Output folders: --junit's is created; an impossible one fails before the first case.
"$BIN" run -q --out "$TMP/o/deep/run" --junit "$TMP/j/deep/er/junit.xml" "$ONE" >/dev/null 2>&1
check "--junit and --out create their folders" sh -c "[ -s '$TMP/j/deep/er/junit.xml' ] && [ -s '$TMP/o/deep/run/results.jsonl' ]"
"$BIN" run --junit /proc/version/j.xml "$ONE" >"$TMP/nj.out" 2>"$TMP/nj.err"
check "--junit into an impossible folder: exit 2 before any case" \
    sh -c "[ $? -eq 2 ] && ! grep -q PASSED '$TMP/nj.out' && grep -q '/proc/version' '$TMP/nj.err'"

# 6. --out none: no run directory, JUnit still written.
GPTQ_HARNESS_REPORTS="$TMP/none-reports" "$BIN" run -q --out none --junit "$TMP/none.xml" "$ONE" \
    >"$TMP/none.out" 2>&1
check "--out none: no run directory, JUnit written" \
    sh -c "[ $? -eq 0 ] && [ ! -e '$TMP/none-reports' ] && [ ! -e none ] && [ -s '$TMP/none.xml' ]"

# 7. Repro lines carry the options that change a verdict, and reproduce it.
"$BIN" run -q --out none --repeat 3 --case-timeout 20 --max-bytes 4G "$BAD" >"$TMP/rep.out" 2>&1
repro=$(sed -n 's/^    repro: //p' "$TMP/rep.out")
check "repro line: --repeat 3 --case-timeout 20 --max-bytes" \
    sh -c "echo \"$repro\" | grep -q -- '--repeat 3 --case-timeout 20 --max-bytes 4294967296 '"
eval "$repro -q --out none" >"$TMP/again.out" 2>&1
check "repro line: reruns to the same verdict" sh -c "[ $? -eq 1 ] && tail -1 '$TMP/again.out' | grep -q ' failed=1 '"

# 8. A kernel that does not build: each build configuration once, with its
#    log naming the user's file.
sed 's/acc +=/acc +== /' kernels/w4a16_gemm.cl >"$TMP/broken.cl"
"$BIN" run --out none --kernel "$TMP/broken.cl" 'fmt=ct zp=sym,asym m=1,2,3 n=16 k=64 g=32' \
    >"$TMP/broken.out" 2>/dev/null
check "build failure: exit 1, 6 errors" sh -c "[ $? -eq 1 ] && tail -1 '$TMP/broken.out' | grep -q ' errors=6 exit=1$'"
check "build failure: the log printed once per build configuration (2)" \
    [ "$(grep -c '^    build log:' "$TMP/broken.out")" -eq 2 ]
check "build failure: a closing line counts the rest" \
    grep -q '^build: the kernel did not build (or did not fit the ABI) for 2 build configuration(s), .*; 4 more case(s)' "$TMP/broken.out"
check "build failure: the log names the user's file, not the runtime's copy" \
    sh -c "grep -q '    | .*broken.cl:[0-9]*:[0-9]*: ' '$TMP/broken.out' && ! grep -q 'kcache\|tempfile' '$TMP/broken.out'"

# 9. selftest --write-mutant; replay reruns the kernel a fixture recorded.
"$BIN" selftest --write-mutant nibble7-sign "$TMP/mutant.cl" 2>"$TMP/wm.err"
check "selftest --write-mutant: writes the mutated kernel, runs nothing" \
    sh -c "[ $? -eq 0 ] && ! cmp -s '$TMP/mutant.cl' kernels/w4a16_gemm.cl && grep -q 'written to' '$TMP/wm.err'"
"$BIN" selftest --write-mutant no-such-bug "$TMP/x.cl" 2>"$TMP/wm2.err"
check "selftest --write-mutant of an unknown mutant: exit 2, lists the mutants" \
    sh -c "[ $? -eq 2 ] && grep -q 'nibble7-sign' '$TMP/wm2.err'"
"$BIN" run -q --out none --kernel "$TMP/mutant.cl" --save-failures "$TMP/fx" "$ONE" >/dev/null 2>&1
"$BIN" run -q --kernel "$TMP/mutant.cl" --out "$TMP/mutrun" "$ONE" >/dev/null 2>&1
check "report of a kernel bug: grouped by the probe's finding, no heatmap of the noisy output" \
    sh -c "grep -q \"kernel's weights wrong in rows k with index % 8 in {7}\" '$TMP/mutrun/report.md' && ! ls '$TMP/mutrun/plots' | grep -q '^heat-'"
# 9b. The probe's weight-space map (item 7): kept in results.jsonl, drawn as
#     the group's heatmap; a partial probe's rows not probed; none for noise.
awk '{
    if (!match($0, /"probe":\{"rows":64,"cols":16,"k":64,"n":16,"probed":64,"layout":"rows","cells":\[[^]]*\]/)) exit 1
    g = substr($0, RSTART, RLENGTH); sub(/.*"cells":\[/, "", g)
    if (split(g, c, ",") != 64 * 16) exit 1
    for (i = 1; i <= 64 * 16; i++) {
        k = int((i - 1) / 16)
        if (k % 8 != 7 && c[i] + 0 != 0) bad++   # rows k % 8 != 7: read right
        if (k % 8 == 7) wrong += (c[i] + 0 > 0)
    }
    exit bad > 0 || wrong < 16
}' "$TMP/mutrun/results.jsonl"
check "probe map in results.jsonl: rows k % 8 == 7 wrong, every other row right" [ $? -eq 0 ]
PNG=$(sed -n 's/^!\[weights the kernel reads wrong\](\(plots\/probe-[0-9]*\.png\))$/\1/p' "$TMP/mutrun/report.md")
check "report.md: the probe heatmap, explained, its PNG and data written" \
    sh -c "[ -n '$PNG' ] && [ -s '$TMP/mutrun/$PNG' ] && [ \$(grep -c . '$TMP/mutrun/plots/probe-0.dat') -eq 64 ] && grep -q 'drawn: weights the kernel reads wrong (one-hot probe of all 64 rows) of FAILED #0' '$TMP/mutrun/report.md' && grep -q 'fraction of the probed weights in the cell that the kernel reads wrong' '$TMP/mutrun/report.md'"
check "report.html: the probe heatmap inline (3 SVGs), labels as plain text, well-formed" \
    sh -c "[ \$(grep -c '<svg' '$TMP/mutrun/report.html') -eq 3 ] && grep -q '>Weights the kernel reads wrong (one-hot probe of all 64 rows)<' '$TMP/mutrun/report.html' && grep -q '>weight row k<' '$TMP/mutrun/report.html' && grep -q '<figcaption>.*drawn: weights the kernel reads wrong' '$TMP/mutrun/report.html' && xmllint --noout '$TMP/mutrun/report.html'"
"$BIN" report merge "$TMP/mutrun" --out "$TMP/rerun" >/dev/null 2>&1
check "report merge RUN: re-rendered from results.jsonl, the probe heatmap again" \
    sh -c "[ -s '$TMP/rerun/plots/probe-0.png' ] && cmp -s '$TMP/mutrun/plots/probe-0.dat' '$TMP/rerun/plots/probe-0.dat'"
"$BIN" selftest --write-mutant nibble5-high-k "$TMP/n5.cl" 2>/dev/null
"$BIN" run -q --kernel "$TMP/n5.cl" --out "$TMP/n5run" 'fmt=ct m=4 n=64 k=4096 g=128 data=exact' >/dev/null 2>&1
check "partial probe: the map says how many rows, marks cells not probed (null; -1 in the .dat)" \
    sh -c "grep -q '\"probe\":{\"rows\":64,\"cols\":64,\"k\":4096,\"n\":64,\"probed\":64,\"layout\":\"slots\",\"cells\":\[[^]]*null' '$TMP/n5run/results.jsonl' && grep -q -- '-1' '$TMP/n5run/plots/probe-0.dat' && grep -q 'drawn: weights the kernel reads wrong (partial one-hot probe of 64 of 4096 rows; grey: not probed)' '$TMP/n5run/report.md'"
"$BIN" selftest --write-mutant f16-accumulate "$TMP/acc.cl" 2>/dev/null
"$BIN" run -q --kernel "$TMP/acc.cl" --out "$TMP/accrun" 'fmt=ct m=8 n=64 k=1024 g=128 data=real' >/dev/null 2>&1
check "noise-only failure (f16 accumulation): FAILED, no probe map, no heatmap drawn" \
    sh -c "[ $? -eq 1 ] && grep -q '\"verdict\":\"FAILED\"' '$TMP/accrun/results.jsonl' && ! grep -q '\"probe\"' '$TMP/accrun/results.jsonl' && ! ls '$TMP/accrun/plots' | grep -q '^probe-\|^heat-' && grep -q 'not drawn: nearly every cell' '$TMP/accrun/report.md' && ! grep -q 'drawn: weights the kernel reads wrong' '$TMP/accrun/report.md'"
rm -f "$TMP/n5.cl" "$TMP/acc.cl"
FX=$(ls "$TMP"/fx/*.safetensors.gz 2>/dev/null | head -1)
check "mutant: a failing fixture saved" [ -n "$FX" ]
"$BIN" replay "$FX" >"$TMP/rp.out" 2>"$TMP/rp.err"
check "replay: reruns the recorded (mutant) kernel: FAILED again" \
    sh -c "[ $? -eq 1 ] && grep -q '^FAILED' '$TMP/rp.out' && grep -q 'with kernel .*mutant.cl' '$TMP/rp.out'"
"$BIN" replay --kernel kernels/w4a16_gemm.cl "$FX" >"$TMP/rp2.out" 2>&1
check "replay --kernel: the fixed kernel passes, marked CHANGED (verdict and output)" \
    sh -c "[ $? -eq 0 ] && grep -q '^    CHANGED: PASSED now, FAILED when recorded' '$TMP/rp2.out' && grep -q '^    CHANGED: the device output differs' '$TMP/rp2.out' && grep -q '^replay: CHANGED: 1 of 1' '$TMP/rp2.out'"
echo '// edited' >>"$TMP/mutant.cl"
"$BIN" replay -q "$FX" >/dev/null 2>"$TMP/rp3.err"
check "replay: a recorded kernel that changed since: a warning" grep -q 'changed since the fixture was recorded' "$TMP/rp3.err"
rm "$TMP/mutant.cl"
"$BIN" replay "$FX" >"$TMP/rp4.out" 2>&1
check "replay: a recorded kernel that is gone: ERROR saying so" \
    sh -c "[ $? -eq 1 ] && grep -q '^ERROR' '$TMP/rp4.out' && grep -q 'cannot be read (.*mutant.cl: cannot open: No such file or directory); give --kernel' '$TMP/rp4.out'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

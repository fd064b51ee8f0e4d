#!/bin/sh
# random.sh - `run --random N [--seed S] [--budget SECONDS]`: the seed is
# printed (drawn when not given), the same seed gives the same cases, every
# case is a one-line repro that reruns alone with the same result, the time
# budget stops the run, usage errors exit 2.
# Usage: sh tests/random.sh build/gptq-harness
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=random
. tests/checklib.sh

descs() { sed -n 's/^[A-Z]* .*s  \(fmt=.*\)$/\1/p' "$1"; }

"$BIN" run --random 6 --seed 5 --out "$TMP/r1" >"$TMP/a.out" 2>"$TMP/a.err"
rc=$?
check "random 6 seed 5: exit 0 on the plain kernel" [ "$rc" -eq 0 ]
check "random: the seed printed first" \
    sh -c "head -1 '$TMP/a.out' | grep -q '^random: 6 case(s), seed 5 (repeat: --random 6 --seed 5)'"
descs "$TMP/a.out" >"$TMP/a.d"
check "random: 6 cases printed, each with its descriptor" [ "$(wc -l <"$TMP/a.d")" -eq 6 ]
check "random: summary counts 6" grep -q '^summary: total=6 passed=6 ' "$TMP/a.out"
"$BIN" run --random 6 --seed 5 --out "$TMP/r2" >"$TMP/b.out" 2>&1
descs "$TMP/b.out" >"$TMP/b.d"
check "random: the same seed gives the same cases" cmp -s "$TMP/a.d" "$TMP/b.d"
"$BIN" run --random 6 --seed 6 --out "$TMP/r3" >"$TMP/c.out" 2>&1
descs "$TMP/c.out" >"$TMP/c.d"
check "random: another seed gives other cases" sh -c "! cmp -s '$TMP/a.d' '$TMP/c.d'"

# every case is a repro line: rerun alone, same descriptor and verdict
n=0
ok=0
while IFS= read -r d; do
    n=$((n + 1))
    "$BIN" run --out "$TMP/one$n" "$d" >"$TMP/one.out" 2>&1 &&
        [ "$(descs "$TMP/one.out")" = "$d" ] && grep -q '^PASSED' "$TMP/one.out" && ok=$((ok + 1))
done <"$TMP/a.d"
check "random: each case reruns alone from its line ($ok/$n)" [ "$ok" -eq "$n" ]

# no seed given: one is drawn and printed, and it repeats the run
"$BIN" run -q --random 3 --out "$TMP/r4" >"$TMP/d.out" 2>&1
seed=$(sed -n 's/^random: 3 case(s), seed \([0-9][0-9]*\) .*/\1/p' "$TMP/d.out")
check "random: a drawn seed is printed" [ -n "$seed" ]
"$BIN" run --random 3 --seed "${seed:-0}" --out "$TMP/r5" >"$TMP/e.out" 2>&1
"$BIN" run --random 3 --seed "${seed:-0}" --out "$TMP/r6" >"$TMP/f.out" 2>&1
check "random: the printed seed repeats the cases" \
    sh -c "[ -s '$TMP/e.out' ] && [ \"\$(sed -n 's/^[A-Z]* .*s  \\(fmt=.*\\)\$/\\1/p' '$TMP/e.out')\" = \"\$(sed -n 's/^[A-Z]* .*s  \\(fmt=.*\\)\$/\\1/p' '$TMP/f.out')\" ]"

# the time budget: no case starts after it
"$BIN" run -q --random 200 --seed 1 --budget 0.5 --out "$TMP/r7" >"$TMP/g.out" 2>&1
rc=$?
check "budget: exit 0 (the cases run passed)" [ "$rc" -eq 0 ]
check "budget: says it stopped" grep -q '^budget: 0.5 s spent after [0-9]* of 200 case(s); the rest was not started' "$TMP/g.out"
ran=$(sed -n 's/^summary: total=\([0-9]*\) .*/\1/p' "$TMP/g.out")
check "budget: fewer cases than asked ($ran of 200)" [ "${ran:-200}" -lt 200 ]

# usage errors
"$BIN" run --seed 3 'm=1' >/dev/null 2>"$TMP/u1.err"
check "--seed without --random: exit 2" [ $? -eq 2 ]
"$BIN" run --random 0 >/dev/null 2>&1
check "--random 0: exit 2" [ $? -eq 2 ]
"$BIN" run --random 3 --budget -1 >/dev/null 2>&1
check "--budget -1: exit 2" [ $? -eq 2 ]
"$BIN" run --random 3 --seed 12x >/dev/null 2>&1
check "--seed 12x: exit 2" [ $? -eq 2 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

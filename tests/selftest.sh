#!/bin/sh
# selftest.sh - end-to-end checks of planted faults, mutant kernels, the
# selftest command and the diagnosis, on the default OpenCL device (PoCL in
# CI). Usage: sh tests/selftest.sh build/gptq-harness
# Prints one line per check and "N passed, N failed"; exits 1 on any failure.
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=selftest
. tests/checklib.sh

# The catalogue, from the usage error of an unknown fault name.
"$BIN" run 'm=2 fault=no-such-fault' >/dev/null 2>"$TMP/names.err"
rc=$?
check "run: unknown fault -> exit 2" [ "$rc" -eq 2 ]
check "run: unknown fault message lists the known ones" grep -q "known: zeros-transposed" "$TMP/names.err"
FAULTS=$(sed -n 's/.*known: \(.*\))$/\1/p' "$TMP/names.err")
nfaults=$(echo "$FAULTS" | wc -w)
check "catalogue has at least 18 faults ($nfaults)" [ "$nfaults" -ge 18 ]
nmutants=$(ls tests/kernels/mutants/*.mut | wc -l)

# 1. The planted faults on the smoke and v1-zero sweeps (the reading faults
#    show only in v1-zero): clean run passes, every fault is
#    caught and the diagnosis names it in every catching case.
start=$(date +%s)
"$BIN" selftest --batch fixtures/sweeps/smoke.batch --batch fixtures/sweeps/v1-zero.batch --no-mutants >"$TMP/st.out" 2>"$TMP/st.err"
rc=$?
secs=$(($(date +%s) - start))
cat "$TMP/st.out"
echo "(faults on the smoke sweep took ${secs}s)"
check "selftest faults: exit 0" [ "$rc" -eq 0 ]
check "selftest faults: clean run all passed" \
    grep -Eq '^clean run: ([0-9]+) cases: \1 passed, 0 skipped, 0 failed' "$TMP/st.out"
check "selftest faults: mutation score $nfaults/$nfaults" \
    grep -q "^mutation score: $nfaults/$nfaults caught (100.0%)" "$TMP/st.out"
missing=0
for f in $FAULTS; do
    # name kind result caught/applicable named ...: caught, and named in every catching case
    awk -v f="$f" '$1 == f && $3 == "caught" { split($4, c, "/"); if (c[1] > 0 && $5 == c[1]) found = 1 }
        END { exit !found }' "$TMP/st.out" || { missing=$((missing + 1)); echo "  fault $f not caught or not named"; }
done
check "selftest faults: every catalogued fault caught and named" [ "$missing" -eq 0 ]
check "selftest faults: PASSED line" grep -q '^selftest: PASSED' "$TMP/st.out"

# 1a. Faults on edge data: the faulty arguments lose the edge data's exactness
#     (partial sums round, a huge row overflows a float), and the right
#     kernel's output must still be read as the adapter's fault and named
#     (the default job's contract sweep; this failed `make selftest` once).
cat >"$TMP/edge.batch" <<'B'
fmt=gptq-v1,awq zp=asym gidx=none,act g=32 dt=f16,bf16 data=edge m=9 n=40 k=256 bias=1 seed=41
fmt=gptq-v2 zp=asym g=8 dt=f16 data=edge m=67 n=40 k=128 bias=1 seed=44
B
"$BIN" selftest --no-mutants --batch "$TMP/edge.batch" --only scales-transposed \
    --only weight-wrong-axis --only zeros-transposed --only awq-as-gptq >"$TMP/edge.out" 2>&1
rc=$?
check "selftest faults on edge data: exit 0" [ "$rc" -eq 0 ]
for f in scales-transposed weight-wrong-axis zeros-transposed awq-as-gptq; do
    check "selftest faults on edge data: $f named in every catching case" \
        awk -v f="$f" '$1 == f && $3 == "caught" { split($4, c, "/"); if (c[1] > 0 && $5 == c[1]) ok = 1 }
            END { exit !ok }' "$TMP/edge.out"
done

# 1b. Every mutant kernel, old and new, on the default job (selftest's default
#     batches, what `make run` runs): all caught; the new classes need the
#     contract sweep, and escape the smoke and kernel-edges sweeps.
start=$(date +%s)
"$BIN" selftest --no-faults >"$TMP/mu.out" 2>"$TMP/mu.err"
rc=$?
secs=$(($(date +%s) - start))
cat "$TMP/mu.out"
echo "(mutants on the default job took ${secs}s)"
check "selftest mutants: exit 0" [ "$rc" -eq 0 ]
check "selftest mutants: the default job's clean run (1126 cases) passed" \
    grep -q '^clean run: 1126 cases: 1126 passed, 0 skipped, 0 failed' "$TMP/mu.out"
check "selftest mutants: mutation score $nmutants/$nmutants" \
    grep -q "^mutation score: $nmutants/$nmutants caught (100.0%)" "$TMP/mu.out"
for m in ftz-outputs ftz-inputs ties-away carry-truncated long-k-tile-group wide-n-tail \
    wide-n-scale-stride bias-m4 bias-prefill perm-ends-identity; do
    check "selftest mutants: $m caught" grep -Eq "^$m +mutant caught" "$TMP/mu.out"
done
check "selftest mutants: flushed subnormals are a named MISTRUSTED, not a silent pass" \
    sh -c "'$BIN' selftest --batch fixtures/sweeps/contract.batch --no-faults --only ftz-outputs \
        --keep-mutants '$TMP/ftz' >/dev/null 2>&1; '$BIN' run --kernel '$TMP/ftz/ftz-outputs.cl' \
        'fmt=ct zp=asym g=32 dt=bf16 data=edge m=9 n=40 k=256 bias=1 seed=41' 2>&1 |
        grep -q 'why: subnormals flushed to zero'"
# the new mutants escape the sweeps the default job had before the contract sweep
"$BIN" selftest --batch fixtures/sweeps/smoke.batch --batch fixtures/sweeps/kernel-edges.batch \
    --no-faults --only wide-n-tail --only long-k-tile-group --only bias-m4 --only ftz-outputs \
    >"$TMP/old.out" 2>&1
check "old job: four new mutants escape smoke + kernel-edges" \
    sh -c "[ \$(grep -Ec '^(wide-n-tail|long-k-tile-group|bias-m4|ftz-outputs) +mutant ESCAPED' '$TMP/old.out') -eq 4 ]"

# A small batch for the checks below.
cat >"$TMP/small.batch" <<'B'
fmt=gptq-v1,ct zp=sym,asym gidx=none,act g=32 dt=f16 data=exact m=3 n=40 k=128 bias=1
B

# 2. An equivalent mutant (changes a comment) escapes: selftest must fail.
mkdir "$TMP/mut"
cat >"$TMP/mut/comment-only.mut" <<'B'
mutant: changes a comment only (an equivalent mutant: no test can catch it)
-/* Nibble j (0..7) of a 32-bit word, low nibble first. */
+/* Nibble j of a word. */
B
"$BIN" selftest --batch "$TMP/small.batch" --no-faults --mutants "$TMP/mut" >"$TMP/eq.out" 2>&1
rc=$?
check "equivalent mutant: exit 1" [ "$rc" -eq 1 ]
check "equivalent mutant: ESCAPED" grep -q '^comment-only .*ESCAPED' "$TMP/eq.out"
check "equivalent mutant: score 0/1" grep -q '^mutation score: 0/1' "$TMP/eq.out"

# 3. A mutant whose hunk no longer matches the kernel is an ERROR, not a pass.
cat >"$TMP/mut/comment-only.mut" <<'B'
mutant: a hunk that matches nothing
-this line is not in the kernel
+nor this one
B
"$BIN" selftest --batch "$TMP/small.batch" --no-faults --mutants "$TMP/mut" >"$TMP/stale.out" 2>&1
rc=$?
check "stale mutant: exit 1" [ "$rc" -eq 1 ]
check "stale mutant: ERROR row naming the hunk" grep -q 'matches nowhere' "$TMP/stale.out"

# 4. The clean run must pass: a kernel that does not build fails the selftest.
"$BIN" selftest --batch "$TMP/small.batch" --kernel tests/kernels/does_not_compile.cl \
    --no-mutants --only bias-dropped >"$TMP/cl.out" 2>&1
check "broken kernel: selftest exit 1" [ $? -eq 1 ]

# 5. Usage errors exit 2.
"$BIN" selftest --only no-such-thing >/dev/null 2>"$TMP/u1.err"
check "selftest --only unknown: exit 2" [ $? -eq 2 ]
check "selftest --only unknown: names it" grep -q "no-such-thing" "$TMP/u1.err"
echo 'm=3 n=16 k=128 fault=bias-dropped' >"$TMP/f.batch"
"$BIN" selftest --batch "$TMP/f.batch" >/dev/null 2>"$TMP/u2.err"
check "selftest: batch with fault= -> exit 2" [ $? -eq 2 ]
"$BIN" selftest --frobnicate >/dev/null 2>&1
check "selftest: unknown option -> exit 2" [ $? -eq 2 ]

# 6. run with a planted fault: FAILED, and the diagnosis says what and where.
"$BIN" run 'fmt=gptq-v2 zp=asym g=32 m=3 n=40 k=128 fault=zeros-transposed' >"$TMP/p.out" 2>&1
check "planted fault: exit 1" [ $? -eq 1 ]
check "planted fault: diagnosis names it" \
    grep -q 'diagnosis: explained by fault zeros-transposed (' "$TMP/p.out"
check "planted fault: error constant within groups" \
    grep -q "constant over the group's 32 rows (a zero-point error)" "$TMP/p.out"
"$BIN" run 'fmt=gptq-v1 m=3 n=40 k=128 fault=awq-interleave-ignored' >"$TMP/na.out" 2>&1
check "fault not applicable: SKIPPED with the rule; the only case, so nothing was checked: exit 1" \
    sh -c "[ $? -eq 1 ] && grep -q 'fault not applicable: awq-interleave-ignored needs fmt=awq' '$TMP/na.out' && grep -q 'nothing was checked' '$TMP/na.out'"

# 7. A mutant kernel through run --kernel: kernel wrong, shape of the error,
#    and the one-hot probe of the weights it decodes.
"$BIN" selftest --batch "$TMP/small.batch" --no-faults --only last-tile-unwritten \
    --only nibble7-sign --keep-mutants "$TMP/kept" >/dev/null 2>&1
check "kept mutants written" [ -f "$TMP/kept/last-tile-unwritten.cl" ]
"$BIN" run --kernel "$TMP/kept/last-tile-unwritten.cl" 'fmt=ct g=32 m=3 n=40 k=128' >"$TMP/lt.out" 2>&1
check "last tile: kernel wrong" grep -q 'where: kernel wrong' "$TMP/lt.out"
check "last tile: only columns 32..39, never written" \
    grep -q 'rows m all 3 x columns n 32..39; 24 never written' "$TMP/lt.out"
"$BIN" run --kernel "$TMP/kept/nibble7-sign.cl" 'fmt=gptq-v1 g=32 m=3 n=40 k=128' >"$TMP/n7.out" 2>&1
check "nibble 7: the probe finds rows k % 8 == 7" grep -q 'rows k with index % 8 in {7}' "$TMP/n7.out"

: >"$TMP/empty.batch"
"$BIN" selftest --batch "$TMP/empty.batch" >/dev/null 2>"$TMP/empty.err"
check "selftest on a batch with no case: exit 2, said" sh -c "[ $? -eq 2 ] && grep -q 'holds no case' '$TMP/empty.err'"
"$BIN" inspect "$TMP/empty.batch" --seed -1 >/dev/null 2>&1
check "inspect --seed -1: exit 2" [ $? -eq 2 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# ci_docs.sh - the CI configurations of docs/ci.md (tests/tools/ci_docs.py):
# the YAML parses, each has the shape its CI system needs, and every command
# exists and accepts its options; a planted unknown option, a broken YAML
# block and a missing make target each fail the check.
# Usage: sh tests/ci_docs.sh build/gptq-harness
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=ci-docs
. tests/checklib.sh
ROOT=$(pwd)
CI="python3 $ROOT/tests/tools/ci_docs.py"

out=$($CI "$ROOT" "$BIN" 2>&1)
rc=$?
check "docs/ci.md: every configuration checks ($(echo "$out" | tail -1))" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || echo "$out"
check "docs/ci.md: GitLab, Buildkite, GitHub Actions and Jenkins, 15+ commands" \
    sh -c "echo '$out' | grep -Eq '^ci_docs: 4 configurations, (1[5-9]|[2-9][0-9]) commands checked, 0 problem'"

plant() { # plant NAME SED-EXPRESSION: a copy of the tree's Makefile and docs/ci.md, edited
    mkdir -p "$TMP/$1/docs" "$TMP/$1/fixtures"
    cp "$ROOT/Makefile" "$TMP/$1/"
    cp -r "$ROOT/fixtures/sweeps" "$TMP/$1/fixtures/"
    ln -s "$ROOT/scripts" "$TMP/$1/scripts"
    sed "$2" "$ROOT/docs/ci.md" >"$TMP/$1/docs/ci.md"
}
expect_bad() { expect_fail "$2" "$3" $CI "$TMP/$1" "$BIN"; } # expect_bad NAME WHAT TEXT
plant option '0,/--junit shard-\$CI_NODE_INDEX/s//--junti shard-$CI_NODE_INDEX/'
expect_bad option "an option run does not take" "does not list --junti"
plant yaml '0,/^  parallel: 3$/s//parallel: [3/'
expect_bad yaml "a YAML block that does not parse" "YAML does not parse"
plant target '0,/- make all/s//- make everything/'
expect_bad target "a make target that does not exist" "make everything: no such target"
plant batch 's|fixtures/sweeps/nightly.batch --shard 1/3|fixtures/sweeps/nighty.batch --shard 1/3|'
expect_bad batch "a batch file that does not exist" "nighty.batch does not exist"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# include_rules.sh - the one-way include rules (tests/tools/include_rules.py)
# hold over this tree, and the check fails on planted violations: a direct
# include, one reached through another header, the reference reaching the
# harness, compare reaching an adapter, a stage including cli.
# Usage: sh tests/include_rules.sh
set -u
CHECK_TAG=include-rules
. tests/checklib.sh
ROOT=$(pwd)
RULES="python3 $ROOT/tests/tools/include_rules.py"

out=$($RULES "$ROOT" 2>&1)
rc=$?
check "the tree keeps the include rules" [ "$rc" -eq 0 ]
case $out in *"rules hold over"*) ok "the check says what it read" ;; *) bad "the check says what it read: $out" ;; esac

plant() { # plant NAME FILE LINE: a copy of the tree with LINE added to FILE
    mkdir -p "$TMP/$1"
    cp -r "$ROOT/harness" "$ROOT/reference" "$TMP/$1/"
    printf '%s\n' "$3" >>"$TMP/$1/$2"
}
expect_broken() { # expect_broken NAME WHAT TEXT: the planted tree fails, naming TEXT
    out=$($RULES "$TMP/$1" 2>&1)
    rc=$?
    check "$2 fails the check (exit 1)" [ "$rc" -eq 1 ]
    case $out in *"$3"*) ok "$2: the message says '$3'" ;; *) bad "$2: no '$3' in: $out" ;; esac
}

plant direct harness/results/junit.c '#include "backends/backend.h"'
expect_broken direct "a report file including a backend" \
    "harness/results/junit.c reaches harness/backends/backend.h"
plant through harness/formats/tensor.h '#include "adapters/abi.h"'
expect_broken through "formats reaching adapters through a header" \
    "harness/formats/tensor.h -> harness/adapters/abi.h"
plant ref reference/refgemm.c '#include "cases/desc.h"'
expect_broken ref "the reference including harness code" "the reference never includes harness code"
plant cmp harness/verdict/compare.h '#include "adapters/faults.h"'
expect_broken cmp "compare reaching an adapter" "compare never reaches backends or adapters"
plant cli harness/verdict/probe.c '#include "cli/console.h"'
expect_broken cli "a stage including cli" "only cli includes cli"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

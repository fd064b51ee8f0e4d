#!/bin/sh
# docs.sh - README.md and docs/ are self-contained (tests/tools/doc_links.py):
# the real tree passes, and a broken link, a link out of the repository and a
# mention of the developers' design notes each fail it.
# Usage: sh tests/docs.sh
set -u
CHECK_TAG=docs
. tests/checklib.sh
ROOT=$(pwd)
LINKS="python3 $ROOT/tests/tools/doc_links.py"

out=$($LINKS "$ROOT" 2>&1)
rc=$?
check "README.md and docs/ links all resolve ($out)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || echo "$out"
lines=$(wc -l <"$ROOT/README.md")
check "README.md is at most 200 lines ($lines)" [ "$lines" -le 200 ]

plant() { # plant NAME TEXT: a copy of README.md and docs/ with TEXT added to README.md
    mkdir -p "$TMP/$1"
    cp -r "$ROOT/README.md" "$ROOT/docs" "$TMP/$1/"
    printf '\n%s\n' "$2" >>"$TMP/$1/README.md"
}
expect_bad() { expect_fail "$2" "$3" $LINKS "$TMP/$1"; } # expect_bad NAME WHAT TEXT
plant broken 'See [the ABI](docs/no-such-page.md).'
expect_bad broken "a link to a missing page" "broken link: docs/no-such-page.md"
plant outside 'See [notes](../elsewhere/notes.md).'
expect_bad outside "a link out of the repository" "link leaves the repository"
plant design 'The contract is in DESIGN.md.'
expect_bad design "a mention of the design notes" "outside the repository"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

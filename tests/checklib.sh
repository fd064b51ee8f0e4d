# checklib.sh - helpers of the shell end-to-end tests (sourced, not run):
# a scratch directory $TMP removed on exit, counters, ok/bad lines and
# check NAME COMMAND..., prefixed with $CHECK_TAG.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export GPTQ_HARNESS_REPORTS="$TMP/reports" # default run directories go there, not into reports/
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "${CHECK_TAG:-e2e} ok:   $1"; }
bad() { fail=$((fail + 1)); echo "${CHECK_TAG:-e2e} FAIL: $1"; }
expect_fail() { # expect_fail WHAT TEXT COMMAND...: COMMAND exits 1 and says TEXT
    what=$1 text=$2
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    check "$what fails the check (exit 1)" [ "$rc" -eq 1 ]
    case $out in *"$text"*) ok "$what: the message says '$text'" ;; *) bad "$what: no '$text' in: $out" ;; esac
}
check() { # check NAME COND...
    name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

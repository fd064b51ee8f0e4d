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
check() { # check NAME COND...
    name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

#!/bin/sh
# routes.sh - vLLM's XPU loader routes and tensor-parallel shards: every verdict
# of fixtures/sweeps/vllm-routes.batch against docs/adapters.md's route matrix,
# case by case, and the reasons the matrix gives. Usage: sh tests/routes.sh
# build/gptq-harness. Prints one line per check and "N passed, N failed".
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=routes
. tests/checklib.sh

"$BIN" run --batch fixtures/sweeps/vllm-routes.batch >"$TMP/r.out" 2>"$TMP/r.err"
rc=$?
check "routes sweep: exit 1 (it has failures)" [ "$rc" -eq 1 ]

# The matrix (docs/adapters.md, "vLLM's XPU routes, measured"), one rule per row.
awk '
/^(PASSED|FAILED|ERROR|SKIPPED|MISTRUSTED) / {
    v = $1; f = ""; a = ""; zp = ""; gi = ""; g = ""; w = "nibble"; tp = "none"; data = ""
    for (i = 2; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "fmt") f = kv[2]
        if (kv[1] == "adapter") a = kv[2]
        if (kv[1] == "zp") zp = kv[2]
        if (kv[1] == "gidx") gi = kv[2]
        if (kv[1] == "g") g = kv[2]
        if (kv[1] == "v1zp") w = kv[2]
        if (kv[1] == "tp") tp = kv[2]
        if (kv[1] == "data") data = kv[2]
    }
    want = "PASSED"
    if (a == "vllm-xpu") {
        if (f == "awq" || g == "-1" || gi == "act" || (f ~ /^gptq/ && zp == "asym")) want = "FAILED"
    } else if (a == "vllm-xpu-awq") {
        if (g == "-1") want = "FAILED"
    } else if (a == "xpu-kernels") {
        if (gi == "act" && tp ~ /^row/) want = "ERROR"
        else if (g == "-1") want = "FAILED"
        else if (f == "gptq-v2" && zp == "asym") want = "FAILED"
        else if (f == "gptq-v1" && zp == "asym" && w == "nibble" && data == "exact") want = "FAILED"
    } else if (a != "reference") want = "unknown adapter"
    n++
    if (v != want) { bad++; print "  expected " want ", got: " $0 }
}
END { if (n != 236) { print "  " n " cases ran, expected 236"; exit 1 } exit bad > 0 }
' "$TMP/r.out"
check "routes: every verdict as the matrix says (236 cases)" [ $? -eq 0 ]
check "routes: summary line" grep -Eq '^summary: total=236 passed=140 failed=88 mistrusted=0 skipped=0 errors=8 exit=1$' "$TMP/r.out"

# The reasons the matrix gives.
why() { # why PATTERN-OF-THE-CASE-LINE PATTERN-OF-ITS-WHY-LINE
    awk -v c="$1" -v w="$2" '$0 ~ c { getline; if ($0 ~ w) found++; else { print "  " $0; bad++ } }
        END { exit !(found > 0 && bad == 0) }' "$TMP/r.out"
}
check "xpu-kernels act-order row shard: convert_idx raises" \
    why '^ERROR .*adapter=xpu-kernels .*gidx=act .*tp=row' 'GPTQUtils.convert_idx'
check "xpu-kernels awq g=-1: group_size K/8 (qweight.shape[0] after repack)" \
    why '^FAILED .*fmt=awq adapter=xpu-kernels .*g=-1' 'scale_elems=40: .* = 8\*40'
check "vllm-xpu-awq g=-1: group_size -1 passed through" \
    why '^FAILED .*adapter=vllm-xpu-awq .*g=-1' 'group_size=-1'
check "vllm-xpu act-order row:3/4 (g = 8W): shape guess takes the no-transpose branch" \
    why '^FAILED .*fmt=gptq-v2 adapter=vllm-xpu .*zp=sym gidx=act .*tp=row:3/4' \
    'scale_elems=1920: the kernel contract needs .* = 12\*40'
check "vllm-xpu act-order row:1/2: transposes, then fails on g_idx" \
    why '^FAILED .*fmt=gptq-v2 adapter=vllm-xpu .*zp=sym gidx=act .*tp=row:1/2' 'scale_elems=960'
check "xpu-kernels gptq-v1 nibble file, exact: wrong values (the carry of + 0x11111111)" \
    why '^FAILED .*fmt=gptq-v1 adapter=xpu-kernels .*g=(32|128) zp=asym .*data=exact' 'elements outside tolerance'
check "routes: failures print a repro line" grep -q "repro: .* run '.*adapter=xpu-kernels" "$TMP/r.out"

# A descriptor the routes do not take is a usage error naming the rule.
"$BIN" run 'fmt=ct adapter=xpu-kernels' >/dev/null 2>"$TMP/u1.err"
check "xpu-kernels with fmt=ct: exit 2, message" sh -c "[ $? -eq 2 ] && grep -q 'not fmt=ct' '$TMP/u1.err'"
"$BIN" run 'fmt=gptq-v1 adapter=vllm-xpu-awq' >/dev/null 2>"$TMP/u2.err"
check "vllm-xpu-awq with fmt=gptq-v1: exit 2, message" sh -c "[ $? -eq 2 ] && grep -q 'needs fmt=awq' '$TMP/u2.err'"
"$BIN" run 'tp=row:2/2' >/dev/null 2>"$TMP/u3.err"
check "tp rank out of range: exit 2, message" sh -c "[ $? -eq 2 ] && grep -q 'tp must be none' '$TMP/u3.err'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

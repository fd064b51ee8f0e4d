#!/bin/sh
# e2e.sh - end-to-end tests of the gptq-harness program on the default OpenCL
# device (PoCL in CI). Usage: sh tests/e2e.sh build/gptq-harness
# Prints one line per check and "N passed, N failed"; exits 1 on any failure.
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=e2e
. tests/checklib.sh

# 1. The reference adapter passes a representative set (every format, both
#    zero-point kinds, act-order, g=-1, both dtypes and data modes, bias, tails).
"$BIN" run -q \
    'fmt=gptq-v1,gptq-v2,ct zp=sym,asym gidx=act g=32 dt=f16,bf16 data=exact,real m=5 n=24 k=256 bias=1' \
    'fmt=gptq-v1,gptq-v2,ct,awq zp=sym,asym g=-1,128 dt=f16,bf16 data=exact m=3 n=56 k=384' \
    >"$TMP/ref.out" 2>"$TMP/ref.err"
rc=$?
check "reference adapter: exit 0" [ "$rc" -eq 0 ]
check "reference adapter: summary line, all passed" \
    grep -Eq '^summary: total=56 passed=56 failed=0 mistrusted=0 skipped=0 errors=0 exit=0$' "$TMP/ref.out"

# 2. vllm-xpu fails exactly where README's table says. The rule (measured; see
#    README "What the harness found in vLLM's XPU adapter"):
#      awq: fails; g=-1: fails; gidx=act: fails; ct otherwise passes;
#      gptq asymmetric fails; gptq-v1 symmetric passes unless zero points are
#      forced on (zproute=zp); gptq-v2 symmetric passes.
"$BIN" run --batch fixtures/sweeps/vllm-xpu.batch >"$TMP/vx.out" 2>"$TMP/vx.err"
rc=$?
check "vllm-xpu sweep: exit 1 (it has failures)" [ "$rc" -eq 1 ]
awk '
/^(PASSED|FAILED|ERROR|SKIPPED|MISTRUSTED) / {
    v = $1; f = ""; zp = ""; gi = ""; g = ""; r = "auto"
    for (i = 2; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "fmt") f = kv[2]
        if (kv[1] == "zp") zp = kv[2]
        if (kv[1] == "gidx") gi = kv[2]
        if (kv[1] == "g") g = kv[2]
        if (kv[1] == "zproute") r = kv[2]
    }
    want = "PASSED"
    if (f == "awq" || g == "-1" || gi == "act") want = "FAILED"
    else if (f ~ /^gptq/ && zp == "asym") want = "FAILED"
    else if (f == "gptq-v1" && r == "zp") want = "FAILED"
    n++
    if (v != want) { bad++; print "  vllm-xpu expected " want ", got: " $0 }
}
END { if (n < 300) { print "  only " n " cases ran"; exit 1 } exit bad > 0 }
' "$TMP/vx.out"
check "vllm-xpu: verdicts match README's table (312 cases)" [ $? -eq 0 ]
check "vllm-xpu: failures say where (adapter wrong)" grep -q 'where: adapter wrong' "$TMP/vx.out"
check "vllm-xpu: failures print a repro line" grep -q "repro: .* run '.*adapter=vllm-xpu" "$TMP/vx.out"

# 3. A kernel that does not compile: ERROR with its build log, exit 1, no crash.
"$BIN" run --kernel tests/kernels/does_not_compile.cl 'm=3 n=16 k=64 g=32' \
    >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
check "broken kernel: exit 1" [ "$rc" -eq 1 ]
check "broken kernel: ERROR verdict" grep -q '^ERROR' "$TMP/bad.out"
check "broken kernel: build log shown" grep -q 'build log' "$TMP/bad.out"
check "broken kernel: summary counts the error" grep -q ' errors=1 exit=1$' "$TMP/bad.out"

# 3b. Kernels that build but do not fit the ABI (tests/kernels/abi/): ERROR
# naming the argument or the missing entry point, printed once per build
# configuration (the second case of it is a bare ERROR line), exit 1.
abi_refused() { # abi_refused FILE TEXT
    "$BIN" run --kernel "tests/kernels/abi/$1" 'm=3 n=16 k=64 g=32' 'm=5 n=16 k=64 g=32' \
        >"$TMP/abi.out" 2>&1
    rc=$?
    check "ABI misfit $1: exit 1, two ERRORs" \
        sh -c "[ $rc -eq 1 ] && [ \$(grep -c '^ERROR' '$TMP/abi.out') -eq 2 ]"
    check "ABI misfit $1: the reason names it, once" \
        sh -c "[ \$(grep -cF \"why: kernel does not fit the ABI (docs/abi.md): $2\" '$TMP/abi.out') -eq 1 ]"
    check "ABI misfit $1: grouped as one build configuration" \
        grep -q '^build: the kernel did not build (or did not fit the ABI) for 1 build configuration(s), .*; 1 more case(s)' "$TMP/abi.out"
}
abi_refused float_m.cl "argument 7 (the ABI's M) is declared 'float M'; the ABI passes int M"
abi_refused long_b.cl "argument 1 (the ABI's b) is declared as a non-pointer 'long b'"
abi_refused local_out.cl "argument 6 (the ABI's out) is declared as a __local pointer 'ushort* out'"
abi_refused pointer_k.cl "argument 9 (the ABI's K) is declared 'int* K'; the ABI passes int K"
abi_refused other_name.cl "the program defines no kernel named w4a16_gemm; it defines: w4a16_gemm_v2"
abi_refused no_kernel.cl "the program defines no kernel at all"
abi_refused huge_local.cl "w4a16_gemm needs 256.0 MiB of __local memory (CL_KERNEL_LOCAL_MEM_SIZE, 268435456 bytes); the device has"

# 4. Usage errors exit 2 with a message naming the problem.
"$BIN" run 'fmt=gptq-v1 m=3 n=20 k=64 g=32' >"$TMP/u1.out" 2>"$TMP/u1.err"
rc=$?
check "malformed descriptor (n=20): exit 2" [ "$rc" -eq 2 ]
check "malformed descriptor: message names n" grep -q 'n must be a multiple of 8' "$TMP/u1.err"
"$BIN" run 'fmt=gptq-v1 gs=32' >/dev/null 2>"$TMP/u2.err"
check "unknown key: exit 2" [ $? -eq 2 ]
check "unknown key: message names it" grep -q "gs" "$TMP/u2.err"
"$BIN" ref 'fmt=ct k=96 g=64' >/dev/null 2>"$TMP/u3.err"
check "ref with k % g != 0: exit 2" [ $? -eq 2 ]
"$BIN" frobnicate >/dev/null 2>&1
check "unknown command: exit 2" [ $? -eq 2 ]
"$BIN" run --batch /nonexistent.batch >/dev/null 2>&1
check "missing batch file: exit 2" [ $? -eq 2 ]

# 4b. Repro lines survive the shell: a kernel path with a space and a quote
#     is quoted, and pasting the line reruns the same case (FAILED, exit 1).
QK="$TMP/my k'ernel"
mkdir -p "$QK" && cp kernels/w4a16_gemm.cl "$QK/x.cl"
"$BIN" run --kernel "$QK/x.cl" 'fmt=ct m=2 n=16 k=64 g=32 zp=asym fault=zeros-transposed seed=4' \
    >"$TMP/q1.out" 2>/dev/null
line=$(sed -n 's/^    repro: //p' "$TMP/q1.out")
check "repro: the kernel path is quoted" sh -c "printf '%s\n' \"\$1\" | grep -q \"^$BIN run --kernel '\"" sh "$line"
sh -c "$line" >"$TMP/q2.out" 2>&1
rc=$?
check "repro: pasting it reruns the case (FAILED, exit 1)" \
    sh -c "[ $rc -eq 1 ] && grep -q '^FAILED .*fault=zeros-transposed' '$TMP/q2.out'"
# A kernel whose directory cannot go into the build options says so when
# its #include then fails.
mkdir -p "$TMP/inc dir" && printf '#include "helper_not_here.h"\n' >"$TMP/inc dir/k.cl"
"$BIN" run -q --kernel "$TMP/inc dir/k.cl" 'm=1 n=8 k=64 g=32' >"$TMP/q3.out" 2>&1
check "kernel dir with a space: the build error says -I was left out" \
    grep -q "no -I for the kernel's directory" "$TMP/q3.out"

# 4c. Kernels that do not fit the ABI say how, before anything runs.
"$BIN" run -q --kernel "$TMP/no-such-kernel.cl" 'm=1 n=8 k=64 g=32' >/dev/null 2>"$TMP/k1.err"
check "missing kernel file: exit 2, named" sh -c "[ $? -eq 2 ] && grep -q 'cannot read kernel' '$TMP/k1.err'"
"$BIN" run -q --kernel "$TMP" 'm=1 n=8 k=64 g=32' >/dev/null 2>"$TMP/k2.err"
check "a directory as kernel: exit 2" sh -c "[ $? -eq 2 ] && grep -q 'not a regular file' '$TMP/k2.err'"
sed 's/int zp_scalar)/int zp_scalar, int extra)/' kernels/w4a16_gemm.cl >"$TMP/args13.cl"
"$BIN" run -q --kernel "$TMP/args13.cl" 'm=1 n=8 k=64 g=32' >"$TMP/k3.out" 2>&1
check "13 kernel arguments: ERROR naming the ABI's 12" sh -c "[ $? -eq 1 ] && grep -q 'declares 13 argument(s); the ABI passes 12' '$TMP/k3.out'"
sed 's/^__kernel void/__kernel __attribute__((reqd_work_group_size(8, 1, 2))) void/' kernels/w4a16_gemm.cl >"$TMP/wgz.cl"
"$BIN" run -q --kernel "$TMP/wgz.cl" 'm=1 n=8 k=64 g=32' >"$TMP/k4.out" 2>&1
check "reqd_work_group_size with z = 2: ERROR saying z must be 1" grep -q 'the third size must be 1' "$TMP/k4.out"
sed 's/int M, int N/long M, int N/' kernels/w4a16_gemm.cl >"$TMP/argM.cl"
"$BIN" run -q --kernel "$TMP/argM.cl" 'm=1 n=8 k=64 g=32' >"$TMP/k5.out" 2>&1
check "M declared long: ERROR naming the argument" grep -q "argument 7 (the ABI's M) is declared 'long M'; the ABI passes int M" "$TMP/k5.out"
# A kernel's printf goes to stderr, never into the results on stdout.
sed 's/^\(__kernel.*\)$/\1/' kernels/w4a16_gemm.cl | awk '{print} /^w4a16_gemm\(|^__kernel void w4a16_gemm/ {k=1} k && /\{$/ && !done {print "    if (get_global_id(0) == 0 && get_global_id(1) == 0) printf(\"KERNEL-PRINTF\\n\");"; done=1}' >"$TMP/printf.cl"
"$BIN" run -q --kernel "$TMP/printf.cl" 'm=1 n=8 k=64 g=32' >"$TMP/k6.out" 2>"$TMP/k6.err"
check "kernel printf: on stderr, not stdout" sh -c "grep -q KERNEL-PRINTF '$TMP/k6.err' && ! grep -q KERNEL-PRINTF '$TMP/k6.out'"

# 5. ref is deterministic and independent of the thread count.
D='fmt=gptq-v1 m=3 n=24 k=64 g=32 zp=asym gidx=act dt=f16 data=real seed=1'
"$BIN" ref --threads 1 "$D" >"$TMP/r1"
"$BIN" ref --threads 2 "$D" >"$TMP/r2"
"$BIN" ref --threads 7 "$D" >"$TMP/r7"
check "ref: identical output for 1, 2, 7 threads" sh -c "cmp -s '$TMP/r1' '$TMP/r2' && cmp -s '$TMP/r1' '$TMP/r7'"
check "ref: prints a checksum" grep -q '^checksum: [0-9a-f]\{16\}' "$TMP/r1"

# 6. --help and --version
"$BIN" --help | grep -q 'usage:'
check "--help" [ $? -eq 0 ]
"$BIN" --version | grep -q '^gptq-harness [0-9]'
check "--version" [ $? -eq 0 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

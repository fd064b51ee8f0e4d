#!/bin/sh
# kernels.sh - every ABI kernel shipped in kernels/, and every correct kernel
# written differently in tests/kernels/correct/ (other work-group shapes,
# split-K with a tree reduction, fma, weights rounded to the activation
# dtype: no false failure allowed), passes the default job: the smoke,
# kernel-edges (group boundaries inside 128-bit chunks, K/8 not a multiple of
# 4, K past a staged tile, single column tiles, many row tiles) and contract
# sweeps (docs/descriptors.md#the-default-job); the tuned kernel's NVIDIA
# tensor-core path compiles to PTX (below).
# Usage: sh tests/kernels.sh build/gptq-harness
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=kernels
. tests/checklib.sh
for k in kernels/*.cl tests/kernels/correct/*.cl; do
    for batch in fixtures/sweeps/smoke.batch fixtures/sweeps/kernel-edges.batch \
        fixtures/sweeps/contract.batch; do
        out=$("$BIN" run -q --kernel "$k" --batch "$batch" 2>/dev/null)
        rc=$?
        last=$(printf '%s\n' "$out" | tail -n 1)
        if [ $rc -eq 0 ] && printf '%s\n' "$last" | grep -Eq '^summary: total=([0-9]+) passed=\1 failed=0'; then
            pass=$((pass + 1))
            echo "kernels ok:   $k on $batch: $last"
        else
            fail=$((fail + 1))
            echo "kernels FAIL: $k on $batch (exit $rc): $last"
            printf '%s\n' "$out" | head -20
        fi
    done
done

# The tuned kernel's NVIDIA tensor-core path (inline PTX, built only by
# NVIDIA's compiler) cannot run here; what can be checked without a GPU: with
# the macro NVIDIA's compiler defines, every build-option set compiles to PTX
# for sm_80 (clang's nvptx target, installed with PoCL) and holds the mma
# instructions; without it, none is emitted.
CLANG=$(command -v clang-15 || command -v clang || true)
FAST=kernels/w4a16_gemm_fast.cl
ptx() { # ptx OUT [-D...]: compiles $FAST for nvptx, 0 on success
    out=$1
    shift
    "$CLANG" -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header \
        -Xclang -target-cpu -Xclang sm_80 -O2 -S -o "$out" "$@" "$FAST" 2>"$out.err"
}
TMP=$(mktemp -d)
if [ -z "$CLANG" ] || ! ptx "$TMP/probe.ptx" -Dcl_nv_pragma_unroll=1 -DW4_BF16=0 -DW4_HAS_ZP=0 \
    -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0; then
    echo "kernels skip: no clang with the nvptx target here; the tensor-core path is not compiled"
else
    for o in 0000 0001 0010 0011 0100 0101 0110 0111 1000 1001 1010 1011 1100 1101 1110 1111; do
        set -- $(echo "$o" | sed 's/./& /g')
        opts="-DW4_BF16=$1 -DW4_HAS_ZP=$2 -DW4_HAS_PERM=$3 -DW4_HAS_BIAS=$4"
        dt=f16
        [ "$1" = 1 ] && dt=bf16
        if ptx "$TMP/k.ptx" -Dcl_nv_pragma_unroll=1 $opts &&
            grep -q "mma.sync.aligned.m16n8k16.row.col.f32.$dt.$dt.f32" "$TMP/k.ptx" &&
            grep -q "fma.rn.${dt}x2" "$TMP/k.ptx"; then
            pass=$((pass + 1))
            echo "kernels ok:   $FAST tensor-core path compiles to PTX ($opts, mma $dt)"
        else
            fail=$((fail + 1))
            echo "kernels FAIL: $FAST tensor-core path with $opts:"
            head -5 "$TMP/k.ptx.err"
        fi
    done
    # the decode (M = 1) tensor-core path is compiled in: it adds mma steps
    # that -DW4_GV=0 (M = 1 through the portable path) leaves out
    for dt in 0 1; do
        opts="-Dcl_nv_pragma_unroll=1 -DW4_BF16=$dt -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0"
        if ptx "$TMP/gv.ptx" $opts && ptx "$TMP/nogv.ptx" $opts -DW4_GV=0 &&
            [ "$(grep -c mma.sync "$TMP/gv.ptx")" -gt "$(grep -c mma.sync "$TMP/nogv.ptx")" ]; then
            pass=$((pass + 1))
            echo "kernels ok:   $FAST decode tensor-core path compiled (W4_BF16=$dt)"
        else
            fail=$((fail + 1))
            echo "kernels FAIL: $FAST decode tensor-core path missing (W4_BF16=$dt)"
        fi
    done
    # the tensor-core paths' weight loads carry the cache hints by default
    # (no L1 line, 256-byte L2 lines) and are plain loads with W4_NV_LDHINT=0
    opts="-Dcl_nv_pragma_unroll=1 -DW4_BF16=0 -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0"
    hint="ld.global.nc.L1::no_allocate.L2::256B.v4.u32"
    if ptx "$TMP/hint.ptx" $opts && grep -qF "$hint" "$TMP/hint.ptx" &&
        ptx "$TMP/nohint.ptx" $opts -DW4_NV_LDHINT=0 && ! grep -qF "$hint" "$TMP/nohint.ptx"; then
        pass=$((pass + 1))
        echo "kernels ok:   $FAST tensor-core weight loads hinted by default, plain with W4_NV_LDHINT=0"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: $FAST weight load hints missing by default or present with W4_NV_LDHINT=0"
    fi
    if ptx "$TMP/off.ptx" -DW4_BF16=0 -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0 &&
        ! grep -q "mma.sync" "$TMP/off.ptx" &&
        ptx "$TMP/off2.ptx" -Dcl_nv_pragma_unroll=1 -DW4_NV_MMA=0 -DW4_BF16=0 -DW4_HAS_ZP=1 \
            -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0 && ! grep -q "mma.sync" "$TMP/off2.ptx"; then
        pass=$((pass + 1))
        echo "kernels ok:   $FAST has no tensor-core code without NVIDIA's compiler or with W4_NV_MMA=0"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: $FAST emits mma.sync outside NVIDIA's compiler or with W4_NV_MMA=0"
    fi
    # the tuning settings (docs/performance.md) keep compiling, for two option
    # sets: the earlier 8 x 32 geometry's M = 1 forms (W4_GV2=0: the weights
    # as the B operand; W4_GV2_DEPTH=2: two slab pairs in flight), two slabs
    # in flight in the default's M = 1 path (W4_WIDE_DEPTH=2, also with the
    # 16 x 32 work-group), and the mma paths' half-unrolled word loop
    # (W4_MMA_UNROLL=2)
    bad=""
    for v in "-DLX=8 -DLY=32 -DW4_GV2=0" "-DLX=8 -DLY=32 -DW4_GV2_DEPTH=2" "-DW4_WIDE_DEPTH=2" \
        "-DW4_MMA_UNROLL=2" "-DLX=8 -DLY=32 -DW4_MMA_UNROLL=2" "-DLY=32 -DW4_WIDE_DEPTH=2"; do
        for o in "-DW4_BF16=0 -DW4_HAS_ZP=0 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0" \
            "-DW4_BF16=1 -DW4_HAS_ZP=1 -DW4_HAS_PERM=1 -DW4_HAS_BIAS=1"; do
            # shellcheck disable=SC2086 # the option lists are meant to split
            ptx "$TMP/v.ptx" -Dcl_nv_pragma_unroll=1 $v $o && grep -q mma.sync "$TMP/v.ptx" || bad="$bad [$v $o]"
        done
    done
    if [ -z "$bad" ]; then
        pass=$((pass + 1))
        echo "kernels ok:   $FAST other settings (8 x 32 with W4_GV2=0 and W4_GV2_DEPTH=2, W4_WIDE_DEPTH=2 also at 16 x 32, W4_MMA_UNROLL=2) compile to PTX"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: $FAST other settings do not compile:$bad"
    fi
    # the default geometry (the wide work-group, 16 x 16) compiles its own
    # tensor-core paths for both option sets (M = 1: 8 mma steps a slab, M >= 2:
    # 8 a slab and column tile, half unrolled by default (W4_MMA_UNROLL=2), so
    # 12 in the code, 16 with W4_MMA_UNROLL=4), 16 x 32 (the same paths with
    # 16 warps and two row tiles at M >= 2: the same 12), the earlier 8 x 32
    # its own paths (fully unrolled by default), and a geometry the
    # tensor-core paths do not know is refused
    bad=""
    for o in "-DW4_BF16=0 -DW4_HAS_ZP=0 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0" \
        "-DW4_BF16=1 -DW4_HAS_ZP=1 -DW4_HAS_PERM=1 -DW4_HAS_BIAS=1"; do
        # shellcheck disable=SC2086 # the option list is meant to split
        { ptx "$TMP/w.ptx" -Dcl_nv_pragma_unroll=1 $o && [ "$(grep -c mma.sync "$TMP/w.ptx")" -eq 12 ] &&
            ptx "$TMP/w4.ptx" -Dcl_nv_pragma_unroll=1 -DW4_MMA_UNROLL=4 $o &&
            [ "$(grep -c mma.sync "$TMP/w4.ptx")" -eq 16 ] &&
            ptx "$TMP/w32.ptx" -Dcl_nv_pragma_unroll=1 -DLY=32 $o && [ "$(grep -c mma.sync "$TMP/w32.ptx")" -eq 12 ] &&
            ptx "$TMP/w8.ptx" -Dcl_nv_pragma_unroll=1 -DLX=8 -DLY=32 $o &&
            grep -q mma.sync "$TMP/w8.ptx" && ptx "$TMP/w84.ptx" -Dcl_nv_pragma_unroll=1 -DLX=8 -DLY=32 \
            -DW4_MMA_UNROLL=4 $o && [ "$(grep -c mma.sync "$TMP/w8.ptx")" -eq "$(grep -c mma.sync "$TMP/w84.ptx")" ]; } ||
            bad="$bad [$o]"
    done
    if [ -z "$bad" ] && ! ptx "$TMP/w.ptx" -Dcl_nv_pragma_unroll=1 -DLX=16 -DLY=8 -DW4_BF16=0 \
        -DW4_HAS_ZP=0 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0 && grep -q "tensor-core paths need" "$TMP/w.ptx.err"; then
        pass=$((pass + 1))
        echo "kernels ok:   $FAST 16 x 16 (default), 16 x 32 and 8 x 32 compile their tensor-core paths, LY=8 is refused"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: $FAST geometries' tensor-core paths:$bad (or LX=16, LY=8 not refused)"
    fi
    # bench/nvptx_regs.sh's stand-ins for OpenCL's builtins leave no builtin
    # call in the PTX (which ptxas could not link), for both option sets
    bad=""
    for o in "-DW4_BF16=0 -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0" \
        "-DW4_BF16=1 -DW4_HAS_ZP=1 -DW4_HAS_PERM=1 -DW4_HAS_BIAS=1"; do
        # shellcheck disable=SC2086 # the option list is meant to split
        ptx "$TMP/b.ptx" -Xclang -cl-ext=+cl_khr_fp16 -include bench/nvptx_builtins.h -Dcl_nv_pragma_unroll=1 $o &&
            ! grep -qE '^\.func.* _Z' "$TMP/b.ptx" || bad="$bad [$o]"
    done
    if [ -z "$bad" ]; then
        pass=$((pass + 1))
        echo "kernels ok:   bench/nvptx_builtins.h: $FAST's PTX calls no OpenCL builtin"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: bench/nvptx_builtins.h leaves builtin calls or does not compile:$bad"
    fi
    # W4_MMA_UNROLL=2 unrolls the mma path's word loop by half (fewer mma.sync
    # in the code than full unrolling); any other value than 4 or 2 is refused
    o="-Dcl_nv_pragma_unroll=1 -DW4_BF16=0 -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0"
    # shellcheck disable=SC2086 # the option list is meant to split
    if ptx "$TMP/u4.ptx" $o -DW4_MMA_UNROLL=4 && ptx "$TMP/u2.ptx" $o -DW4_MMA_UNROLL=2 && ! ptx "$TMP/u3.ptx" $o -DW4_MMA_UNROLL=3 &&
        grep -q "W4_MMA_UNROLL must be 4 or 2" "$TMP/u3.ptx.err" &&
        [ "$(grep -c mma.sync "$TMP/u2.ptx")" -lt "$(grep -c mma.sync "$TMP/u4.ptx")" ]; then
        pass=$((pass + 1))
        echo "kernels ok:   $FAST W4_MMA_UNROLL=2 unrolls less ($(grep -c mma.sync "$TMP/u2.ptx") mma.sync against $(grep -c mma.sync "$TMP/u4.ptx")), 3 is refused"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: $FAST W4_MMA_UNROLL=2 does not unroll less, or W4_MMA_UNROLL=3 is not refused"
    fi
fi
# bench/nvptx_regs.sh: without ptxas it says so and exits 2; with one (a CUDA
# toolkit here), a register count per candidate and exit 1 for one that does
# not compile
PTXAS=/nonexistent sh bench/nvptx_regs.sh >"$TMP/r0.out" 2>&1
r0=$?
if [ "$r0" -eq 2 ] && grep -q "needs clang with the nvptx target and ptxas" "$TMP/r0.out"; then
    pass=$((pass + 1))
    echo "kernels ok:   nvptx_regs.sh without ptxas: exit 2, says what it needs"
else
    fail=$((fail + 1))
    echo "kernels FAIL: nvptx_regs.sh without ptxas exits $r0 (want 2) or does not say why"
fi
if [ -n "$CLANG" ] && { command -v ptxas >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/ptxas ]; }; then
    sh bench/nvptx_regs.sh default: bad:W4_MMA_UNROLL=3 >"$TMP/r1.out" 2>&1
    r1=$?
    if [ "$r1" -eq 1 ] && grep -qE '^default: registers [0-9]+, [0-9]+ bytes spill stores' "$TMP/r1.out" &&
        grep -q '^bad: did not compile' "$TMP/r1.out"; then
        pass=$((pass + 1))
        echo "kernels ok:   nvptx_regs.sh: $(grep '^default:' "$TMP/r1.out")"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: nvptx_regs.sh exits $r1 (want 1) or its lines are wrong: $(cat "$TMP/r1.out")"
    fi
else
    echo "kernels skip: no ptxas here; nvptx_regs.sh's count is not checked"
fi
# build/ocl-buildlog (bench/ocl_buildlog.c, a tuning aid): builds a kernel on
# the OpenCL device here with extra options, writes its binary, exit 0; a
# build that fails prints the compiler's log, exit 1; bad usage, exit 2
TOOL=$(dirname "$BIN")/ocl-buildlog
if [ -x "$TOOL" ]; then
    o="-DW4_BF16=0 -DW4_HAS_ZP=1 -DW4_HAS_PERM=0 -DW4_HAS_BIAS=0"
    "$TOOL" "$FAST" "$o" "$TMP/k.bin" >"$TMP/ok.log" 2>&1
    r0=$?
    "$TOOL" "$FAST" "$o -DW4_BF16=(" >"$TMP/bad.log" 2>&1
    r1=$?
    "$TOOL" "$FAST" >/dev/null 2>&1
    r2=$?
    if [ $r0 -eq 0 ] && [ -s "$TMP/k.bin" ] && [ $r1 -eq 1 ] && grep -q "clBuildProgram" "$TMP/bad.log" &&
        [ $r2 -eq 2 ]; then
        pass=$((pass + 1))
        echo "kernels ok:   ocl-buildlog builds $FAST (binary written), reports a failed build (1) and bad usage (2)"
    else
        fail=$((fail + 1))
        echo "kernels FAIL: ocl-buildlog exits $r0/$r1/$r2 (want 0/1/2)"
        head -5 "$TMP/bad.log"
    fi
else
    fail=$((fail + 1))
    echo "kernels FAIL: $TOOL not built (make test builds it)"
fi
rm -rf "$TMP"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

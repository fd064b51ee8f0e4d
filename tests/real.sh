#!/bin/sh
# real.sh - the real producers' files of fixtures/real/ (written by scripts/real-checkpoints.sh
# with AutoGPTQ, GPTQModel, compressed-tensors and AutoAWQ; none of them is needed here):
# `inspect --expect` reads each layer as each library does, or shows the documented v1
# zero-point disagreement; the config is preferred to shape inference; the writer's pattern
# is named. Prints one line per check and "N passed, N failed"; exits 1 on any failure.
# Usage: sh tests/real.sh [build/gptq-harness]
set -u
BIN=${1:-build/gptq-harness}
CHECK_TAG=real
. tests/checklib.sh
R=fixtures/real

expect() { # expect OUT CASE [inspect options...]: exit code in $TMP/OUT.rc
    out=$1
    c=$2
    shift 2
    "$BIN" inspect "$R/$c/model.safetensors" --expect "$R/$c/expected.safetensors" "$@" \
        >"$TMP/$out" 2>&1
    echo $? >"$TMP/$out.rc"
}
matches() { # matches OUT: both layers MATCH, exit 0
    [ "$(grep -c ': MATCH: all ' "$TMP/$1")" -eq 2 ] && [ "$(cat "$TMP/$1.rc")" -eq 0 ]
}
differs() { # differs OUT: both layers DIFFER, exit 1
    [ "$(grep -c ': DIFFERS: ' "$TMP/$1")" -eq 2 ] && [ "$(cat "$TMP/$1.rc")" -eq 1 ]
}

n=$(ls -d $R/*/*/ 2>/dev/null | wc -l)
check "fixtures/real holds 20 cases of five producers' runs" [ "$n" -eq 20 ]
for p in autogptq gptqmodel ct ct-old autoawq; do
    check "fixtures/real/$p is there" [ -d "$R/$p" ]
done

# Every file read with its writer's reading equals its library's own dequantization,
# except AutoGPTQ's act-order zero-point-0 file (next block).
i=0
for d in $R/*/*/; do
    c=${d#"$R/"}
    c=${c%/}
    [ "$c" = autogptq/v1-asym-g32-act-z0 ] && continue
    i=$((i + 1))
    expect "m$i" "$c"
    check "$c: the harness reads both layers as the library does" matches "m$i"
done

# AutoGPTQ: its packer ORs -1 into the word; it reads F as 0 without act-order
# (qlinear_cuda_old) and as 16 with act-order (qlinear_cuda).
expect ag1 autogptq/v1-asym-g32-z0
check "autogptq asym: pattern named (AutoGPTQ's packer)" \
    grep -q "matches AutoGPTQ's packer" "$TMP/ag1"
check "autogptq asym: reading is the writer's (nibble)" \
    grep -q 'read as nibble, the writer.s (auto_gptq 0.7.1)' "$TMP/ag1"
expect ag2 autogptq/v1-asym-g32-z0 --expect-tensor w_alt
check "autogptq asym: qlinear_cuda (F = 16) is not the per-nibble reading" differs ag2
expect ag3 autogptq/v1-asym-g32-z0 --expect-tensor w_alt --v1-zero nowrap
check "autogptq asym: qlinear_cuda is the no-wrap reading" matches ag3
expect ag4 autogptq/v1-asym-g32-act-z0
check "autogptq act-order asym: qlinear_cuda differs from the per-nibble reading" differs ag4
expect ag5 autogptq/v1-asym-g32-act-z0 --v1-zero nowrap
check "autogptq act-order asym: it reads F as 16 (no wrap)" matches ag5
expect ag6 autogptq/v1-asym-gm1-z0 --expect-tensor w_alt --v1-zero nowrap
check "autogptq g=-1 asym: qlinear_cuda is the no-wrap reading" matches ag6
check "autogptq: quant_method gptq without checkpoint_format is declared v1" \
    grep -q '^declared: gptq (v1) in .*(quant_method gptq, no checkpoint_format)' "$TMP/ag1"

# GPTQModel: whole-word v1 (borrow across nibbles), read back by adding 0x11111111.
expect gm1 gptqmodel/v1-asym-g32-z0
check "gptqmodel v1: read as word, the writer's" \
    grep -q 'read as word, the writer.s (gptqmodel:7.7.0)' "$TMP/gm1"
check "gptqmodel v1: not AutoGPTQ's pattern" grep -q "not AutoGPTQ's packer" "$TMP/gm1"
expect gm2 gptqmodel/v1-asym-g32-z0 --v1-zero nibble
check "gptqmodel v1: the per-nibble reading is off" differs gm2
grep -o 'first at \[k=[0-9]*\]\[n=[0-9]*\]: harness [-0-9.e]*, expected [-0-9.e]*' "$TMP/gm2" \
    >"$TMP/gm2.first"
check "gptqmodel v1: per nibble, column 2 (next to a zero point 0 in column 1) is off" \
    grep -q '\[n=2\]' "$TMP/gm2.first"
expect gm3 gptqmodel/v1-asym-g32-act-z0 --v1-zero nowrap
check "gptqmodel v1 act-order: the no-wrap reading is off" differs gm3
expect gm4 gptqmodel/v2-asym-g32-z0
check "gptqmodel v2: no v1 reading involved" sh -c "! grep -q 'v1 zeros' '$TMP/gm4'"

# Config preferred to shape inference, disagreements said.
expect g128 autogptq/v1-sym-g128
check "g=128, K=128: reported as g=128 (the config), not -1" \
    grep -q 'layer model.layers.0.mlp.down_proj: .* k=128 n=64 g=128 ' "$TMP/g128"
check "g=128, K=64: one group, said" \
    grep -q 'config disagrees: config says group_size 128, larger than K=64' "$TMP/g128"
check "the config line names the settings" \
    grep -q '^config: quant_method=gptq bits=4 group_size=128 desc_act=false sym=true' "$TMP/g128"
expect ct1 ct/pack-asym-g64-z0
check "ct: K = group size reported as g=64" \
    grep -q 'k_proj: fmt=ct bits=4 k=64 n=64 g=64 zp=asym' "$TMP/ct1"
check "ct: compressed-tensors config read" \
    grep -q '^config: quant_method=compressed-tensors format=pack-quantized bits=4 group_size=64' \
    "$TMP/ct1"

# A real file through adapter and kernel: the reading goes into the case.
"$BIN" inspect "$R/gptqmodel/v1-asym-g32-z0/model.safetensors" \
    --layer model.layers.0.mlp.down_proj --run >"$TMP/run1" 2>&1
check "gptqmodel v1 layer runs and passes (word reading)" \
    grep -q 'summary: total=1 passed=1 failed=0' "$TMP/run1"
check "its repro case carries v1zp=word" grep -q 'v1zp=word' "$TMP/run1"

# Bad options.
"$BIN" inspect "$R/ct/pack-sym-g32/model.safetensors" --v1-zero carry >"$TMP/bad1" 2>&1
check "--v1-zero carry: usage error" [ $? -eq 2 ]
check "--v1-zero carry: says the values" grep -q 'nibble, nowrap or word' "$TMP/bad1"
"$BIN" inspect "$R/ct/pack-sym-g32/model.safetensors" --expect "$TMP/none.safetensors" \
    >"$TMP/bad2" 2>&1
check "--expect of a missing file: exit 1" [ $? -eq 1 ]
"$BIN" inspect "$R/ct/pack-sym-g32/model.safetensors" \
    --expect "$R/ct/pack-sym-g32/expected.safetensors" --expect-tensor zz >"$TMP/bad3" 2>&1
check "--expect-tensor of a missing tensor: exit 1, said" \
    sh -c "[ \$(cat '$TMP/bad3' | grep -c 'no such tensor') -eq 2 ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

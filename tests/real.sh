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

# --fmt on a layer that is not GPTQ: a usage error; a file that cannot be
# opened: its path said once.
"$BIN" inspect "$R/ct/pack-sym-g32/model.safetensors" --layer model.layers.0.mlp.down_proj --run \
    --fmt gptq-v2 >"$TMP/fmt" 2>&1
check "--run --fmt gptq-v2 on a ct layer: usage error (exit 2), said" \
    sh -c "[ $? -eq 2 ] && grep -q -- '--fmt gptq-v2 applies to GPTQ layers only; layer .* is ct' '$TMP/fmt'"
"$BIN" inspect "$TMP/nonexistent" >"$TMP/nx" 2>&1
check "inspect of a missing file: exit 1, the path said once" \
    sh -c "[ $? -eq 1 ] && [ \$(grep -o 'nonexistent' '$TMP/nx' | wc -l) -eq 1 ] && grep -q 'cannot open' '$TMP/nx'"

# A sharded checkpoint (fixtures/sharded): layer 1's qweight in shard 1, the
# rest of it in shard 2, as size-based sharding splits it.
S=fixtures/sharded
"$BIN" inspect "$S/model.safetensors.index.json" >"$TMP/ix" 2>&1
check "inspect of the index: exit 1, says it is a sharded index, lists both shards" \
    sh -c "[ $? -eq 1 ] && grep -q 'is the index of a sharded checkpoint (its weight_map places 8 tensors in 2 shard file(s))' '$TMP/ix' && grep -q '^    $S/model-00001-of-00002.safetensors$' '$TMP/ix' && grep -q '^    $S/model-00002-of-00002.safetensors$' '$TMP/ix'"
"$BIN" inspect "$S/quantize_config.json" >"$TMP/cfgjson" 2>&1
check "inspect of a config: exit 1, a JSON file, not safetensors" \
    sh -c "[ $? -eq 1 ] && grep -q 'is a JSON file, not a safetensors file' '$TMP/cfgjson'"
"$BIN" inspect "$S/model-00001-of-00002.safetensors" --expect "$S/expected.safetensors" >"$TMP/sh1" 2>&1
rc=$?
check "shard 1: the split layer's other tensors are in shard 2, as the index says" \
    grep -q 'note: model.safetensors.index.json places qzeros, scales, g_idx of this layer in another shard (model-00002-of-00002.safetensors)' "$TMP/sh1"
check "shard 1 --expect: the unusable layer is counted as not compared, exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q 'q_proj.w: not compared: the layer is unusable' '$TMP/sh1' && grep -q '^expect: 1 layer(s) match, 0 differ, 1 not compared, 0 missing from the checkpoint$' '$TMP/sh1'"
"$BIN" inspect "$S/model-00002-of-00002.safetensors" --expect "$S/expected.safetensors" >"$TMP/sh2" 2>&1
check "shard 2 --expect: both expected layers missing, named, nothing compared, exit 1" \
    sh -c "[ $? -eq 1 ] && [ \$(grep -c 'MISSING: the expected file has it, the checkpoint has no layer' '$TMP/sh2') -eq 2 ] && grep -q \"no layer 'model.layers.1.self_attn.q_proj'\" '$TMP/sh2' && grep -q 'FAILED: nothing was compared' '$TMP/sh2'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

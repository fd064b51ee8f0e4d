#!/bin/sh
# fixtures.sh - end-to-end tests of fixtures and checkpoints on the default
# OpenCL device (PoCL in CI): run --save-failures / --save-all, replay,
# the golden set, inspect (listing, flags, --run) on the multi-layer test
# checkpoint, and every damaged file of tests/ckpt_build.c.
# Usage: sh tests/fixtures.sh build/gptq-harness build/mkckpt
# Prints one line per check and "N passed, N failed"; exits 1 on any failure.
set -u
BIN=${1:-build/gptq-harness}
MK=${2:-build/mkckpt}
CHECK_TAG=fixtures
. tests/checklib.sh
count() { ls "$1" 2>/dev/null | grep -c '\.safetensors\.gz$'; }

# 1. --save-failures writes a fixture for each failure only; replay reruns them.
VX='fmt=gptq-v1,ct adapter=vllm-xpu m=3 n=40 k=128 g=32 zp=asym gidx=none,act dt=f16 data=exact'
"$BIN" run -q --save-failures "$TMP/fail" "$VX" >"$TMP/run.out" 2>"$TMP/run.err"
check "save-failures: run exits 1" [ $? -eq 1 ]
check "save-failures: 3 fixtures for the 3 failures (ct without act-order passes)" \
    [ "$(count "$TMP/fail")" -eq 3 ]
check "save-failures: failure blocks name their fixture" grep -q '^    fixture: .*\.safetensors\.gz$' "$TMP/run.out"
"$BIN" replay "$TMP"/fail/*.safetensors.gz >"$TMP/rp.out" 2>"$TMP/rp.err"
check "replay: exit 1, failures again" [ $? -eq 1 ]
check "replay: summary 3 failed" grep -q '^summary: total=3 passed=0 failed=3 ' "$TMP/rp.out"
check "replay: says what was recorded" grep -q '^    recorded: FAILED on ' "$TMP/rp.out"
check "replay: same device output as recorded" grep -q 'equals the recorded y_dev (0 element' "$TMP/rp.out"
check "replay: repro line replays the file" grep -Eq "repro: .* replay '?[^ ]*[.]safetensors[.]gz'?$" "$TMP/rp.out"
"$BIN" replay --adapter reference "$TMP"/fail/*.safetensors.gz >"$TMP/rp2.out" 2>&1
check "replay --adapter reference: the same checkpoints pass, exit 0" [ $? -eq 0 ]
check "replay --adapter reference: 3 passed" grep -q '^summary: total=3 passed=3 ' "$TMP/rp2.out"

# 2. --save-all writes every case; they replay green.
"$BIN" run -q --save-all "$TMP/all" 'fmt=awq,ct m=2 n=16 k=64 g=32 zp=asym dt=bf16 data=real bias=1' \
    >/dev/null 2>&1
check "save-all: exit 0, a fixture per case" [ $? -eq 0 -a "$(count "$TMP/all")" -eq 2 ]
"$BIN" replay "$TMP"/all/*.safetensors.gz >"$TMP/rp3.out" 2>&1
check "replay of save-all: exit 0" [ $? -eq 0 ]
# The same verdict but a device output that differs from the recorded y_dev
# (one bit flipped in the file) is said, without -v.
F1=$(ls "$TMP"/all/*.safetensors.gz | head -1)
python3 - "$F1" "$TMP/flip.safetensors.gz" <<'PY'
import gzip, json, struct, sys
data = bytearray(gzip.open(sys.argv[1]).read())
hlen = struct.unpack("<Q", data[:8])[0]
off = json.loads(data[8:8 + hlen])["y_dev"]["data_offsets"][0]
data[8 + hlen + off] ^= 1
gzip.open(sys.argv[2], "wb").write(bytes(data))
PY
"$BIN" replay "$TMP/flip.safetensors.gz" >"$TMP/flip.out" 2>&1
check "replay: same verdict, y_dev differs: said without -v" \
    grep -q 'device output differs from the recorded y_dev (1 element(s) differ)' "$TMP/flip.out"
"$BIN" run -q --save-all /proc/version/x 'm=1' >/dev/null 2>"$TMP/dir.err"
check "save-all into an impossible directory: exit 2 with a message" \
    sh -c "[ $? -eq 2 ] && grep -q 'directory' '$TMP/dir.err'"

# 3. The golden set replays on the device: every case passes.
"$BIN" replay -q fixtures/golden/*.safetensors.gz >"$TMP/golden.out" 2>&1
check "golden set: replay exit 0" [ $? -eq 0 ]
check "golden set: 20 passed" grep -q '^summary: total=20 passed=20 ' "$TMP/golden.out"

# 4. replay usage and unreadable files
"$BIN" replay >/dev/null 2>&1
check "replay without files: exit 2" [ $? -eq 2 ]
"$BIN" replay --adapter nope x >/dev/null 2>&1
check "replay --adapter nope: exit 2" [ $? -eq 2 ]
"$BIN" replay "$TMP/missing.safetensors.gz" >"$TMP/miss.out" 2>&1
check "replay of a missing file: ERROR, exit 1" \
    sh -c "[ $? -eq 1 ] && grep -q '^ERROR ' '$TMP/miss.out' && grep -q 'why: .*cannot open' '$TMP/miss.out'"
"$MK" checkpoint "$TMP/ckpt.safetensors" gptq
"$BIN" replay "$TMP/ckpt.safetensors" >"$TMP/notfx.out" 2>&1
check "replay of a checkpoint (not a fixture): ERROR naming inspect" \
    sh -c "[ $? -eq 1 ] && grep -q 'not a gptq-harness fixture.*inspect' '$TMP/notfx.out'"
G1=$(ls fixtures/golden/*.safetensors.gz | head -1)
# A fixture names only an OpenCL source (.cl); any other recorded file is not read.
cp kernels/w4a16_gemm.cl "$TMP/kernel.txt"
"$BIN" run -q --out none --kernel "$TMP/kernel.txt" --save-all "$TMP/txtfx" 'm=1 n=16 k=64 g=32' \
    >/dev/null 2>&1
"$BIN" replay "$TMP"/txtfx/*.safetensors.gz >"$TMP/txt.out" 2>&1
check "replay of a fixture naming a kernel not ending in .cl: ERROR, exit 1, says --kernel" \
    sh -c "[ $? -eq 1 ] && grep -q 'kernel.txt, which is not an OpenCL source (.cl); .*pass --kernel FILE' '$TMP/txt.out'"
"$BIN" replay --kernel "$TMP/kernel.txt" "$TMP"/txtfx/*.safetensors.gz >"$TMP/txt2.out" 2>&1
check "replay --kernel FILE of the same fixture: runs it, exit 0" [ $? -eq 0 ]
# The recorded kernel replaced by a FIFO: refused without blocking, and named as such.
cp kernels/w4a16_gemm.cl "$TMP/fifo.cl"
"$BIN" run -q --out none --kernel "$TMP/fifo.cl" --save-all "$TMP/fifofx" 'm=1 n=16 k=64 g=32' \
    >/dev/null 2>&1
rm -f "$TMP/fifo.cl" && mkfifo "$TMP/fifo.cl"
timeout 60 "$BIN" replay "$TMP"/fifofx/*.safetensors.gz >"$TMP/fifo.out" 2>&1
check "replay of a fixture whose kernel is now a FIFO: ERROR, exit 1, names the FIFO" \
    sh -c "[ $? -eq 1 ] && grep -q 'fifo.cl: not a regular file (a FIFO)); give --kernel FILE' '$TMP/fifo.out'"
"$MK" bomb "$TMP/bomb.safetensors.gz"
"$BIN" replay --max-bytes 1M "$TMP/bomb.safetensors.gz" >"$TMP/cap.out" 2>&1
check "replay --max-bytes 1M of a gzip bomb (8 MiB inflated): stopped, exit 1" \
    sh -c "[ $? -eq 1 ] && grep -q 'decompresses to more than 1048576 bytes' '$TMP/cap.out'"
"$BIN" inspect --max-bytes 1M "$TMP/bomb.safetensors.gz" >/dev/null 2>"$TMP/cap.err"
check "inspect --max-bytes 1M of the gzip bomb: stopped, exit 1" \
    sh -c "[ $? -eq 1 ] && grep -q 'decompresses to more than' '$TMP/cap.err'"

# 5. inspect: the multi-layer checkpoint (declares gptq = v1; one layer stores v2 zeros)
"$BIN" inspect "$TMP/ckpt.safetensors" >"$TMP/in.out" 2>"$TMP/in.err"
check "inspect: exit 1 (a layer is flagged)" [ $? -eq 1 ]
while IFS='|' read -r layer want; do
    check "inspect: $layer: $want" grep -q "^layer $layer: $want" "$TMP/in.out"
done <<'EOF'
model.layers.0.mlp.down_proj|fmt=gptq-v2 bits=4 k=256 n=64 g=64 zp=sym gidx=none dt=f16 bias=0 zeros=v2
model.layers.0.self_attn.q_proj|fmt=gptq-v1 bits=4 k=128 n=64 g=32 zp=sym gidx=act dt=f16 bias=0 zeros=v1
model.layers.1.mlp.up_proj|fmt=awq bits=4 k=128 n=128 g=64 zp=asym gidx=none dt=f16 bias=0
model.layers.1.self_attn.o_proj|fmt=ct bits=4 k=64 n=128 g=32 zp=asym gidx=trivial dt=bf16 bias=0
model.layers.1.self_attn.q_proj|fmt=gptq-v1 bits=4 k=128 n=64 g=-1 zp=asym gidx=none dt=f16 bias=1
EOF
check "inspect: the v2-storing layer is FLAGGED against the v1 declaration" \
    grep -A1 '^layer model.layers.0.mlp.down_proj:' "$TMP/in.out" | grep -q 'FLAGGED: declares gptq (v1).*stores v2 zeros'
check "inspect: summary" grep -q '^layers: 5 (gptq-v1 2, gptq-v2 1, ct 1, awq 1), 1 flagged, 0 unusable; other tensors: 5$' "$TMP/in.out"
mkdir "$TMP/model"
"$MK" checkpoint "$TMP/model/model.safetensors"
echo '{"bits": 4, "checkpoint_format": "gptq_v2"}' >"$TMP/model/quantize_config.json"
"$BIN" inspect "$TMP/model/model.safetensors" >"$TMP/in2.out" 2>&1
check "inspect: quantize_config.json declares gptq_v2" grep -q '^declared: gptq_v2 (v2) in .*quantize_config.json' "$TMP/in2.out"
check "inspect: then the v1-storing layer is the flagged one" \
    grep -A1 '^layer model.layers.0.self_attn.q_proj:' "$TMP/in2.out" | grep -q 'FLAGGED'
"$BIN" inspect -v "$G1" >"$TMP/in3.out" 2>&1
check "inspect of a fixture: exit 0, one unprefixed layer, tensors listed" \
    sh -c "[ $? -eq 0 ] && grep -q '^layer (unprefixed): ' '$TMP/in3.out' && grep -q '^    tensor y_ref F64' '$TMP/in3.out'"

# 6. inspect --run: real layers through adapter and kernel
for l in model.layers.0.mlp.down_proj model.layers.0.self_attn.q_proj model.layers.1.mlp.up_proj \
    model.layers.1.self_attn.o_proj model.layers.1.self_attn.q_proj; do
    "$BIN" inspect "$TMP/ckpt.safetensors" --layer "$l" --run --m 5 >"$TMP/run1.out" 2>&1
    check "inspect --run $l (reference): PASSED, exit 0" \
        sh -c "[ $? -eq 0 ] && grep -q '^PASSED .* data=real' '$TMP/run1.out'"
done
"$BIN" inspect "$TMP/ckpt.safetensors" --layer model.layers.0.self_attn.q_proj --run \
    --adapter vllm-xpu >"$TMP/run2.out" 2>&1
check "inspect --run act-order layer with vllm-xpu: FAILED, exit 1" \
    sh -c "[ $? -eq 1 ] && grep -q '^FAILED' '$TMP/run2.out'"
check "inspect --run: repro line reruns the layer" \
    grep -q "repro: .* inspect '.*ckpt.safetensors' --layer 'model.layers.0.self_attn.q_proj' --run --adapter vllm-xpu" "$TMP/run2.out"
"$BIN" inspect "$TMP/ckpt.safetensors" --layer model.layers.0.mlp.down_proj --run --fmt gptq-v1 \
    >"$TMP/run3.out" 2>&1
check "inspect --run --fmt gptq-v1 on v2 zeros: not passed, names the zero word" \
    sh -c "[ $? -eq 1 ] && grep -q '0x88888888' '$TMP/run3.out'"
# a group size that is not a multiple of 8 (12: groups change inside a word)
# is a usable layer, read and run as its writer meant, in every format
for f in gptq-v1 gptq-v2 ct awq; do
    rm -rf "$TMP/g12"
    "$BIN" run -q --out none --save-all "$TMP/g12" "fmt=$f zp=asym m=3 n=40 k=96 g=12 seed=4" \
        >/dev/null 2>&1
    g12=$(ls "$TMP"/g12/*.safetensors.gz 2>/dev/null | head -1)
    "$BIN" inspect "$g12" >"$TMP/g12.out" 2>&1
    check "inspect: $f group size 12: read as g=12, not unusable" \
        sh -c "[ $? -eq 0 ] && grep -q '^layer (unprefixed): fmt=$f bits=4 k=96 n=40 g=12 ' '$TMP/g12.out' && grep -q ' 0 unusable' '$TMP/g12.out'"
    "$BIN" inspect "$g12" --layer '(unprefixed)' --run --m 3 >"$TMP/g12r.out" 2>&1
    check "inspect --run: $f group size 12: PASSED, exit 0" \
        sh -c "[ $? -eq 0 ] && grep -q '^PASSED .* g=12 ' '$TMP/g12r.out'"
done
"$BIN" inspect "$TMP/ckpt.safetensors" --layer nope --run >/dev/null 2>&1
check "inspect --layer nope: exit 2" [ $? -eq 2 ]
"$BIN" inspect "$TMP/ckpt.safetensors" --run >/dev/null 2>&1
check "inspect --run without --layer: exit 2" [ $? -eq 2 ]
"$BIN" inspect >/dev/null 2>&1
check "inspect without a file: exit 2" [ $? -eq 2 ]

# 7. Damaged files: a clear error, exit 1, no crash, for inspect and replay.
n=0
"$MK" list-damaged >"$TMP/damaged.list"
while IFS="$(printf '\t')" read -r name why; do
    n=$((n + 1))
    "$MK" damaged "$name" "$TMP/d.bin"
    "$BIN" inspect "$TMP/d.bin" >"$TMP/d.out" 2>"$TMP/d.err"
    rc=$?
    check "damaged $name: inspect exit 1 with '$why'" \
        sh -c "[ $rc -eq 1 ] && grep -q \"^gptq-harness inspect: .*$why\" '$TMP/d.err'"
    "$BIN" replay -q "$TMP/d.bin" >"$TMP/d.out" 2>&1
    rc=$?
    check "damaged $name: replay ERROR, exit 1" sh -c "[ $rc -eq 1 ] && grep -q '^ERROR' '$TMP/d.out'"
done <"$TMP/damaged.list"
check "damaged files: at least 25 kinds tried" [ "$n" -ge 25 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

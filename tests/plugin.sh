#!/bin/sh
# plugin.sh - end-to-end tests of native-kernel plugins (--kernel plugin:...):
# the example CPU plugin passes the smoke sweep; each kind of bad plugin is
# an ERROR with its reason (or FAILED, for a write past the output) and the
# sweep goes on; the CUDA plugin, when built, fails cleanly without a GPU.
# Usage: sh tests/plugin.sh build/gptq-harness [PLUGIN_DIR]
# Prints one line per check and "N passed, N failed"; exits 1 on any failure.
set -u
BIN=${1:-build/gptq-harness}
DIR=${2:-build/plugins}
CHECK_TAG=plugin
. tests/checklib.sh
TWO='m=3 n=16 k=64 g=32'
TWO2='fmt=ct zp=asym m=1 n=8 k=64 g=32'

# 1. The CPU plugin passes the smoke sweep (every case).
"$BIN" run -q --kernel "plugin:$DIR/libw4a16_cpu.so" --batch fixtures/sweeps/smoke.batch \
    >"$TMP/cpu.out" 2>"$TMP/cpu.err"
rc=$?
check "cpu plugin, smoke sweep: exit 0" [ "$rc" -eq 0 ]
check "cpu plugin, smoke sweep: all passed" \
    grep -Eq '^summary: total=([0-9]{3,}) passed=\1 failed=0 mistrusted=0 skipped=0 errors=0 exit=0$' "$TMP/cpu.out"
check "cpu plugin: device line names the plugin" grep -q '^device: w4a16_cpu' "$TMP/cpu.err"
"$BIN" run -v --kernel "plugin:$DIR/libw4a16_cpu.so" "$TWO" >"$TMP/v.out" 2>/dev/null
check "cpu plugin, -v: kernel time printed" grep -Eq '^    kernel: [0-9.]+ ms$' "$TMP/v.out"

# 2. Bad plugins: ERROR with the reason, every case reported, exit 1.
bad_plugin() { # bad_plugin NAME PATH REASON
    "$BIN" run --kernel "plugin:$2" "$TWO" "$TWO2" >"$TMP/$1.out" 2>"$TMP/$1.err"
    rc=$?
    check "$1: exit 1" [ "$rc" -eq 1 ]
    check "$1: both cases ERROR" [ "$(grep -c '^ERROR' "$TMP/$1.out")" -eq 2 ]
    check "$1: reason '$3'" grep -q "why: .*$3" "$TMP/$1.out"
    check "$1: repro line" grep -q "repro: .*--kernel plugin:$2 '" "$TMP/$1.out"
    check "$1: summary" grep -q '^summary: total=2 passed=0 failed=0 mistrusted=0 skipped=0 errors=2 exit=1$' \
        "$TMP/$1.out"
}
bad_plugin "returns non-zero" "$DIR/test/returns_error.so" "plugin returned 7"
check "returns non-zero: the plugin's own message reaches stderr" \
    grep -q 'returns_error: failing on purpose' "$TMP/returns non-zero.err"
bad_plugin "no w4a16_gemm" "$DIR/test/no_gemm.so" "does not export w4a16_gemm"
bad_plugin "no w4a16_abi_version" "$DIR/test/no_version.so" "does not export w4a16_abi_version"
bad_plugin "wrong version" "$DIR/test/wrong_version.so" \
    "implements w4a16 ABI version 42, the harness needs version 1"
bad_plugin "not a shared object" tests/plugins/not_a_library.so "dlopen: .*invalid ELF header"
bad_plugin "missing file" "$DIR/none.so" "dlopen: .*No such file"
check "load failure: said once on stderr" grep -q 'every case is an ERROR' "$TMP/missing file.err"

# 3. Writing past the output is caught by the guard: FAILED, not PASSED.
"$BIN" run --kernel "plugin:$DIR/test/overrun.so" "$TWO" >"$TMP/over.out" 2>&1
rc=$?
check "overrun: exit 1" [ "$rc" -eq 1 ]
check "overrun: FAILED, guard named" grep -q 'why: 1 guard element(s) after the output' "$TMP/over.out"


# A fixture is outside input: replay refuses the plugin a fixture names
# (dlopen alone would run its constructor) and loads it only from --kernel.
MARK="$TMP/ctor-ran"
"$BIN" run -q --out none --kernel "plugin:$DIR/test/ctor_mark.so" --save-all "$TMP/pfx" "$TWO" \
    >/dev/null 2>&1
PFX=$(ls "$TMP"/pfx/*.safetensors.gz 2>/dev/null | head -1)
check "fixture saved with a plugin kernel" [ -n "$PFX" ]
W4A16_CTOR_MARK="$MARK" "$BIN" replay "$PFX" >"$TMP/prp.out" 2>&1
rc=$?
check "replay of a fixture naming a plugin: ERROR, exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q '^ERROR' '$TMP/prp.out'"
check "replay of a fixture naming a plugin: says how to run it" \
    grep -q "the fixture names the plugin kernel plugin:$DIR/test/ctor_mark.so; a fixture cannot load native code: pass --kernel plugin:$DIR/test/ctor_mark.so to run it" "$TMP/prp.out"
check "replay of a fixture naming a plugin: the library was never loaded" [ ! -e "$MARK" ]
W4A16_CTOR_MARK="$MARK" "$BIN" replay --kernel "plugin:$DIR/test/ctor_mark.so" "$PFX" \
    >"$TMP/prp2.out" 2>&1
rc=$?
check "replay --kernel plugin:...: runs the plugin the user names, exit 0" \
    sh -c "[ $rc -eq 0 ] && [ -e '$MARK' ] && grep -q '^summary: total=1 passed=1 ' '$TMP/prp2.out'"
# 4. The CUDA plugin (built where nvcc is): passes on a GPU; elsewhere an
#    ERROR with the CUDA error on stderr, never a crash.
CUDA="$DIR/libw4a16_cuda.so"
if [ -f "$CUDA" ]; then
    "$BIN" run --kernel "plugin:$CUDA" "$TWO" >"$TMP/cuda.out" 2>"$TMP/cuda.err"
    rc=$?
    if nvidia-smi -L >/dev/null 2>&1; then
        check "cuda plugin on a GPU: exit 0" [ "$rc" -eq 0 ]
    else
        check "cuda plugin without a GPU: exit 1, no crash" [ "$rc" -eq 1 ]
        check "cuda plugin without a GPU: ERROR, plugin returned 2" \
            grep -q 'why: plugin returned 2' "$TMP/cuda.out"
        check "cuda plugin without a GPU: CUDA error on stderr" \
            grep -q '^w4a16_cuda: cudaSetDevice: cudaError' "$TMP/cuda.err"
    fi
else
    echo "plugin skip: $CUDA not built (no nvcc): CUDA plugin checks skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

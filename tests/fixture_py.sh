#!/bin/sh
# fixture_py.sh - tests of scripts/fixture.py (Python 3 + numpy): the golden
# fixtures load, the reference recomputed in numpy from their packed tensors
# matches y_ref (exact mode bit for bit), shapes follow the descriptor, BF16
# converts exactly, and a plain multi-layer checkpoint and damaged files load
# or fail cleanly. Skipped, saying so, when no python3 with numpy is found.
# Usage: sh tests/fixture_py.sh [build/mkckpt]
set -u
MK=${1:-build/mkckpt}
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' >/dev/null 2>&1; then
        PY=$p
        break
    fi
done
if [ -z "$PY" ]; then
    echo "fixture_py: SKIPPED: no python3 with numpy (apt-get install python3-numpy to run it)"
    exit 0
fi
TMP=$(mktemp -d)
export GPTQ_HARNESS_REPORTS="$TMP/reports" # run directories go there, not into reports/
trap 'rm -rf "$TMP"' EXIT
"$MK" checkpoint "$TMP/ckpt.safetensors" gptq || exit 1
"$MK" damaged header-not-object "$TMP/bad1.safetensors" || exit 1
"$MK" damaged offsets-out-of-range "$TMP/bad2.safetensors" || exit 1
"$MK" damaged gzip-truncated "$TMP/bad3.safetensors.gz" || exit 1
exec "$PY" - "$TMP" fixtures/golden/*.safetensors.gz <<'PYEOF'
import glob, sys
import numpy as np
sys.path.insert(0, "scripts")
import fixture

tmp, goldens = sys.argv[1], sys.argv[2:]
passed = failed = 0
def check(name, cond):
    global passed, failed
    if cond:
        passed += 1
        print("fixture_py ok:   " + name)
    else:
        failed += 1
        print("fixture_py FAIL: " + name)

check("20 golden fixtures", len(goldens) >= 20)
for path in goldens:
    t, meta = fixture.load(path)
    d = fixture.descriptor(meta)
    short = path.split("/")[-1][:60]
    M, N, K = d["m"], d["n"], d["k"]
    want = np.float16 if d["dt"] == "f16" else np.float32
    check(short + ": x, y_ref shapes and dtypes",
          t["x"].shape == (M, K) and t["x"].dtype == want and
          t["y_ref"].shape == (M, N) and t["y_ref"].dtype == np.float64)
    check(short + ": bias present exactly when bias=1", ("bias" in t) == bool(d["bias"]))
    ok, msg = fixture.check(path)
    check(short + ": " + msg, ok)
    if d["data"] == "exact":
        x = t["x"].astype(np.float64)
        check(short + ": exact-mode x are small integers",
              np.array_equal(x, np.round(x)) and np.abs(x).max() <= 16)
    q, z, s, g = fixture.logical(t, d)
    check(short + ": logical tensors in range",
          q.shape == (K, N) and q.max() <= 15 and z.max() <= 15 and
          (d["zp"] == "asym" or (z == 8).all()) and g.min() >= 0)

# a plain multi-layer checkpoint with other dtypes
t, meta = fixture.load(tmp + "/ckpt.safetensors")
check("checkpoint: metadata", meta.get("checkpoint_format") == "gptq")
check("checkpoint: BF16 -> float32 exactly (0x3F80 is 1.0)",
      t["model.norm.weight"].dtype == np.float32 and (t["model.norm.weight"] == 1.0).all())
raw, _ = fixture.load(tmp + "/ckpt.safetensors", raw_bf16=True)
check("checkpoint: raw BF16 bits kept on request", (raw["model.norm.weight"] == 0x3F80).all())
check("checkpoint: I64 scalar", t["model.step"].shape == () and int(t["model.step"]) == 7)
check("checkpoint: F32 values", np.array_equal(t["lm_head.weight"].ravel(), np.arange(128) / 8.0))
check("checkpoint: BOOL", list(t["model.mask"]) == [True, False, True])
check("checkpoint: I64 weight_shape",
      list(t["model.layers.1.self_attn.o_proj.weight_shape"]) == [128, 64])
for bad in ("bad1.safetensors", "bad2.safetensors", "bad3.safetensors.gz"):
    try:
        fixture.load(tmp + "/" + bad)
        check("damaged " + bad + " refused", False)
    except (ValueError, EOFError, OSError) as e:
        check("damaged " + bad + " refused: " + str(e)[:60], True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PYEOF

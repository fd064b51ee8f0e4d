#!/usr/bin/env python3
"""fixture.py - a gptq-harness fixture (or any safetensors file, plain or
gzip'd) as numpy arrays, to take a failing case into a Python/PyTorch session.
Needs Python 3 and numpy only.

    import sys; sys.path.insert(0, "scripts")
    import fixture
    t, meta = fixture.load("case.safetensors.gz")  # {name: ndarray}, {key: str}
    d = fixture.descriptor(meta)                     # {"fmt": "gptq-v1", "m": 3, ...}
    q, z, s, g_idx = fixture.logical(t, d)           # Q [K][N], Z [G][N], S [G][N], g_idx [K]
    w = fixture.dequant(q, z, s, g_idx)              # W [K][N] float64
    y = fixture.reference(t, d)                      # X @ W (+ bias), float64
    # torch.from_numpy(w) etc.

BF16 tensors come back as float32 (numpy has no bfloat16: the 16 bits are
shifted into the top of a float32, which is exact); load(..., raw_bf16=True)
keeps the uint16 bits instead. F16 comes back as float16.

The fixture layout is harness/results/fixture.h's: the packed checkpoint tensors under
their format's names, x [M][K], bias [N] (bias=1), y_ref [M][N] float64 (the
reference before rounding), y_dev [M][N] (when the kernel ran), and
__metadata__ with the descriptor line.

Command line:
    python3 scripts/fixture.py FILE...          metadata and tensors
    python3 scripts/fixture.py --check FILE...  also recompute the reference
        from the packed tensors and compare with y_ref (exact mode: bit for
        bit; real mode: to 1e-12 relative); exit 1 when one differs.
"""
import gzip
import json
import struct
import sys

import numpy as np

HEADER_MAX = 100 << 20
AWQ_ORDER = [0, 2, 4, 6, 1, 3, 5, 7]
DTYPES = {
    "BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "U16": np.uint16, "I16": np.int16,
    "F16": np.float16, "BF16": np.uint16, "U32": np.uint32, "I32": np.int32,
    "F32": np.float32, "U64": np.uint64, "I64": np.int64, "F64": np.float64,
}


def read_bytes(path):
    """The file's bytes, gunzipped when it starts with the gzip magic."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def parse(data, raw_bf16=False):
    """(tensors, metadata) from the bytes of a safetensors file."""
    if len(data) < 8:
        raise ValueError("file too short for the header length")
    (hlen,) = struct.unpack("<Q", data[:8])
    if hlen < 2 or hlen > len(data) - 8 or hlen > HEADER_MAX:
        raise ValueError("header length %d does not fit the file" % hlen)
    header = json.loads(data[8:8 + hlen].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    body = memoryview(data)[8 + hlen:]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, e in header.items():
        dt = DTYPES.get(e["dtype"])
        if dt is None:
            raise ValueError("tensor %r: dtype %s not handled" % (name, e["dtype"]))
        shape = [int(v) for v in e["shape"]]
        begin, end = (int(v) for v in e["data_offsets"])
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if not 0 <= begin <= end <= len(body) or end - begin != count * np.dtype(dt).itemsize:
            raise ValueError("tensor %r: data_offsets do not match dtype and shape" % name)
        a = np.frombuffer(body[begin:end], dtype=np.dtype(dt).newbyteorder("<"), count=count)
        a = a.reshape(shape)
        if e["dtype"] == "BF16" and not raw_bf16:
            a = (a.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = a
    return tensors, meta


def load(path, raw_bf16=False):
    """(tensors, metadata) of a plain or gzip'd safetensors file."""
    return parse(read_bytes(path), raw_bf16)


def descriptor(meta):
    """The fixture's descriptor line as a dict (numbers as int)."""
    d = {}
    for tok in meta["descriptor"].split():
        k, v = tok.split("=", 1)
        d[k] = int(v) if k in ("m", "n", "k", "g", "bias", "seed") else v
    return d


def nibbles(words):
    """int32 words [..] -> their 8 nibbles [.., 8], low nibble first."""
    w = words.astype(np.int64) & 0xFFFFFFFF
    return ((w[..., None] >> (4 * np.arange(8))) & 0xF).astype(np.uint8)


def logical(t, d):
    """Q [K][N], Z [G][N], S [G][N] (float64), g_idx [K] from the packed tensors."""
    fmt, K, N = d["fmt"], d["k"], d["n"]
    gs = K if d["g"] == -1 else d["g"]
    G = K // gs
    if fmt == "ct":
        q = nibbles(t["weight_packed"]).reshape(N, K).T
        s = t["weight_scale"].astype(np.float64).T
        if d["zp"] == "asym":
            z = nibbles(t["weight_zero_point"]).transpose(1, 0, 2).reshape(G, N)
        else:
            z = np.full((G, N), 8, np.uint8)
        g_idx = t.get("weight_g_idx")
    elif fmt == "awq":
        q = np.empty((K, N // 8, 8), np.uint8)
        q[:, :, AWQ_ORDER] = nibbles(t["qweight"])
        q = q.reshape(K, N)
        s = t["scales"].astype(np.float64)
        z = np.empty((G, N // 8, 8), np.uint8)
        z[:, :, AWQ_ORDER] = nibbles(t["qzeros"])
        z = z.reshape(G, N)
        g_idx = None
    else:  # gptq-v1, gptq-v2
        q = nibbles(t["qweight"]).transpose(0, 2, 1).reshape(K, N)
        s = t["scales"].astype(np.float64)
        z = nibbles(t["qzeros"]).reshape(G, N)
        if fmt == "gptq-v1":
            z = (z + 1) & 0xF  # stored Z - 1, per nibble
        g_idx = t.get("g_idx")
    if g_idx is None:
        g_idx = np.arange(K) // gs
    return q, z, s, np.asarray(g_idx, np.int64)


def dequant(q, z, s, g_idx):
    """W[k][n] = (Q[k][n] - Z[g(k)][n]) * S[g(k)][n], float64."""
    return (q.astype(np.float64) - z[g_idx].astype(np.float64)) * s[g_idx]


def reference(t, d):
    """Y = X @ W (+ bias), float64, from the fixture's own tensors."""
    y = t["x"].astype(np.float64) @ dequant(*logical(t, d))
    if d.get("bias"):
        y = y + t["bias"].astype(np.float64)
    return y


def check(path):
    """Recomputes the reference of a fixture; returns (ok, message)."""
    t, meta = load(path)
    d = descriptor(meta)
    y = reference(t, d)
    ref = t["y_ref"]
    if d["data"] == "exact":
        ok = np.array_equal(y, ref)
        how = "bit for bit"
    else:
        ok = np.allclose(y, ref, rtol=1e-12, atol=1e-12 * float(np.abs(ref).max()))
        how = "to 1e-12"
    err = float(np.abs(y - ref).max())
    return ok, "%s y_ref %s (max abs diff %.3g)" % ("matches" if ok else "DIFFERS from", how, err)


def describe(path):
    t, meta = load(path)
    print("%s:" % path)
    for k, v in meta.items():
        print("  metadata %s = %s" % (k, v))
    for name, a in t.items():
        rng = ""
        if a.size and a.dtype != np.bool_:
            rng = " min %g max %g" % (a.min(), a.max())
        print("  %-40s %-8s %s%s" % (name, a.dtype, list(a.shape), rng))


def main(argv):
    do_check = "--check" in argv
    files = [a for a in argv if a != "--check"]
    if not files:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        print("usage: fixture.py [--check] FILE...", file=sys.stderr)
        return 2
    bad = 0
    for path in files:
        try:
            if do_check:
                ok, msg = check(path)
                bad += not ok
                print("%s: %s" % (path, msg))
            else:
                describe(path)
        except (OSError, ValueError, KeyError, EOFError) as e:
            bad += 1
            print("%s: cannot read: %s" % (path, e), file=sys.stderr)
    if do_check:
        print("%d checked, %d differ or unreadable" % (len(files), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""w4a16_numpy - the W4A16 layouts in numpy (docs/abi.md, docs/formats.md):
nibble packing, the kernel contract as a dequantize-GEMM, and the correct
checkpoint-to-ABI conversion for every format. The example runners build on
it; so can yours.

Words are uint32, nibble i = bits 4i..4i+3, low nibble first.
"""

import numpy as np

SHIFTS = np.arange(8, dtype=np.uint32) * 4
AWQ_ORDER = np.array([0, 2, 4, 6, 1, 3, 5, 7])  # nibble i holds column AWQ_ORDER[i]


def unpack_last(words):
    """[..., C] words -> [..., 8C] nibbles (uint8), nibble i of word c at 8c+i."""
    w = np.asarray(words).view(np.uint32) if np.asarray(words).dtype == np.int32 \
        else np.asarray(words, dtype=np.uint32)
    q = (w[..., None] >> SHIFTS) & 0xF
    return q.reshape(w.shape[:-1] + (w.shape[-1] * 8,)).astype(np.uint8)


def pack_last(nibbles):
    """[..., 8C] values 0..15 -> [..., C] uint32 words (inverse of unpack_last)."""
    q = np.asarray(nibbles, dtype=np.uint32)
    q = q.reshape(q.shape[:-1] + (q.shape[-1] // 8, 8))
    return np.bitwise_or.reduce(q << SHIFTS, axis=-1).astype(np.uint32)


def kernel_gemm(t, cfg):
    """The kernel contract, in float32: y [M][N] from the ABI tensors (a, b
    [N][K/8], scale [G][N], zp [G][N/8] or cfg["zp_scalar"], perm, bias)."""
    K, gs = cfg["K"], cfg["group_size"]
    q = unpack_last(t["b"]).astype(np.float32)          # [N][K], kernel row order
    g = np.arange(K) // gs                              # group of kernel row k
    s = t["scale"]                                      # [G][N]
    if "zp" in t:
        z = unpack_last(t["zp"]).astype(np.float32)     # [G][N]
    else:
        z = np.full(s.shape, float(cfg["zp_scalar"]), np.float32)
    w = (q - z[g].T) * s[g].T                           # [N][K]
    a = t["a"][:, t["perm"]] if "perm" in t else t["a"]
    y = a @ w.T
    if "bias" in t:
        y = y + t["bias"]
    return y


def logical(t, cfg):
    """Checkpoint tensors -> logical (Q [K][N], Z [G][N], S [G][N], g_idx or
    None), for every format the harness writes (docs/formats.md)."""
    fmt, names, K, N = cfg["format"], cfg["tensors"], cfg["K"], cfg["N"]
    qw, sc = t[names["weight"]], t[names["scales"]]
    zw = t.get(names.get("zeros", ""))
    gidx = t.get(names.get("g_idx", ""))
    if fmt in ("gptq-v1", "gptq-v2"):
        Q = unpack_last(qw.T).T                          # [K/8][N] packed along K
        S = sc
        Z = unpack_last(zw) if zw is not None else None  # [G][N/8] packed along N
        if Z is not None and fmt == "gptq-v1":
            Z = (Z + 1) & 0xF                            # v1 stores Z - 1, per nibble
    elif fmt == "ct":
        Q = unpack_last(qw).T                            # [N][K/8] packed along K
        S = sc.T                                         # [N][G]
        Z = unpack_last(zw.T) if zw is not None else None  # [N/8][G] packed along N
    elif fmt == "awq":
        Q = unpack_last(qw)[:, _awq_columns(N)]          # [K][N/8] interleaved
        S = sc
        Z = unpack_last(zw)[:, _awq_columns(N)] if zw is not None else None
    else:
        raise ValueError("unknown format %r" % fmt)
    if cfg["sym"]:
        Z = None  # the symmetric zero point is 8 whatever a checkpoint stores
    assert Q.shape == (K, N)
    return Q, Z, S, gidx


def _awq_columns(N):
    """Index turning AWQ's nibble order into column order."""
    inv = np.argsort(AWQ_ORDER)  # column j of a pack sits at nibble inv[j]
    return (np.arange(N) // 8) * 8 + inv[np.arange(N) % 8]


def convert(t, cfg):
    """The correct loader: checkpoint tensors -> the kernel-ABI tensors (a dict
    for gptq_runner.serve_adapter)."""
    Q, Z, S, gidx = logical(t, cfg)
    K = cfg["K"]
    gs = K if cfg["group_size"] == -1 else cfg["group_size"]
    r = {"group_size": gs, "scale": S}
    if gidx is not None:
        perm = np.argsort(gidx, kind="stable")
        if not np.array_equal(perm, np.arange(K)):
            r["perm"] = perm
            Q = Q[perm]                                  # weight rows in group order
    r["b"] = pack_last(Q.T)                              # [N][K/8]
    if Z is not None:
        r["zp"] = pack_last(Z)                           # [G][N/8]
    else:
        r["zp_scalar"] = 8
    return r

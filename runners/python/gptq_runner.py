"""gptq_runner - the runner side of gptq-harness's external runner protocol.

The harness starts a runner once (``--kernel exec:CMD``, ``--adapter exec:CMD``
or ``--layer exec:CMD``) and sends it one request per case; docs/runners.md
describes the protocol. This module runs the loop, so that a runner is one
function and one call:

    import gptq_runner as gr

    def kernel(t, cfg):          # t: dict of numpy arrays, cfg: dict
        return y                 # [M][N]

    gr.serve_kernel(kernel)

What the function gets and returns, per role:

- kernel: t holds the kernel-ABI tensors "a" [M][K], "b" [N][K/8] (uint32),
  "scale" [G][N], "zp" [G][N/8] (uint32, when cfg["has_zp"]), "perm" [K]
  (int32, when cfg["has_perm"]), "bias" [N] (when cfg["has_bias"]); it returns
  y [M][N].
- adapter: t holds the checkpoint tensors under their checkpoint names
  (cfg["tensors"] names them by role) plus "x" and "bias"; it returns a dict
  with "b", "scale", optionally "zp" and "perm", "group_size" and optionally
  "zp_scalar" (8 when absent).
- layer: t as for the adapter; it returns y [M][N].

f16 and bf16 tensors arrive as float32 arrays holding their exact values
(cfg["dtype"] says which of the two). A returned float array is rounded to
cfg["dtype"] to nearest even; a uint16 array is taken as the bits themselves.
Integer tensors are returned as any integer dtype (b and zp become uint32
words, perm int32; a perm value outside int32 is sent as the nearest int32
bound, never wrapped into range). Shapes are sent as returned: the harness
judges them against the contract.

A kernel may return (y, info) with info a dict of extra reply fields, e.g.
{"kernel_ms": 0.012, "graph_ms": 0.008, "timing": "cuda-events",
"timed_runs": 50} when cfg["perf_runs"] asks it to time itself. Raising Skip
makes the case SKIPPED with its message; any other exception makes the case
an ERROR with the exception's text (the runner keeps serving).

Only numpy is needed. Messages may go to stdout or stderr: the protocol has
fds 3 and 4 of its own.
"""

import io
import json
import os
import sys
import traceback

import numpy as np

PROTOCOL = "gptq-harness-runner"
VERSION = 1


class Skip(Exception):
    """Raised by a runner function: the case is SKIPPED with this reason."""


# ---- f16 / bf16 ----------------------------------------------------------


def bits_to_float(bits, dtype):
    """uint16 bits of dtype ("f16" or "bf16") -> float32 values (exact)."""
    bits = np.asarray(bits, dtype=np.uint16)
    if dtype == "f16":
        return bits.view(np.float16).astype(np.float32)
    return (bits.astype(np.uint32) << 16).view(np.float32)


def float_to_bits(x, dtype):
    """Float values -> uint16 bits of dtype, rounded to nearest even."""
    x = np.asarray(x)
    if dtype == "f16":
        return x.astype(np.float64).astype(np.float16).view(np.uint16)
    f = x.astype(np.float32)
    u = f.view(np.uint32).astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(f)
    if nan.any():  # a quiet NaN, never rounded into infinity
        r = np.where(nan, ((u >> 16) | 0x40).astype(np.uint16), r)
    return r


# ---- safetensors -----------------------------------------------------------

_ST_DTYPES = {
    "F16": np.uint16, "BF16": np.uint16, "U32": np.uint32, "I32": np.int32,
    "F32": np.float32, "F64": np.float64, "U8": np.uint8, "I64": np.int64,
    "U16": np.uint16, "I16": np.int16, "I8": np.int8,
}


def read_safetensors(path):
    """{name: (st_dtype, numpy array)}; F16/BF16 as their uint16 bits."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[b:end], dtype=np.dtype(_ST_DTYPES[e["dtype"]]).newbyteorder("<"))
        out[name] = (e["dtype"], arr.reshape(e["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    """tensors: {name: (st_dtype, numpy array)}; written whole, then renamed."""
    header, chunks, off = {}, [], 0
    for name, (dt, arr) in tensors.items():
        raw = np.ascontiguousarray(arr).astype(
            np.dtype(_ST_DTYPES[dt]).newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dt, "shape": list(np.shape(arr)),
                        "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


# ---- conversions between files and the user's arrays -----------------------


def _decode(tensors):
    """File tensors -> arrays for the user (f16/bf16 as float32 values)."""
    out = {}
    for name, (dt, arr) in tensors.items():
        if dt == "F16":
            out[name] = bits_to_float(arr, "f16")
        elif dt == "BF16":
            out[name] = bits_to_float(arr, "bf16")
        else:
            out[name] = arr
    return out


def _activation(x, dtype):
    """A returned float (or uint16 bits) array -> (st dtype, bits)."""
    x = np.asarray(x)
    bits = x if x.dtype == np.uint16 else float_to_bits(x, dtype)
    return ("BF16" if dtype == "bf16" else "F16", bits)


def _words(x, what):
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError("%s must be an integer array, not %s" % (what, x.dtype))
    return ("U32", x.astype(np.uint32) if x.dtype != np.int32 else x.view(np.uint32))


def _indices(x, what):
    """An integer array -> ("I32", int32 array). A value outside int32 is
    sent as the nearest int32 bound, which is out of range for any K too,
    so that the harness reports it instead of seeing it wrap into a valid
    index."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError("%s must be an integer array, not %s" % (what, x.dtype))
    lo, hi = np.iinfo(np.int32).min, np.iinfo(np.int32).max
    wide = (x > hi) | (x < lo) if x.dtype.kind == "i" else x > hi
    if wide.any():
        i = int(np.flatnonzero(wide)[0])
        sys.stderr.write("gptq_runner: %s holds values outside int32 (the first: flat index "
                         "%d, %d); sent as the nearest int32 bound\n" % (what, i, x.flat[i]))
        x = np.clip(x, lo, hi) if x.dtype.kind == "i" else np.minimum(x, hi)
    return ("I32", x.astype(np.int32))


def _output_y(y, cfg):
    y = np.asarray(y)
    return {"out": _activation(y, cfg["dtype"])}


def _output_abi(r, cfg):
    if not isinstance(r, dict) or "b" not in r or "scale" not in r or "group_size" not in r:
        raise TypeError("an adapter returns a dict with b, scale, group_size "
                        "(and zp, perm, zp_scalar when it has them)")
    files = {"b": _words(r["b"], "b"), "scale": _activation(r["scale"], cfg["dtype"])}
    if r.get("zp") is not None:
        files["zp"] = _words(r["zp"], "zp")
    if r.get("perm") is not None:
        files["perm"] = _indices(r["perm"], "perm")
    extra = {"group_size": int(r["group_size"]), "zp_scalar": int(r.get("zp_scalar", 8))}
    return files, extra


# ---- the loop ----------------------------------------------------------------


def _fds():
    spec = os.environ.get("GPTQ_RUNNER_FDS")
    if not spec:
        sys.stderr.write("this program is a gptq-harness runner: start it with "
                         "gptq-harness run --kernel|--adapter|--layer 'exec:COMMAND' "
                         "(docs/runners.md)\n")
        sys.exit(2)
    r, w = (int(v) for v in spec.split(","))
    return io.open(r, "rb", buffering=0), io.open(w, "wb", buffering=0)


def _reply(wf, obj):
    wf.write((json.dumps(obj) + "\n").encode())


def _handle(role, fn, req, peaks, skip):
    rid = req.get("id")
    if req.get("op") == "peaks":
        if peaks is None:
            return {"id": rid, "status": "error", "reason": "this runner measures no peaks"}
        return dict({"id": rid, "status": "ok"}, **peaks())
    if req.get("op") != "run":
        return {"id": rid, "status": "error", "reason": "unknown op %r" % req.get("op")}
    if skip:
        return {"id": rid, "status": "skip", "reason": skip}
    cfg = req.get("config", {})
    t = _decode(read_safetensors(req["input"]))
    r = fn(t, cfg)
    extra = {}
    if role == "adapter":
        files, extra = _output_abi(r, cfg)
    else:
        if isinstance(r, tuple):
            r, extra = r
        files = _output_y(r, cfg)
    write_safetensors(req["output"], files)
    return dict({"id": rid, "status": "ok"}, **extra)


def serve(role, fn, name=None, peaks=None, skip=None):
    """Runs the protocol loop for role ("kernel", "adapter" or "layer") until
    the harness closes the request channel. peaks: a function returning
    {"copy_gbs": ...} for perf mode. skip: a reason to skip every case (e.g.
    a library the runner needs is missing)."""
    rf, wf = _fds()
    _reply(wf, {"protocol": PROTOCOL, "version": VERSION, "role": role,
                "name": name or os.path.basename(sys.argv[0])})
    for line in rf:
        req = json.loads(line)
        try:
            rep = _handle(role, fn, req, peaks, skip)
        except Skip as e:
            rep = {"id": req.get("id"), "status": "skip", "reason": str(e)}
        except Exception as e:  # the case is an ERROR; the runner serves on
            traceback.print_exc(file=sys.stderr)
            rep = {"id": req.get("id"), "status": "error",
                   "reason": "%s: %s" % (type(e).__name__, e)}
        _reply(wf, rep)


def serve_kernel(fn, **kw):
    """fn(t, cfg) -> y [M][N] (or (y, info)); see the module's doc."""
    serve("kernel", fn, **kw)


def serve_adapter(fn, **kw):
    """fn(t, cfg) -> dict of ABI tensors; see the module's doc."""
    serve("adapter", fn, **kw)


def serve_layer(fn, **kw):
    """fn(t, cfg) -> y [M][N]; see the module's doc."""
    serve("layer", fn, **kw)

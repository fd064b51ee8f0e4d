#!/usr/bin/env python3
"""A loader (adapter) runner that returns bad kernel-ABI tensors on purpose
(tests/runners.sh checks the verdict and the message of each).

usage: bad_loader.py MODE

Every case is converted correctly (w4a16_numpy.convert), then MODE spoils
the reply. Modes that write the output file themselves, as a runner in any
language could:
  perm-short perm-long   perm with K-1 or K+1 entries
  perm-3d b-3d           perm [2][K/16][8], b [N][K/64][8] (the right counts)
  perm-empty scale-empty perm [0], scale [0][N]
  zp-scalar              zp as a 0-dimensional tensor (one word)
  b-short scale-groups zp-short
                         b one row short, scale with half the groups, zp
                         one row short
  perm-range perm-negative perm-gidx
                         perm[0] = K, perm[0] = -1, the group ids as perm
  group-size             group_size -1
  scale-nan scale-inf    scale[0][0] NaN, +Inf
  scale-f32 perm-i64 b-f16
                         a tensor in a dtype the protocol does not allow
  unknown no-b           an extra tensor 'zeros', no b at all
Modes that go through gptq_runner's own encoding (a Python loader's return
value):
  py-perm-float          perm as a float array
  py-perm-wide           perm[0] + 2**32 in an int64 array (must not wrap
                         back into a valid index)
The correct conversion needs act-order cases (a perm) and asymmetric ones
(a zp) for the perm and zp modes.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "runners", "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import w4a16_numpy as w4  # noqa: E402

MODE = sys.argv[1]
ACT = {"f16": "F16", "bf16": "BF16"}


def spoil_files(files, extra, cfg):
    """Spoils the encoded reply (st dtype, array) as MODE says."""
    K, N = cfg["K"], cfg["N"]
    dt, perm = files.get("perm", ("I32", None))
    if MODE == "perm-short":
        files["perm"] = (dt, perm[:-1])
    elif MODE == "perm-long":
        files["perm"] = (dt, np.append(perm, 0).astype(np.int32))
    elif MODE == "perm-3d":
        files["perm"] = (dt, perm.reshape(2, K // 16, 8))
    elif MODE == "b-3d":
        files["b"] = ("U32", files["b"][1].reshape(N, K // 64, 8))
    elif MODE == "perm-empty":
        files["perm"] = (dt, np.zeros(0, np.int32))
    elif MODE == "scale-empty":
        files["scale"] = (files["scale"][0], np.zeros((0, N), np.uint16))
    elif MODE == "zp-scalar":
        files["zp"] = ("U32", np.array(0x88888888, np.uint32))
    elif MODE == "b-short":
        files["b"] = ("U32", files["b"][1][:-1])
    elif MODE == "scale-groups":
        s = files["scale"][1]
        files["scale"] = (files["scale"][0], s[: s.shape[0] // 2])
    elif MODE == "zp-short":
        files["zp"] = ("U32", files["zp"][1][:-1])
    elif MODE == "perm-range":
        perm = perm.copy()
        perm[0] = K
        files["perm"] = (dt, perm)
    elif MODE == "perm-negative":
        perm = perm.copy()
        perm[0] = -1
        files["perm"] = (dt, perm)
    elif MODE == "group-size":
        extra["group_size"] = -1
    elif MODE in ("scale-nan", "scale-inf"):
        s = files["scale"][1].copy()
        s[0, 0] = 0x7E00 if MODE == "scale-nan" else 0x7C00  # f16 NaN, +Inf
        if cfg["dtype"] == "bf16":
            s[0, 0] = 0x7FC0 if MODE == "scale-nan" else 0x7F80
        files["scale"] = (files["scale"][0], s)
    elif MODE == "scale-f32":
        files["scale"] = ("F32", gr.bits_to_float(files["scale"][1], cfg["dtype"]))
    elif MODE == "perm-i64":
        files["perm"] = ("I64", perm.astype(np.int64))
    elif MODE == "b-f16":
        files["b"] = (ACT["f16"], np.ascontiguousarray(files["b"][1]).view(np.uint16))
    elif MODE == "unknown":
        files["zeros"] = ("U32", np.zeros(1, np.uint32))
    elif MODE == "no-b":
        del files["b"]


def spoil_dict(r, t, cfg):
    """Spoils the loader's return value as MODE says (py-* modes)."""
    if MODE == "py-perm-float":
        r["perm"] = r["perm"].astype(np.float64)
    elif MODE == "py-perm-wide":
        r["perm"] = r["perm"].astype(np.int64)
        r["perm"][0] += 2**32
    elif MODE == "perm-gidx":
        r["perm"] = t[cfg["tensors"]["g_idx"]]
    return r


rf, wf = gr._fds()
print("bad_loader: started (%s)" % MODE, file=sys.stderr, flush=True)  # counted by the test
gr._reply(wf, {"protocol": gr.PROTOCOL, "version": gr.VERSION, "role": "adapter",
               "name": "bad loader " + MODE})
for line in rf:
    req = json.loads(line)
    cfg = req["config"]
    t = gr._decode(gr.read_safetensors(req["input"]))
    try:
        files, extra = gr._output_abi(spoil_dict(w4.convert(t, cfg), t, cfg), cfg)
    except Exception as e:  # what gptq_runner.serve makes of an exception
        gr._reply(wf, {"id": req["id"], "status": "error",
                       "reason": "%s: %s" % (type(e).__name__, e)})
        continue
    spoil_files(files, extra, cfg)
    gr.write_safetensors(req["output"], files)
    gr._reply(wf, dict({"id": req["id"], "status": "ok"}, **extra))

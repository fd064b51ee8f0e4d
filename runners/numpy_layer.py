#!/usr/bin/env python3
"""A layer runner in numpy: an engine's loader and kernel together
(checkpoint tensors and x in, y out): w4a16_numpy.convert, then the kernel.

    gptq-harness run --layer 'exec:python3 runners/numpy_layer.py'

--fault zeros-transposed plants the loader bug of numpy_adapter.py."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import w4a16_numpy as w4  # noqa: E402

FAULT = sys.argv[2] if sys.argv[1:2] == ["--fault"] else None


def layer(t, cfg):
    abi = w4.convert(t, cfg)
    if FAULT == "zeros-transposed" and "zp" in abi:
        # the words of the transposed [N/8][G] matrix, read as [G][N/8]
        abi["zp"] = np.ascontiguousarray(abi["zp"].T).reshape(abi["zp"].shape)
    kt = {"a": t["x"], "b": abi["b"], "scale": abi["scale"]}
    for name in ("zp", "perm", "bias"):
        src = t if name == "bias" else abi
        if name in src:
            kt[name] = src[name]
    return w4.kernel_gemm(kt, {"K": cfg["K"], "group_size": abi["group_size"],
                               "zp_scalar": abi.get("zp_scalar", 8)})


if __name__ == "__main__":
    if FAULT not in (None, "zeros-transposed"):
        sys.exit("numpy_layer.py: unknown --fault %r (zeros-transposed)" % FAULT)
    gr.serve_layer(layer, name="numpy layer" + (" with zeros transposed" if FAULT else ""))

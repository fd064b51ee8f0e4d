#!/usr/bin/env python3
"""A kernel runner for PyTorch's tinygemm int4 kernels (docs/runners.md):

    --device cpu   torch.ops.aten._weight_int4pack_mm_for_cpu
    --device cuda  torch.ops.aten._weight_int4pack_mm (bf16 only)

    gptq-harness run --kernel 'exec:python3 runners/tinygemm.py --device cuda'

The layout conversion it performs (part of what is tested):
  weights  the ABI's b [N][K/8] words unpacked to Q [N][K] (kernel row order);
           CPU: _convert_weight_to_int4pack_for_cpu(Q as int32 [N][K], inner_k_tiles);
           CUDA: two rows per byte, even k in the high nibble (uint8 [N][K/2]), then
           _convert_weight_to_int4pack(.., inner_k_tiles);
  scales and zero points  scales_and_zeros [G][N][2] in the activation dtype:
           [..., 0] = s, [..., 1] = (8 - z) * s, because tinygemm dequantizes
           w = (q - 8) * s + zero, and (q - z) * s = (q - 8) * s + (8 - z) * s;
  act-order  tinygemm has no permutation: A's columns are gathered, A[:, perm];
  bias     tinygemm has none: added to the op's output (rounded twice).
Cases tinygemm cannot take are SKIPPED with the reason: group sizes other than
32, 64, 128, 256; K not a multiple of 16 * inner_k_tiles; f16 on CUDA; shapes
the packing op refuses (its message is the reason; an error of the matmul
itself is an ERROR).

--fault zeros-transposed reads the zero-point words as [N/8][G] instead of
[G][N/8] (a planted conversion bug the harness must catch and name).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import torch_util as tu  # noqa: E402
import w4a16_numpy as w4  # noqa: E402

GROUP_SIZES = (32, 64, 128, 256)


def inner_k_tiles(K):
    for ikt in (8, 4, 2):
        if K % (16 * ikt) == 0:
            return ikt
    raise gr.Skip("tinygemm needs K a multiple of 32 (16 * inner_k_tiles); K=%d" % K)


def zero_points(t, cfg, fault):
    G, N = t["scale"].shape
    if "zp" not in t:
        return np.full((G, N), float(cfg["zp_scalar"]), np.float32)
    words = t["zp"]
    if fault == "zeros-transposed":
        words = words.reshape(N // 8, G).T
    return w4.unpack_last(words).astype(np.float32)


class Tinygemm:
    def __init__(self, torch, device, fault):
        self.torch, self.device, self.fault = torch, device, fault

    def args(self, t, cfg):
        """The op's arguments from the ABI tensors (the conversion above)."""
        torch, dev = self.torch, self.device
        dt = tu.torch_dtype(torch, cfg["dtype"])
        K, gs = cfg["K"], cfg["group_size"]
        if gs not in GROUP_SIZES:
            raise gr.Skip("tinygemm supports group sizes %s; this case has %d" % (GROUP_SIZES, gs))
        if dev == "cuda" and cfg["dtype"] != "bf16":
            raise gr.Skip("tinygemm on CUDA (_weight_int4pack_mm) takes bf16 only")
        ikt = inner_k_tiles(K)
        q = w4.unpack_last(t["b"]).astype(np.int32)  # [N][K], kernel row order
        try:  # the packing op's preconditions (shapes it does not take) make the case SKIPPED
            if dev == "cpu":
                packed = torch._convert_weight_to_int4pack_for_cpu(torch.from_numpy(q), ikt)
            else:
                u8 = ((q[:, ::2] << 4) | q[:, 1::2]).astype(np.uint8)  # even k high nibble
                packed = torch._convert_weight_to_int4pack(torch.from_numpy(u8).to(dev), ikt)
        except RuntimeError as e:
            raise gr.Skip("tinygemm's weight packing does not take N=%d K=%d: %s"
                          % (cfg["N"], K, str(e).splitlines()[0]))
        s = t["scale"]
        zero = (8.0 - zero_points(t, cfg, self.fault)) * s
        sz = tu.tensor(torch, np.stack([s, zero], axis=2), dt, dev)  # [G][N][2]
        a = tu.tensor(torch, t["a"], dt, dev)
        if "perm" in t:
            a = a[:, torch.from_numpy(t["perm"].astype(np.int64)).to(dev)].contiguous()
        return a, packed, gs, sz

    def op(self):
        return (self.torch._weight_int4pack_mm_for_cpu if self.device == "cpu"
                else self.torch._weight_int4pack_mm)

    def __call__(self, t, cfg):
        torch = self.torch
        a, packed, gs, sz = self.args(t, cfg)
        y = self.op()(a, packed, gs, sz)
        if "bias" in t:
            y = y + tu.tensor(torch, t["bias"], y.dtype, self.device)
        info = {}
        if cfg.get("perf_runs") and self.device == "cuda":
            nbytes = a.numel() * 2 + packed.numel() * packed.element_size() + sz.numel() * 2
            op = self.op()

            def make_call(i):  # input set i: fresh copies, so that the sets rotate through HBM
                aa, pp, ss = (a, packed, sz) if i == 0 else (a.clone(), packed.clone(), sz.clone())
                return lambda: op(aa, pp, gs, ss)
            info = tu.time_cuda(torch, make_call, nbytes, int(cfg["perf_runs"]))
        return y.float().cpu().numpy(), info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--fault", choices=("zeros-transposed",))
    o = ap.parse_args()
    torch, why = tu.import_torch(need_cuda=o.device == "cuda")
    name = "tinygemm (torch %s, %s)%s" % (
        torch.__version__ if torch else "missing", o.device,
        " with zeros transposed" if o.fault else "")
    fn = Tinygemm(torch, o.device, o.fault) if torch else None
    peaks = (lambda: tu.copy_peak_cuda(torch)) if torch and o.device == "cuda" else None
    gr.serve_kernel(fn, name=name, skip=why, peaks=peaks)


if __name__ == "__main__":
    main()

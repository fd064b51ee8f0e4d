#!/usr/bin/env python3
"""A kernel runner for vLLM's XPU int4 kernel, torch.ops._xpu_C.int4_gemm_w4a16
(vllm-xpu-kernels, Intel GPUs; docs/runners.md). The harness's kernel ABI is
this op's contract, so the runner only marshals, the way vLLM's
XPUwNa16LinearKernel.apply_weights calls it:

    int4_gemm_w4a16(A, B, bias, B_scale, B_zp, group_size, g_idx)
      A        [M][K] activations (f16 / bf16)
      B        the ABI's b [N][K/8] words as an int32 tensor, passed as its .t()
               view ([K/8][N], strides (1, K/8)), as vLLM passes w_q.t()
      bias     [N] or None
      B_scale  [G][N], activation dtype
      B_zp     [G][N/8] int32 words (asymmetric), or torch.tensor([8], int8)
      g_idx    the ABI's perm as int32 [K], or None

    gptq-harness run --kernel 'exec:python3 runners/xpu_int4_gemm.py'

--stand-in replaces the op (and torch) by a numpy stand-in that checks what
it receives exactly as listed above and computes the contract, so the
marshalling is tested on any machine. Without --stand-in, a machine without
torch or without the op SKIPs every case with the reason.

--fault b-not-transposed passes B contiguous as [K/8][N] (a planted
marshalling bug; the stand-in rejects it).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import torch_util as tu  # noqa: E402
import w4a16_numpy as w4  # noqa: E402


class TorchXPU:
    """The real op, on the "xpu" device."""

    def __init__(self, torch):
        self.torch = torch
        try:  # the library that registers the op, when it is installed
            import vllm_xpu_kernels._C  # noqa: F401
        except ImportError:
            pass
        self.op = torch.ops._xpu_C.int4_gemm_w4a16

    def act(self, x, dtype):
        return tu.tensor(self.torch, x, tu.torch_dtype(self.torch, dtype), "xpu")

    def int32(self, x):
        return tu.tensor(self.torch, np.ascontiguousarray(x).view(np.int32), None, "xpu")

    def int8(self, values):
        return self.torch.tensor(values, dtype=self.torch.int8, device="xpu")

    @staticmethod
    def t(x):
        return x.t()

    @staticmethod
    def contiguous(x):
        return x.contiguous()

    @staticmethod
    def numpy(y):
        return y.float().cpu().numpy()


class NumpyStandIn:
    """numpy arrays in place of torch tensors, and a stand-in for the op that
    checks its arguments as vLLM hands them over."""

    def __init__(self):
        self.dtype = None

    def act(self, x, dtype):
        self.dtype = dtype
        return np.array(x, dtype=np.float32)

    @staticmethod
    def int32(x):
        return np.ascontiguousarray(x).view(np.int32)

    @staticmethod
    def int8(values):
        return np.array(values, dtype=np.int8)

    @staticmethod
    def t(x):
        return x.T

    @staticmethod
    def contiguous(x):
        return np.ascontiguousarray(x)

    @staticmethod
    def numpy(y):
        return y

    @staticmethod
    def op(A, B, bias, B_scale, B_zp, group_size, g_idx):
        M, K = A.shape
        if B.dtype != np.int32 or B.ndim != 2 or B.shape[0] != K // 8:
            raise ValueError("B must be int32 [K/8][N], got %s %s" % (B.dtype, B.shape))
        N = B.shape[1]
        if B.strides != (4, 4 * (K // 8)):
            raise ValueError("B must be the .t() view of a contiguous [N][K/8] int32 tensor "
                             "(strides %s, want (4, %d))" % (B.strides, 4 * (K // 8)))
        if B_scale.ndim != 2 or B_scale.shape[1] != N:
            raise ValueError("B_scale must be [G][N], got %s" % (B_scale.shape,))
        t = {"a": A, "b": B.T, "scale": B_scale}
        cfg = {"K": K, "group_size": group_size}
        if B_zp.dtype == np.int8:
            if B_zp.shape != (1,):
                raise ValueError("a symmetric B_zp is the one-element int8 tensor [8]")
            cfg["zp_scalar"] = int(B_zp[0])
        elif B_zp.dtype == np.int32 and B_zp.shape == (B_scale.shape[0], N // 8):
            t["zp"] = B_zp
        else:
            raise ValueError("B_zp must be int8 [1] or int32 [G][N/8], got %s %s"
                             % (B_zp.dtype, B_zp.shape))
        if g_idx is not None:
            if g_idx.dtype != np.int32 or g_idx.shape != (K,):
                raise ValueError("g_idx must be int32 [K]")
            t["perm"] = g_idx
        if bias is not None:
            t["bias"] = bias
        return w4.kernel_gemm(t, cfg)


def marshal(ops, t, cfg, fault=None):
    """Calls the op with the ABI tensors, as vLLM's apply_weights does."""
    dt = cfg["dtype"]
    A = ops.act(t["a"], dt)
    B = ops.int32(t["b"])  # [N][K/8] words
    B = ops.contiguous(ops.t(B)) if fault == "b-not-transposed" else ops.t(B)
    S = ops.act(t["scale"], dt)
    ZP = ops.int32(t["zp"]) if "zp" in t else ops.int8([cfg["zp_scalar"]])
    bias = ops.act(t["bias"], dt) if "bias" in t else None
    g_idx = ops.int32(t["perm"]) if "perm" in t else None
    return ops.numpy(ops.op(A, B, bias, S, ZP, cfg["group_size"], g_idx))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stand-in", action="store_true",
                    help="a numpy stand-in for torch and the op")
    ap.add_argument("--fault", choices=("b-not-transposed",))
    o = ap.parse_args()
    why, ops = None, None
    if o.stand_in:
        ops, name = NumpyStandIn(), "int4_gemm_w4a16 marshalling, numpy stand-in for the op"
    else:
        torch, why = tu.import_torch()
        if torch is not None:
            try:
                ops = TorchXPU(torch)
            except (AttributeError, RuntimeError) as e:
                why = ("torch.ops._xpu_C.int4_gemm_w4a16 is not available (vllm-xpu-kernels "
                       "not installed, or no Intel GPU): %s" % e)
        name = "torch.ops._xpu_C.int4_gemm_w4a16"
    gr.serve_kernel(lambda t, cfg: marshal(ops, t, cfg, o.fault), skip=why,
                    name=name + (" with B not transposed" if o.fault else ""))


if __name__ == "__main__":
    main()

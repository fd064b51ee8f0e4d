#!/usr/bin/env python3
"""A kernel runner with a small W4A16 Triton kernel written for this
repository (docs/runners.md). It reads the kernel ABI as it is, so the only
conversion is marshalling: b [N][K/8] and zp [G][N/8] as int32 tensors (the
same bits), scale and bias in the activation dtype, perm as int32.

    gptq-harness run --kernel 'exec:python3 runners/triton_w4a16.py'

The kernel: one program per BLOCK_M x BLOCK_N tile of out; per BLOCK_K step
it gathers A's columns through perm (act-order), unpacks the weight nibbles
of its columns, dequantizes w = (q - z) * s in float32, rounds w to the
activation dtype and accumulates tl.dot in float32; bias is added in float32
and the sum rounded once to the output dtype. Rounding w to f16/bf16 before
the dot is exact in exact mode ((q - z) * 2^e) and within the bound in real
mode.

--fault zeros-transposed hands the kernel the zero-point words transposed
([N/8][G]): a planted conversion bug.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import torch_util as tu  # noqa: E402

torch, WHY = tu.import_torch(need_cuda=True, need_triton=True)

if torch is not None:
    import triton
    import triton.language as tl

    @triton.jit
    def w4a16_kernel(a_ptr, b_ptr, s_ptr, z_ptr, perm_ptr, bias_ptr, out_ptr,
                     M, N, K, group_size, zp_scalar,
                     HAS_ZP: tl.constexpr, HAS_PERM: tl.constexpr, HAS_BIAS: tl.constexpr,
                     BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
        rm = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
        rn = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
        m_ok = rm < M
        n_ok = rn < N
        acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
        for k0 in range(0, K, BLOCK_K):
            rk = k0 + tl.arange(0, BLOCK_K)
            k_ok = rk < K
            if HAS_PERM:
                col = tl.load(perm_ptr + rk, mask=k_ok, other=0)
            else:
                col = rk
            a = tl.load(a_ptr + rm[:, None] * K + col[None, :],
                        mask=m_ok[:, None] & k_ok[None, :], other=0.0)
            kn_ok = k_ok[:, None] & n_ok[None, :]
            word = tl.load(b_ptr + rn[None, :] * (K // 8) + (rk[:, None] // 8), mask=kn_ok,
                           other=0)
            q = (word >> ((rk[:, None] % 8) * 4)) & 0xF
            grp = rk // group_size
            s = tl.load(s_ptr + grp[:, None] * N + rn[None, :], mask=kn_ok, other=0.0)
            if HAS_ZP:
                zw = tl.load(z_ptr + grp[:, None] * (N // 8) + rn[None, :] // 8, mask=kn_ok,
                             other=0)
                z = (zw >> ((rn[None, :] % 8) * 4)) & 0xF
            else:
                z = zp_scalar
            w = ((q - z).to(tl.float32) * s.to(tl.float32)).to(a.dtype)
            acc += tl.dot(a, w)
        if HAS_BIAS:
            acc += tl.load(bias_ptr + rn, mask=n_ok, other=0.0).to(tl.float32)[None, :]
        tl.store(out_ptr + rm[:, None] * N + rn[None, :], acc.to(out_ptr.dtype.element_ty),
                 mask=m_ok[:, None] & n_ok[None, :])


BLOCK_M, BLOCK_N, BLOCK_K = 16, 64, 64


class TritonW4A16:
    def __init__(self, fault):
        self.fault = fault

    def args(self, t, cfg):
        dt = tu.torch_dtype(torch, cfg["dtype"])
        dev = "cuda"
        M, N, K = cfg["M"], cfg["N"], cfg["K"]
        G = t["scale"].shape[0]
        b = tu.tensor(torch, t["b"].view(np.int32), None, dev)
        s = tu.tensor(torch, t["scale"], dt, dev)
        dummy = torch.zeros(1, dtype=torch.int32, device=dev)
        z = dummy
        if "zp" in t:
            words = t["zp"].view(np.int32)
            if self.fault == "zeros-transposed":
                words = np.ascontiguousarray(words.reshape(N // 8, G).T)
            z = tu.tensor(torch, words, None, dev)
        perm = tu.tensor(torch, t["perm"], None, dev) if "perm" in t else dummy
        bias = tu.tensor(torch, t["bias"], dt, dev) if "bias" in t else s
        a = tu.tensor(torch, t["a"], dt, dev)
        out = torch.empty((M, N), dtype=dt, device=dev)
        return a, b, s, z, perm, bias, out, dict(
            M=M, N=N, K=K, group_size=cfg["group_size"], zp_scalar=cfg["zp_scalar"],
            HAS_ZP="zp" in t, HAS_PERM="perm" in t, HAS_BIAS="bias" in t)

    @staticmethod
    def launch(a, b, s, z, perm, bias, out, kw):
        grid = (triton.cdiv(kw["M"], BLOCK_M), triton.cdiv(kw["N"], BLOCK_N))
        w4a16_kernel[grid](a, b, s, z, perm, bias, out, kw["M"], kw["N"], kw["K"],
                           kw["group_size"], kw["zp_scalar"], HAS_ZP=kw["HAS_ZP"],
                           HAS_PERM=kw["HAS_PERM"], HAS_BIAS=kw["HAS_BIAS"],
                           BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, BLOCK_K=BLOCK_K)

    def __call__(self, t, cfg):
        args = self.args(t, cfg)
        self.launch(*args)
        y = args[6].float().cpu().numpy()
        info = {}
        if cfg.get("perf_runs"):
            nbytes = sum(x.numel() * x.element_size() for x in args[:4]) + args[6].numel() * 2

            def make_call(i):  # input set i: fresh copies, rotating through HBM
                xs = args[:6] if i == 0 else tuple(x.clone() for x in args[:6])
                o = torch.empty_like(args[6])
                return lambda: self.launch(*xs, o, args[7])
            info = tu.time_cuda(torch, make_call, nbytes, int(cfg["perf_runs"]))
        return y, info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fault", choices=("zeros-transposed",))
    o = ap.parse_args()
    name = "triton w4a16 (%s)%s" % (
        "triton %s, torch %s" % (triton.__version__, torch.__version__) if torch else "missing",
        " with zeros transposed" if o.fault else "")
    peaks = (lambda: tu.copy_peak_cuda(torch)) if torch else None
    gr.serve_kernel(TritonW4A16(o.fault) if torch else None, name=name, skip=WHY, peaks=peaks)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A kernel runner in numpy: the kernel contract (docs/abi.md) as a
dequantize-GEMM in float32.

    gptq-harness run --kernel 'exec:python3 runners/numpy_kernel.py'

In perf mode (--mode perf) it times itself with the wall clock (a CPU
kernel has no device events) and measures a numpy copy as its copy peak."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import w4a16_numpy as w4  # noqa: E402


def kernel(t, cfg):
    y = w4.kernel_gemm(t, cfg)
    runs = int(cfg.get("perf_runs", 0))
    if not runs:
        return y
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        w4.kernel_gemm(t, cfg)
        ms.append((time.perf_counter() - t0) * 1e3)
    return y, {"kernel_ms": sorted(ms)[runs // 2], "timed_runs": runs, "timing": "wall clock"}


def copy_peak(nbytes=32 << 20, runs=5):
    src, dst = np.ones(nbytes, np.uint8), np.empty(nbytes, np.uint8)
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        ms.append(time.perf_counter() - t0)
    return {"copy_gbs": 2.0 * nbytes / sorted(ms)[runs // 2] / 1e9}


if __name__ == "__main__":
    gr.serve_kernel(kernel, name="numpy kernel (float32)", peaks=copy_peak)

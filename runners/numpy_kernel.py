#!/usr/bin/env python3
"""A kernel runner in numpy: the kernel contract (docs/abi.md) as a
dequantize-GEMM in float32. gptq-harness run --kernel 'exec:python3 runners/numpy_kernel.py'"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import gptq_runner as gr  # noqa: E402
import w4a16_numpy as w4  # noqa: E402

if __name__ == "__main__":
    gr.serve_kernel(w4.kernel_gemm, name="numpy kernel (float32)")

#!/usr/bin/env python3
"""tinygemm_bw.py - run THERE (the GPU machine, python3 with torch + CUDA):
the measured numbers the CUDA and OpenCL kernels are compared with.

1. Copy peak: device-to-device copy of 1 GiB (read + write bytes / time),
   median of 20 CUDA-event-timed copies.
2. PyTorch's tinygemm int4 kernel (aten._weight_int4pack_mm, bf16, group
   size 128) at decode and small-batch shapes: the median of 200 single
   launches (CUDA events around each launch, an L2 flush between them), in
   two forms: after reading a buffer of 256 MB ("single", the L2 left holding
   clean lines, as after the harness's perf mode, which rotates input sets)
   and after overwriting it ("single-wflush", the L2 full of dirty lines that
   the timed kernel pays to write back; the only form before), and
   ("single-rotate") with no flush but each launch on the next of enough
   copies of its inputs that together they pass 512 MiB (2 to 64 copies),
   as the harness's perf mode times an OpenCL kernel, and
   the median time per launch of a CUDA graph of 50 launches replayed 20
   times. Bytes per launch = the same count the harness uses for a W4A16 case:
   packed weights N*K/2 + scales and zeros G*N*2*2 (tinygemm stores both as
   bf16) + activations M*K*2 + output M*N*2.

3. Empty launch: a kernel on one element, timed as a single launch after
   the read flush: the fixed cost in every single-launch figure above.

Data is random (timing only; tinygemm's numerics are tested by the harness's
runners). Prints one line per figure; no argument needed. Shapes: --shapes
N:K,N:K,... and --m 1,16,64 override the defaults.
"""
import argparse
import statistics

import torch

SHAPES = [(4096, 4096), (11008, 4096), (4096, 11008), (14336, 14336), (28672, 8192)]


def events():
    return torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)


def copy_peak():
    n = 1 << 30
    src = torch.empty(n, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    dst.copy_(src)
    t = []
    for _ in range(20):
        a, b = events()
        a.record()
        dst.copy_(src)
        b.record()
        torch.cuda.synchronize()
        t.append(a.elapsed_time(b))
    ms = statistics.median(t)
    return 2 * n / (ms * 1e-3) / 1e9


def pack(n, k, g, inner_k_tiles=8):
    """A tinygemm weight of shape [N][K] (random 4-bit values) and its scales/zeros."""
    q = torch.randint(0, 16, (n, k), dtype=torch.int32, device="cuda")
    try:  # torch >= 2.5: uint8 [N][K/2], two values a byte (high nibble first)
        u8 = ((q[:, ::2] << 4) | q[:, 1::2]).to(torch.uint8)
        w = torch.ops.aten._convert_weight_to_int4pack(u8, inner_k_tiles)
    except RuntimeError:
        w = torch.ops.aten._convert_weight_to_int4pack(q, inner_k_tiles)
    sz = torch.rand((k // g, n, 2), dtype=torch.bfloat16, device="cuda")
    return w, sz


def time_single(launch, before, warm, reps=200):
    """Median ms of reps single launches: launch(i) between two events, each
    after before(i), which keeps the GPU busy while the launch is queued (so
    that the events time the kernel, not the host's dispatch) and sets the
    L2 up for the form being timed. launch(0 .. warm - 1) run once first."""
    for i in range(warm):
        launch(i)
    torch.cuda.synchronize()
    t = []
    for i in range(reps):
        before(i)
        a, b = events()
        a.record()
        launch(i)
        b.record()
        torch.cuda.synchronize()
        t.append(a.elapsed_time(b))
    return statistics.median(t)


def time_launch(fn, flush, write, reps=200):
    """fn's single launches, each after an L2 flush: flush read (write False:
    max() reads every byte, the result stays on the GPU) or overwritten."""
    return time_single(lambda i: fn(), (lambda i: flush.zero_()) if write else (lambda i: flush.max()),
                       1, reps)


def time_rotated(fns, reps=200):
    """Single launches with no flush, launch i calling fns[i % len(fns)]
    (each on its own copy of the inputs), the GPU kept busy by a sleep."""
    return time_single(lambda i: fns[i % len(fns)](), lambda i: torch.cuda._sleep(100000),
                       len(fns), reps)


def rotated(n, k, m, g, nbytes):
    """Launches of tinygemm on copies of its inputs passing 512 MiB together."""
    sets = min(64, max(2, -(-(512 << 20) // nbytes)))
    fns = []
    for _ in range(sets):
        w, sz = pack(n, k, g)
        x = torch.randn((m, k), dtype=torch.bfloat16, device="cuda")
        fns.append(lambda w=w, sz=sz, x=x: torch.ops.aten._weight_int4pack_mm(x, w, g, sz))
    return fns


def time_graph(fn, launches=50, replays=20):
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(s)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(launches):
            fn()
    graph.replay()
    torch.cuda.synchronize()
    t = []
    for _ in range(replays):
        a, b = events()
        a.record()
        graph.replay()
        b.record()
        torch.cuda.synchronize()
        t.append(a.elapsed_time(b) / launches)
    return statistics.median(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default=",".join("%d:%d" % s for s in SHAPES))
    ap.add_argument("--m", default="1,16,64")
    ap.add_argument("--g", type=int, default=128)
    args = ap.parse_args()
    shapes = [tuple(int(v) for v in s.split(":")) for s in args.shapes.split(",")]
    ms_list = [int(v) for v in args.m.split(",")]
    print("device: %s, torch %s" % (torch.cuda.get_device_name(), torch.__version__))
    print("copy peak: %.0f GB/s (1 GiB device-to-device, read + write)" % copy_peak())
    flush = torch.zeros(256 << 20, dtype=torch.uint8, device="cuda")
    one = torch.zeros(1, dtype=torch.float32, device="cuda")
    print("empty launch: single %.4f ms (one-element add, after the read flush)"
          % time_launch(lambda: one.add_(1.0), flush, False))
    for n, k in shapes:
        w, sz = pack(n, k, args.g)
        for m in ms_list:
            x = torch.randn((m, k), dtype=torch.bfloat16, device="cuda")
            fn = lambda: torch.ops.aten._weight_int4pack_mm(x, w, args.g, sz)  # noqa: E731
            single = time_launch(fn, flush, False)
            wsingle = time_launch(fn, flush, True)
            graph = time_graph(fn)
            g = k // args.g
            nbytes = n * k // 2 + g * n * 4 + m * k * 2 + m * n * 2
            fns = rotated(n, k, m, args.g, nbytes)
            rsingle = time_rotated(fns)
            del fns
            gbs = lambda ms: nbytes / (ms * 1e-3) / 1e9  # noqa: E731
            print("tinygemm: m=%d n=%d k=%d g=%d  %.2f MB  single %.4f ms %.0f GB/s  "
                  "single-wflush %.4f ms %.0f GB/s  single-rotate %.4f ms %.0f GB/s  "
                  "graph %.4f ms %.0f GB/s"
                  % (m, n, k, args.g, nbytes / 1e6, single, gbs(single), wsingle, gbs(wsingle),
                     rsingle, gbs(rsingle), graph, gbs(graph)))


if __name__ == "__main__":
    main()

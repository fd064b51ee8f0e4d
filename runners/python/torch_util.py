"""torch_util - what the torch runners share: importing torch (a runner
without torch still starts and SKIPs every case, saying why), numpy to torch,
and timing a kernel on a CUDA device (CUDA events per launch, and a CUDA graph
of back-to-back launches) plus the device's copy peak, for perf mode."""

import math


def import_torch(need_cuda=False, need_triton=False):
    """(torch, None), or (None, reason) when what the runner needs is missing."""
    try:
        import torch
    except Exception as e:  # ImportError, or a broken installation
        return None, "torch is not installed for this python (%s: %s)" % (type(e).__name__, e)
    if need_cuda and not torch.cuda.is_available():
        return None, "torch %s sees no CUDA device" % torch.__version__
    if need_triton:
        try:
            import triton  # noqa: F401
        except Exception as e:
            return None, "triton is not installed for this python (%s)" % e
    return torch, None


def torch_dtype(torch, name):
    return torch.bfloat16 if name == "bf16" else torch.float16


def tensor(torch, arr, dtype=None, device="cpu"):
    """A numpy array as a torch tensor on device (f16/bf16 values arrive as
    float32 and are exact in dtype)."""
    t = torch.from_numpy(arr.copy())
    if dtype is not None:
        t = t.to(dtype)
    return t.to(device)


def _median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else 0.5 * (v[len(v) // 2 - 1] + v[len(v) // 2])


def time_cuda(torch, make_call, nbytes, runs, graph_launches=20):
    """Times a kernel launch on the current CUDA device. make_call(i) returns
    a callable launching the kernel on input set i; sets rotate so that the
    bytes in flight exceed the L2 cache (128 MiB or 16 sets at most). Returns
    the reply fields: kernel_ms (median over runs launches, one CUDA event
    pair each), graph_ms (per launch, graph_launches back-to-back launches
    captured in one CUDA graph and replayed; absent when capture fails)."""
    sets = max(1, min(16, math.ceil((128 << 20) / max(nbytes, 1))))
    calls = [make_call(i) for i in range(sets)]
    for c in calls * 2:  # warm-up: compilation, autotuning, caches
        c()
    torch.cuda.synchronize()
    ev = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
          for _ in range(runs)]
    for i, (s, e) in enumerate(ev):
        s.record()
        calls[i % sets]()
        e.record()
    torch.cuda.synchronize()
    out = {"kernel_ms": _median([s.elapsed_time(e) for s, e in ev]), "timed_runs": runs,
           "input_sets": sets, "timing": "cuda-events"}
    try:
        g = torch.cuda.CUDAGraph()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            calls[0]()
        torch.cuda.current_stream().wait_stream(side)
        with torch.cuda.graph(g):
            for i in range(graph_launches):
                calls[i % sets]()
        g.replay()
        torch.cuda.synchronize()
        times = []
        for _ in range(5):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            g.replay()
            e.record()
            torch.cuda.synchronize()
            times.append(s.elapsed_time(e) / graph_launches)
        out["graph_ms"] = _median(times)
        out["timing"] = "cuda-events; cuda-graph of %d launches" % graph_launches
    except Exception as e:  # a kernel that cannot be captured still has its events figure
        out["graph_error"] = "%s: %s" % (type(e).__name__, e)
    return out


def copy_peak_cuda(torch, nbytes=256 << 20, runs=10):
    """The device's copy bandwidth: a device-to-device copy of nbytes, read
    and write counted (2 * nbytes), median of runs."""
    src = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    dst.copy_(src)
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        dst.copy_(src)
        e.record()
        torch.cuda.synchronize()
        times.append(s.elapsed_time(e))
    return {"copy_gbs": 2.0 * nbytes / (_median(times) * 1e-3) / 1e9,
            "device": torch.cuda.get_device_name()}

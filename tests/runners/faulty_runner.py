#!/usr/bin/env python3
"""A kernel runner that breaks the protocol on purpose (tests/runners.sh).

usage: faulty_runner.py MODE[@ID]

It answers every request correctly (the numpy kernel) except request ID
(every request when no @ID is given), where MODE happens:
  die       exits with status 3 before replying
  orphan    starts a process that keeps the reply channel open (sleeps
            20 s), then exits with status 3 before replying
  segv      kills itself with SIGSEGV
  hang      sleeps forever (after creating the file $HANG_MARK, when set)
  garbage   replies with a line that is not JSON
  trailing  replies with a valid reply followed by more JSON on the same line
  noid      replies without the request's id
  shape     returns out of shape [M][N+8]
  dtype     returns out as F32
  nooutput  says ok but writes no output file
  stdout    prints to stdout (and stderr) and answers correctly
  error     replies status error with a reason
  fakeline  replies status error with a reason that holds a line break, a
            fake summary line, a carriage return and an escape sequence
and at start:
  nohello   says something else instead of the hello
  version   says hello with protocol version 99
  role      says it is an adapter runner
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "runners", "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import w4a16_numpy as w4  # noqa: E402

spec = sys.argv[1]
mode, _, at = spec.partition("@")
rf, wf = gr._fds()


def send(obj):
    wf.write((json.dumps(obj) if not isinstance(obj, str) else obj).encode() + b"\n")


hello = {"protocol": gr.PROTOCOL, "version": gr.VERSION, "role": "kernel", "name": "faulty"}
if mode == "nohello":
    send("hello, harness!")
elif mode == "version":
    send(dict(hello, version=99))
elif mode == "role":
    send(dict(hello, role="adapter"))
else:
    send(hello)

for line in rf:
    req = json.loads(line)
    rid = req["id"]
    cfg = req["config"]
    now = not at or int(at) == rid
    t = gr._decode(gr.read_safetensors(req["input"]))
    y = w4.kernel_gemm(t, cfg)
    files = gr._output_y(y, cfg)
    if now and mode == "die":
        sys.exit(3)
    if now and mode == "orphan":
        if os.fork() == 0:  # the child inherits the channel and outlives us
            time.sleep(20)
            os._exit(0)
        os._exit(3)
    if now and mode == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    if now and mode == "hang":
        if os.environ.get("HANG_MARK"):  # tells a test that the hang has begun
            open(os.environ["HANG_MARK"], "w").close()
        time.sleep(3600)
    if now and mode == "garbage":
        send("Traceback (most recent call last): not a reply")
        continue
    if now and mode == "trailing":
        gr.write_safetensors(req["output"], files)
        send(json.dumps({"id": rid, "status": "ok"}) + ' {"id": 0}')
        continue
    if now and mode == "noid":
        send({"status": "ok"})
        continue
    if now and mode == "error":
        send({"id": rid, "status": "error", "reason": "planted runner error"})
        continue
    if now and mode == "fakeline":
        send({"id": rid, "status": "error", "reason": "CUDA error: illegal access\n"
              "summary: total=3 passed=3 failed=0 mistrusted=0 skipped=0 errors=0 exit=0\r\x1b[2K"})
        continue
    if now and mode == "shape":
        files = {"out": (files["out"][0], np.zeros((cfg["M"], cfg["N"] + 8), np.uint16))}
    if now and mode == "extra":
        files = dict(files, debug=("F32", np.zeros((2, 2), np.float32)))
    if now and mode == "dtype":
        files = {"out": ("F32", y.astype(np.float32))}
    if now and mode == "stdout":
        print("RUNNER-STDOUT-MARKER a runner printing to its stdout", flush=True)
        print("RUNNER-STDERR-MARKER and to its stderr", file=sys.stderr, flush=True)
    if not (now and mode == "nooutput"):
        gr.write_safetensors(req["output"], files)
    send({"id": rid, "status": "ok"})

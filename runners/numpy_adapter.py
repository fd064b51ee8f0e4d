#!/usr/bin/env python3
"""A loader runner in numpy: the correct checkpoint -> kernel-ABI conversion
for every format (w4a16_numpy.convert).

    gptq-harness run --adapter 'exec:python3 runners/numpy_adapter.py'

--fault zeros-transposed hands the zero points over transposed ([N/8][G]
words instead of [G][N/8]): the bug the harness must catch and name.
--fault scale-nan hands over a NaN as scale[0][0]: the contract check must
refuse it (FAILED, kernel not run) instead of a kernel seeming to compute NaN."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import numpy as np  # noqa: E402
import gptq_runner as gr  # noqa: E402
import w4a16_numpy as w4  # noqa: E402


def zeros_transposed(t, cfg):
    r = w4.convert(t, cfg)
    if "zp" in r:
        r["zp"] = np.ascontiguousarray(r["zp"].T)
    return r


def scale_nan(t, cfg):
    r = w4.convert(t, cfg)
    r["scale"] = np.array(r["scale"], np.float32)
    r["scale"][0, 0] = np.nan
    return r


FAULTS = {"zeros-transposed": (zeros_transposed, "zeros transposed"),
          "scale-nan": (scale_nan, "a NaN scale")}

if __name__ == "__main__":
    fault = sys.argv[2] if sys.argv[1:2] == ["--fault"] else None
    if fault is not None and fault not in FAULTS:
        sys.exit("numpy_adapter.py: unknown --fault %r (%s)" % (fault, " ".join(FAULTS)))
    fn, what = FAULTS[fault] if fault else (w4.convert, None)
    gr.serve_adapter(fn, name="numpy adapter" + (" with " + what if what else ""))

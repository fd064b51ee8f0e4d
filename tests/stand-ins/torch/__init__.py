"""A stand-in for the few parts of PyTorch that bench/tinygemm_bw.py uses,
for tests/perf.sh (no GPU, no torch): every operation on the "GPU" is
appended to a log, written to $TORCH_STANDIN_LOG at exit, one line each
("record", "sleep", "zero <id>", "max <id>", "mm <weight id>", ...), so that
the test can check what precedes each timed launch. Every event pair
measures 0.01 ms."""
import atexit
import itertools
import os

__version__ = "stand-in"
uint8, int32, bfloat16, float32 = "uint8", "int32", "bfloat16", "float32"
_log = []
_ids = itertools.count(1)


@atexit.register
def _write_log():
    path = os.environ.get("TORCH_STANDIN_LOG")
    if path:
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in _log))


class Tensor:
    def __init__(self, *shape):
        self.id = next(_ids)
        self.shape = shape

    def __getitem__(self, _):
        return Tensor(*self.shape)

    def __lshift__(self, _):
        return Tensor(*self.shape)

    def __or__(self, _):
        return Tensor(*self.shape)

    def to(self, _):
        return Tensor(*self.shape)

    def copy_(self, _):
        _log.append("copy %d" % self.id)
        return self

    def zero_(self):
        _log.append("zero %d" % self.id)
        return self

    def max(self):
        _log.append("max %d" % self.id)
        return Tensor()

    def add_(self, _):
        _log.append("add %d" % self.id)
        return self


def _make(shape, *_, **__):
    return Tensor(*(shape if isinstance(shape, tuple) else (shape,)))


def empty(n, **_):
    return _make(n)


def empty_like(t):
    return Tensor(*t.shape)


def zeros(n, **_):
    return _make(n)


def randint(lo, hi, shape, **_):
    return _make(shape)


def rand(shape, **_):
    return _make(shape)


def randn(shape, **_):
    return _make(shape)


class _Aten:
    @staticmethod
    def _convert_weight_to_int4pack(t, inner):
        return Tensor(*t.shape)

    @staticmethod
    def _weight_int4pack_mm(x, w, g, sz):
        _log.append("mm %d" % w.id)
        return Tensor()


class ops:
    aten = _Aten


class _Ctx:
    def __init__(self, *_):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *_):
        return False


class _Stream:
    def wait_stream(self, _):
        pass


class _Graph:
    def replay(self):
        _log.append("replay")


class _Event:
    def __init__(self, **_):
        pass

    def record(self):
        _log.append("record")

    def elapsed_time(self, _):
        return 0.01


class cuda:
    Event = _Event
    Stream = _Stream
    CUDAGraph = _Graph
    stream = _Ctx
    graph = _Ctx

    @staticmethod
    def synchronize():
        pass

    @staticmethod
    def get_device_name():
        return "stand-in GPU"

    @staticmethod
    def current_stream():
        return _Stream()

    @staticmethod
    def _sleep(cycles):
        _log.append("sleep")

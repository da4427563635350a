"""Shared test helpers: random arrays of any dtype, and the methods to parametrize over."""

import numpy as np

from sigconv import _runtime, _validate

METHODS = [m for m in _validate.METHODS if m != "auto"]
DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "float16", "float32",
          "float64", "complex64", "complex128"]


def random_array(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) > 0.5
    if dtype.kind == "u":
        return rng.integers(0, 10, shape).astype(dtype)
    if dtype.kind == "i":
        return rng.integers(-9, 10, shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def expected_dtype(dt1, dt2):
    """sigconv's documented dtype policy."""
    dt1, dt2 = np.dtype(dt1), np.dtype(dt2)
    if dt1.kind in "biu" and dt2.kind in "biu":
        return np.dtype(np.int64)
    dt = np.result_type(dt1, dt2)
    return np.dtype(np.float32) if dt == np.float16 else dt


def tolerance(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return 0, 0
    if dtype in (np.float16, np.float32, np.complex64):
        return 2e-5, 2e-5
    return 1e-10, 1e-10


def as_reference(a):
    """Exact-ish copy for the references: ints and bools as int64, floats as float64."""
    a = np.asarray(a)
    if a.dtype.kind in "biu":
        return a.astype(np.int64)
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    return a.astype(np.float64)


def res(threads=1, **kw):
    """The resources an engine gets from a call with ``threads`` workers."""
    return _runtime.Resources(threads=threads, **kw)


def numpy_sums(monkeypatch):
    """Make the direct engine sum in numpy, as where OpenCV is not installed."""
    from sigconv import _runtime
    monkeypatch.setattr(_runtime, "opencv", lambda: None)

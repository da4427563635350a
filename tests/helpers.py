"""Shared test helpers: random arrays of any dtype, and the methods to parametrize over."""

import numpy as np
import pytest

from sigconv import IntegerOverflowError, _runtime, _validate

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
    """sigconv's documented dtype policy: scipy.signal's result dtype
    (``np.result_type``), except bool with bool (int64 counts) and float16 (float32)."""
    dt1, dt2 = np.dtype(dt1), np.dtype(dt2)
    if dt1.kind == dt2.kind == "b":
        return np.dtype(np.int64)
    dt = np.result_type(dt1, dt2)
    return np.dtype(np.float32) if dt == np.float16 else dt


def checked_call(func, a, b, *args, want, **kwargs):
    """``func(a, b, *args, **kwargs)`` held to the dtype policy, given the exact result
    ``want``: the result has :func:`expected_dtype`; where ``want`` does not fit that
    integer dtype the call must raise IntegerOverflowError, and the result with
    ``out_dtype=np.int64`` is returned instead."""
    dt = expected_dtype(a.dtype, b.dtype)
    want = np.asarray(want)
    if dt.kind in "iu" and want.size and not (
            np.iinfo(dt).min <= int(want.min()) and int(want.max()) <= np.iinfo(dt).max):
        with pytest.raises(IntegerOverflowError, match=f"outside the range of {dt}"):
            func(a, b, *args, **kwargs)
        return func(a, b, *args, out_dtype=np.int64, **kwargs)
    got = func(a, b, *args, **kwargs)
    assert got.dtype == dt
    return got


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

"""The result's dtype: exact integer results cast without wrapping around.

sigconv computes integer convolutions exactly (in int64 or exactly-rounded floats) and then
casts to the result dtype, scipy's ``np.result_type`` of the inputs.  A value that does not
fit raises IntegerOverflowError naming a dtype that holds it, unless the caller chose the
dtype (``out_dtype``, ndimage's ``output``): then it saturates.  Used by the pipeline's
finish stage, sigconv.ndimage and sigconv.distributed.
"""

import functools

import numpy as np

from ._errors import IntegerOverflowError

__all__ = ["fit_result", "cast_saturating", "to_integer"]


def fit_result(out, dtype, in_dtypes, func, *, bounds=None):
    """The exact integer result ``out`` of inputs of ``in_dtypes`` in their result
    ``dtype`` (scipy's), never wrapped: :func:`to_integer`, whose IntegerOverflowError
    names an ``out_dtype`` that holds the result."""
    if dtype.kind not in "iu":
        return out.astype(dtype, copy=False)

    def origin():                     # (named only for the error: dtype names take ~15 us)
        first, second = (np.dtype(dt).name for dt in in_dtypes)
        names = f"{first} and {second}" if first != second else f"two {first}"
        return f"the result dtype of {names} inputs, as in scipy.signal"
    return to_integer(out, dtype, func=func, argument="out_dtype", bounds=bounds,
                      origin=origin)


def cast_saturating(arr, dtype):
    """``arr`` as ``dtype``; integer targets round and clip to their range, never wrap."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        if arr.dtype.kind == "c":
            arr = arr.real
        if arr.dtype.kind == "f":
            arr = np.rint(arr)
        return to_integer(arr, dtype, saturate=True)
    if dtype.kind == "b":
        return arr != 0
    if dtype.kind == "f" and arr.dtype.kind == "c":
        arr = arr.real
    return arr.astype(dtype)


def to_integer(values, dtype, *, saturate=False, func="", argument="out_dtype",
               origin="", bounds=None):
    """Integer-valued ``values`` as the integer ``dtype``, never wrapped around.

    A value beyond the range of ``dtype`` saturates at it when the caller chose the
    dtype (``saturate``); otherwise IntegerOverflowError names the ``argument`` that
    gives a dtype holding the values (``origin``, a str or a function returning one, says
    where ``dtype`` came from).
    ``bounds`` (low, high), known bounds of the values, spare reading them when they fit.

    Examples
    --------
    >>> to_integer(np.array([-3, 300]), np.uint8, saturate=True)
    array([  0, 255], dtype=uint8)
    >>> to_integer(np.array([-3, 100]), np.int8)
    array([ -3, 100], dtype=int8)
    >>> to_integer(np.array([0, 300]), np.uint8, func='f', origin="the input's dtype")
    Traceback (most recent call last):
    sigconv._errors.IntegerOverflowError: f: the result reaches 300, outside the range of uint8 (the input's dtype); pass out_dtype=np.uint16 or a float dtype, or out_dtype=np.uint8 to saturate at [0, 255]
    """
    dtype = np.dtype(dtype)
    if values.dtype.kind in "biu" and np.can_cast(values.dtype, dtype) or not values.size:
        return values.astype(dtype, copy=False)
    lo, hi = _limits(dtype)
    if bounds is not None and lo <= bounds[0] and bounds[1] <= hi:
        return values.astype(dtype, copy=False)
    low, high = values.min(), values.max()
    if lo <= low and high <= hi:
        return values.astype(dtype, copy=False)
    if not saturate:
        origin = origin() if callable(origin) else origin
        raise IntegerOverflowError(
            f"{func}: the result reaches {int(low if low < lo else high)}, outside the "
            f"range of {dtype} ({origin}); pass {argument}=np.{_holding(low, high, dtype)} "
            f"or a float dtype, or {argument}=np.{dtype.name} to saturate at "
            f"[{lo}, {hi}]")
    if values.dtype.kind == "f":
        lo, hi = _inside(lo, values.dtype), _inside(hi, values.dtype)
    return np.clip(values, lo, hi).astype(dtype)


@functools.lru_cache(maxsize=None)
def _limits(dtype):
    """``(min, max)`` of integer ``dtype`` (``np.iinfo`` takes ~1 us a call)."""
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def _holding(low, high, like):
    """The name of the narrowest integer dtype holding ``[low, high]``: unsigned when
    ``like`` is and ``low >= 0``, else signed; 'float64' beyond 64 bits."""
    kinds = "ui" if like.kind == "u" and low >= 0 else "i"
    for size in (1, 2, 4, 8):
        for kind in kinds:
            dt = np.dtype(f"{kind}{size}")
            if np.iinfo(dt).min <= low and high <= np.iinfo(dt).max:
                return dt.name
    return "float64"


def _inside(bound, dtype):
    """``bound`` as a float of ``dtype`` that does not lie beyond ``bound``."""
    f = np.array(bound, dtype=dtype)
    if int(f) != bound and abs(int(f)) > abs(bound):
        f = np.nextafter(f, np.array(0, dtype=dtype))
    return f

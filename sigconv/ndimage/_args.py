"""Argument checks of sigconv.ndimage, with scipy.ndimage's rules and exception types.

scipy.ndimage reports some bad arguments with ``RuntimeError`` (a mode it does not know,
a sequence of the wrong length, weights of the wrong dimensionality, an output of the
wrong shape); those raise :class:`sigconv.ArgumentError`, which is both a ``ValueError``
and a ``RuntimeError``.  Every message names the function and the argument, says what
was expected and what was received, and keeps scipy's wording where scipy's own tests
match it.  Every check runs before any work.
"""

import numbers
import operator
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .._errors import ArgumentError, DTypeError

#: scipy.ndimage's boundary modes for filters, and the sigconv boundary each one is
MODES = {"reflect": "reflect", "grid-mirror": "reflect", "constant": "constant",
         "grid-constant": "constant", "nearest": "nearest", "mirror": "mirror",
         "wrap": "wrap", "grid-wrap": "wrap"}

_AxisError = getattr(np, "exceptions", np).AxisError


def array(value, name, func):
    """``value`` as an ndarray of a numeric dtype (TypeError otherwise)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        raise DTypeError(f"{func}: {name} must have a numeric dtype (bool, integer, float "
                         f"or complex); got {arr.dtype}")
    return arr


def mode(value, func):
    """The sigconv boundary for scipy.ndimage mode ``value``."""
    if isinstance(value, str) and value in MODES:
        return MODES[value]
    names = ", ".join(repr(m) for m in MODES)
    if not isinstance(value, str) and np.iterable(value):
        raise ArgumentError(f"{func}: mode must be one of {names} (a single mode for this "
                            f"function); got {value!r}")
    raise ArgumentError(f"{func}: boundary mode not supported: mode must be one of {names}; "
                        f"got {value!r}")


def sequence(value, rank, name, func):
    """``value`` repeated ``rank`` times, or its items when it is a sequence of length
    ``rank`` (a string counts as one value), as scipy's ``_normalize_sequence``."""
    if not isinstance(value, str) and np.iterable(value):
        items = list(value)
        if len(items) != rank:
            raise ArgumentError(
                f"{func}: {name}: sequence argument must have length equal to input rank "
                f"(one value per filtered axis, {rank}); got {value!r}")
        return items
    return [value] * rank


def modes(value, rank, func):
    """One sigconv boundary per filtered axis."""
    return [mode(m, func) for m in sequence(value, rank, "mode", func)]


def axis(value, ndim, func):
    """``value`` as an axis index in ``[0, ndim)`` (numpy's AxisError otherwise)."""
    index = operator.index(value)
    if not -ndim <= index < ndim:
        raise _AxisError(index, ndim, msg_prefix=func)
    return index % ndim


def axes(value, ndim, func):
    """scipy.ndimage's ``axes``: None (every axis), an int or a sequence of unique ints,
    kept in the order given."""
    if value is None:
        return tuple(range(ndim))
    items = [value] if np.isscalar(value) else value
    if not np.iterable(items):
        raise ValueError(f"{func}: axes must be an integer, iterable of integers, or None; "
                         f"got {value!r}")
    out = []
    for ax in items:
        try:
            index = operator.index(ax)
        except TypeError:
            raise TypeError(f"{func}: axis {ax!r} cannot be interpreted as an integer; got "
                            f"axes={value!r}") from None
        if not -ndim <= index < ndim:
            raise ValueError(f"{func}: axis {index} is out of range for a {ndim}-d input; "
                             f"got axes={value!r}")
        out.append(index % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{func}: axes must be unique; got axes={value!r}")
    return tuple(out)


def origin(value, size, name, func):
    """``value`` as an int with ``-(size // 2) <= value <= (size - 1) // 2``: the kernel
    tap ``size // 2 + value`` sits on each output sample."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{func}: {name} must be an integer; got {value!r}")
    try:
        o = operator.index(value)
    except TypeError:
        raise TypeError(f"{func}: {name} must be an integer; got {value!r}") from None
    if not -(size // 2) <= o <= (size - 1) // 2:
        raise ValueError(f"{func}: Invalid origin; {name} must satisfy -({size} // 2) <= "
                         f"{name} <= ({size} - 1) // 2 for a filter of size {size}; got {o}")
    return o


def cval(value, complex_ok, func):
    """``value`` as a Python number: complex only where the computation is complex."""
    if isinstance(value, (numbers.Number, np.number, np.bool_)):
        number = value
    else:
        arr = np.asarray(value)
        if arr.ndim or arr.dtype.kind not in "biufc":
            raise TypeError(f"{func}: cval must be a real number; got {value!r}")
        number = arr[()]
    if np.iscomplexobj(number) and not complex_ok:
        raise ValueError(f"{func}: Cannot provide a complex-valued cval when the input is "
                         f"real; got cval={value!r}")
    return complex(number) if np.iscomplexobj(number) else float(number)


@dataclass(frozen=True)
class Output:
    """Where a result goes: its dtype, the caller's array (or None for a new one), the
    function's name, and whether the caller chose the dtype (an integer result that
    does not fit a chosen dtype saturates; one that does not fit the default, the
    input's dtype, raises)."""
    dtype: np.dtype
    array: Optional[np.ndarray]
    func: str
    chosen: bool


def output(value, inp, func, *, complex_output=False, stacklevel=3):
    """scipy.ndimage's ``output`` argument: None (the input's dtype), a dtype or type, a
    dtype string, or an array of the input's shape."""
    if complex_output and inp.dtype.kind != "c":
        default = np.promote_types(inp.dtype, np.complex64)
    else:
        default = inp.dtype.newbyteorder("=")        # scipy: the input dtype's name
    if value is None:
        return Output(default, None, func, False)
    if isinstance(value, np.ndarray):
        if value.shape != inp.shape:
            raise ArgumentError(f"{func}: output shape not correct: the output array must "
                                f"have the input's shape {inp.shape}; got {value.shape}")
        if complex_output and value.dtype.kind != "c":
            raise ArgumentError(f"{func}: output must have complex dtype for complex input "
                                f"or weights; got {value.dtype}")
        _numeric(value.dtype, func)
        if not value.flags.writeable:
            raise ValueError(f"{func}: the output array is read-only")
        return Output(value.dtype, value, func, True)
    try:
        dt = np.dtype(value)
    except TypeError:
        raise TypeError(f"{func}: output must be an array or a dtype; got {value!r}") from None
    if isinstance(value, str):
        if complex_output and dt.kind != "c":
            raise ArgumentError(f"{func}: output must have complex dtype for complex input "
                                f"or weights; got {value!r}")
        _numeric(dt, func)
    elif complex_output and dt.kind != "c":
        warnings.warn("promoting specified output dtype to complex", UserWarning,
                      stacklevel=stacklevel)
        dt = np.promote_types(dt, np.complex64)
    _numeric(dt, func)
    return Output(dt, None, func, True)


def _numeric(dt, func):
    if dt.kind not in "biufc":
        raise ArgumentError(f"{func}: output must have numeric dtype; got {dt}")

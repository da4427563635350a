"""Argument checks, one helper per kind of check.

Each helper receives the *name* of the argument and of the calling function, so every
message says where it came from, what was expected and what was received.  The
vocabularies (modes, methods, boundaries, ...) are constants here; messages are built
from them and never retyped.
"""

import difflib
import math
import numbers
import operator

import numpy as np

from ._errors import DTypeError, ShapeError

MODES = ("full", "same", "valid")
METHODS = ("auto", "direct", "fft", "oa", "os")
BOUNDARIES = ("constant", "reflect", "mirror", "nearest", "wrap")
BOUNDARY_ALIASES = {
    "fill": "constant", "zeros": "constant", "zero": "constant", "grid-constant": "constant",
    "symm": "reflect", "symmetric": "reflect", "grid-mirror": "reflect",
    "edge": "nearest", "replicate": "nearest",
    "circular": "wrap", "periodic": "wrap", "grid-wrap": "wrap",
}
CENTERS = ("scipy", "ndimage")
NAN_POLICIES = ("propagate", "raise")
#: the string parameters of convolve/correlate and every value each accepts: a value
#: given to the wrong one is named in the error ("'reflect' is a boundary: did you mean
#: boundary='reflect'?")
RELATED = {"mode": MODES, "method": METHODS,
           "boundary": BOUNDARIES + tuple(BOUNDARY_ALIASES), "center": CENTERS,
           "nan_policy": NAN_POLICIES}


def one_of(value, allowed, name, func, *, aliases=None, related=None):
    """``value`` if it is one of ``allowed`` (an alias gives its canonical name, from
    ``aliases``); otherwise a ValueError that lists the values and the aliases and
    points the way: a value of one of the ``related`` parameters (by default, when
    ``name`` is a parameter of convolve, the other parameters of convolve) is named as
    such, and a near miss gets its closest value.

    Examples
    --------
    >>> one_of('same', MODES, 'mode', 'convolve')
    'same'
    >>> one_of('reflect', MODES, 'mode', 'convolve')
    Traceback (most recent call last):
    ValueError: convolve: mode must be one of 'full', 'same', 'valid'; got 'reflect' ('reflect' is a boundary: did you mean boundary='reflect'?)
    >>> one_of('Same', MODES, 'mode', 'f', related=())
    Traceback (most recent call last):
    ValueError: f: mode must be one of 'full', 'same', 'valid'; got 'Same' (did you mean 'same'?)
    """
    aliases = aliases or {}
    if isinstance(value, str):
        if value in allowed:
            return value
        if value in aliases:
            return aliases[value]
    listing = ", ".join(repr(a) for a in allowed)
    if aliases:
        groups = {}
        for alias, target in aliases.items():
            groups.setdefault(target, []).append(repr(alias))
        listing += " (aliases: " + "; ".join(f"{', '.join(names)} -> {target!r}"
                                             for target, names in groups.items()) + ")"
    raise ValueError(f"{func}: {name} must be one of {listing}; got {value!r}"
                     f"{_hint(value, tuple(allowed) + tuple(aliases), name, related)}")


def _hint(value, accepted, name, related):
    """' (...)': the parameter ``value`` belongs to, or the closest accepted value."""
    if not isinstance(value, str):
        return ""
    if related is None:
        related = tuple(RELATED) if set(accepted) <= set(RELATED.get(name, ())) else ()
    for other in related:
        if other != name and value in RELATED[other]:
            return f" ({value!r} is a {other}: did you mean {other}={value!r}?)"
    lowered = {a.lower(): a for a in accepted}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.75)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def boundary_name(value, func, name="boundary", *, related=None):
    """The canonical scipy.ndimage boundary name for ``value`` or one of its aliases.

    Examples
    --------
    >>> boundary_name('symm', 'convolve2d')
    'reflect'
    """
    return one_of(value, BOUNDARIES, name, func, aliases=BOUNDARY_ALIASES, related=related)


def renamed(value, other, name, other_name, func, default):
    """One argument that may come under sigconv's ``name`` or under ``other_name``, the
    name another library gives it (scikit-image's and scipy.ndimage's ``mode`` for
    ``boundary``, Keras' ``learning_rate`` for ``lr``); None means not given.  Giving
    both with different values is a TypeError.

    Examples
    --------
    >>> renamed(None, 'nearest', 'boundary', 'mode', 'gaussian', 'reflect')
    'nearest'
    >>> renamed(None, None, 'boundary', 'mode', 'gaussian', 'reflect')
    'reflect'
    """
    if other is None:
        return default if value is None else value
    if value is not None and value != other:
        raise TypeError(f"{func}: {other_name}={other!r} and {name}={value!r} name the same "
                        f"argument; give one")
    return other


def as_numeric_array(value, name, func):
    """``value`` as an ndarray of a numeric (bool, integer, float, complex) dtype.

    Refuses object, string, bytes, datetime, timedelta and structured dtypes, and ragged
    nested sequences, before any work is done.
    """
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except ValueError as exc:  # ragged nested sequences
            raise DTypeError(f"{func}: {name} is not a rectangular numeric array ({exc})") from None
    if arr.dtype.kind not in "biufc":
        raise DTypeError(
            f"{func}: unsupported dtype {arr.dtype} for {name}; convert to a numeric "
            "(bool, integer, float or complex) dtype")
    return arr


def positive_int(value, name, func, minimum=1):
    """``value`` as a Python int that is at least ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an integer; got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{func}: {name} must be >= {minimum}; got {value}")
    return value


def positive(value, name, func, *, allow_zero=False):
    """``value`` as a finite float > 0 (>= 0 with ``allow_zero``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: {name} must be a real number; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{func}: {name} must be finite; got {value:g}")
    if not (value >= 0 if allow_zero else value > 0):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{func}: {name} must be {bound}; got {value:g}")
    return value


def per_axis_positive(value, ndim, name, func, *, allow_zero=False):
    """A positive number, or one per axis, as a tuple of ``ndim`` floats."""
    if np.ndim(value) == 0:
        return (positive(value, name, func, allow_zero=allow_zero),) * ndim
    items = tuple(value)
    if len(items) != ndim:
        raise ValueError(f"{func}: {name} needs one value per axis ({ndim}); got {value!r}")
    return tuple(positive(v, name, func, allow_zero=allow_zero) for v in items)


def per_axis(value, naxes, name, func, minimum=1):
    """An int or a sequence of ints, expanded to a tuple with one entry per axis."""
    if type(value) is int and value >= minimum:       # the common case, checked cheaply
        return (value,) * naxes
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
        return (positive_int(value, name, func, minimum),) * naxes
    try:
        items = tuple(value)
    except TypeError:
        return (positive_int(value, name, func, minimum),) * naxes
    if len(items) != naxes:
        raise ValueError(
            f"{func}: {name} needs one value per convolution axis ({naxes}); got {value!r}")
    return tuple(positive_int(v, name, func, minimum) for v in items)


def axes_tuple(axes, ndim, func):
    """Normalize ``axes`` for arrays of ``ndim`` dimensions: sorted, unique, non-negative."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (numbers.Integral, np.integer)) and not isinstance(axes, bool):
        items = [axes]
    else:
        try:
            items = list(axes)
        except TypeError:
            raise ValueError(f"{func}: axes must be None, an int or a sequence of ints; got {axes!r}") from None
    if not items:
        raise ValueError(f"{func}: axes must not be empty; got {axes!r}")
    out = []
    for ax in items:
        try:
            ax = operator.index(ax)
        except TypeError:
            raise ValueError(f"{func}: axes must be integers; got {axes!r}") from None
        if not -ndim <= ax < ndim:
            raise ValueError(f"{func}: axis {ax} is out of range for {ndim}-d inputs; got axes={axes!r}")
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{func}: axes must be unique; got {axes!r}")
    return tuple(sorted(out))


def same_ndim(a, b, func):
    """Refuse inputs of different dimensionality (no silent broadcasting)."""
    if a.ndim != b.ndim:
        raise ShapeError(
            f"{func}: in1 and in2 should have the same dimensionality: {a.shape} vs {b.shape}")


def batch_broadcast(a, b, axes, func):
    """The broadcast shape of the non-convolution (batch) axes of ``a`` and ``b``."""
    for ax in range(a.ndim):
        if ax in axes:
            continue
        n, m = a.shape[ax], b.shape[ax]
        if n != m and n != 1 and m != 1:
            raise ShapeError(
                f"{func}: in1 and in2 must match or be 1 on axis {ax}, which is not "
                f"convolved; got shapes {a.shape} and {b.shape}")


#: bytes per chunk of :func:`finite_extremes` (a chunk stays in the core's cache between
#: its max and its min; 512 KiB here read 16.7 million float32 numbers in 4.0 ms, 32 KiB
#: chunks in 6.1 ms, and an unchunked max and min in 5.4-6.3 ms)
EXTREMES_CHUNK_BYTES = 1 << 19
#: single-precision arrays of more numbers than this skip the norm in :func:`finite_norm`
#: for the exact maximum: their norm, at least ``sqrt(n / 2)`` times the median magnitude,
#: is too loose for the float32 dynamic-range check (a range of about 840) from about
#: ``2**18`` normally distributed numbers on, and the check then read the data twice
#: more (4.4 + 10 ms on a 4096**2 float32 image, against 4.0 ms for the maximum alone)
NORM_MAX_SINGLE = 1 << 18
#: sums of up to this many squares use BLAS ``dot``, which OpenBLAS runs on one thread up
#: to 10,000 numbers (measured here: CPU/wall 1.00 at 10,000, 1.98 at 10,001); 3x faster
#: than einsum there (1.8 us against 5.8 us on 10,000 float64 numbers)
DOT_MAX = 10_000


def _real_numbers(arr):
    """``arr``'s real numbers as one 1-D array (a complex array's real and imaginary
    parts side by side: a view when contiguous and native, else a copy)."""
    flat = arr.reshape(-1)
    if arr.dtype.kind != "c":
        return flat
    if flat.flags.c_contiguous and arr.dtype.isnative:
        return flat.view(flat.real.dtype)
    return np.concatenate([flat.real, flat.imag])


def finite_extremes(arr):
    """(number of non-finite entries, largest magnitude of a real or imaginary part).

    The maximum and minimum, taken chunk by chunk so that the data is read from memory
    once, decide the common case: NaN and inf propagate into them, so finite extremes
    mean every entry is finite; only otherwise are the non-finite entries counted.
    Integer and bool arrays give ``(0, None)``.

    Examples
    --------
    >>> finite_extremes(np.array([1.0, -3.0, 2.0]))
    (0, 3.0)
    >>> finite_extremes(np.array([1 - 4j, np.nan]))[0]
    1
    """
    if arr.dtype.kind not in "fc":
        return 0, None
    flat = _real_numbers(arr)
    if flat.size == 0:
        return 0, 0.0
    highs, lows = [], []
    step = max(1, EXTREMES_CHUNK_BYTES // flat.itemsize)
    for i in range(0, flat.size, step):
        chunk = flat[i:i + step]
        highs.append(np.max(chunk))
        lows.append(np.min(chunk))
    top = max(abs(float(max(highs))), abs(float(min(lows))))
    if math.isfinite(top) and all(math.isfinite(v) for v in highs + lows):
        return 0, top
    return int(arr.size - np.count_nonzero(np.isfinite(arr))), None


def finite_norm(arr):
    """(number of non-finite entries, an upper bound of the largest ``|value|``).

    The bound is the Euclidean norm, from one sum of squares (for float32/float64 data,
    real or complex): NaN and inf propagate into it, so a finite norm means every entry
    is finite.  Up to ``DOT_MAX`` numbers the sum is BLAS ``dot`` (single-threaded there),
    longer sums numpy's einsum, which spins up no BLAS threads (their spinning had made
    the next FFTW transform 2x slower) and sums float32 squares more accurately.  An
    infinite norm (non-finite entries, or squares overflowing) falls back to
    :func:`finite_extremes`, and so do single-precision arrays of over
    ``NORM_MAX_SINGLE`` numbers, whose norm would be too loose (the bound is then the
    exact maximum).  Integer and bool arrays give ``(0, None)``.

    Examples
    --------
    >>> finite_norm(np.array([3.0, -4.0]))
    (0, 5.0)
    >>> finite_norm(np.array([1.0, np.inf, np.nan]))[0]
    2
    """
    if arr.dtype.kind not in "fc":
        return 0, None
    single = arr.dtype.char in "fF" and arr.size > NORM_MAX_SINGLE
    if arr.dtype.char in "fdFD" and arr.dtype.isnative and not single:
        flat = _real_numbers(arr)
        if flat.size == 0:
            return 0, 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            square = float(np.dot(flat, flat) if flat.size <= DOT_MAX
                           else np.einsum("i,i->", flat, flat))
        if math.isfinite(square):
            return 0, math.sqrt(square)
    bad, top = finite_extremes(arr)
    if top is not None and arr.dtype.kind == "c":
        top *= math.sqrt(2)             # |z| <= sqrt(2) max(|re|, |im|)
    return bad, top


def dtype_arg(value, name, func):
    """``value`` as a numeric numpy dtype, or None."""
    if value is None:
        return None
    try:
        dt = np.dtype(value)
    except TypeError:
        raise DTypeError(f"{func}: {name} is not a dtype; got {value!r}") from None
    if dt.kind not in "biufc":
        raise DTypeError(f"{func}: {name} must be a numeric dtype; got {dt}")
    return dt

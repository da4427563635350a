"""The typed registry of sigconv's process-wide settings.

Each setting is one :class:`Option`: a name, a default, a check and a sentence of
documentation.  :func:`set_options` checks every change before applying any, so a bad
call changes nothing; :func:`option` reads one value on the hot path (a dict lookup).
The settings say *what* the user allows (memory, caches, planning effort); how the
machine delivers it lives in :mod:`sigconv._runtime`.
"""

import contextlib
import numbers
import threading
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["get_options", "set_options", "options", "option", "OPTIONS"]

PLANNER_EFFORTS = ("estimate", "measure", "patient")


@dataclass(frozen=True)
class Option:
    """One setting: ``check(value, name)`` returns the value to store or raises."""
    name: str
    default: Any
    check: Callable[[Any, str], Any]
    doc: str


def _bytes_or_none(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"set_options: {name} must be None or a non-negative int (bytes); "
                         f"got {value!r}")
    return int(value)


def _effort(value, name):
    if value not in PLANNER_EFFORTS:
        choices = ", ".join(repr(e) for e in PLANNER_EFFORTS)
        raise ValueError(f"set_options: {name} must be one of {choices}; got {value!r}")
    return value


def _seconds(value, name):
    if value == "auto":
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"set_options: {name} must be a positive number of seconds or "
                         f"'auto'; got {value!r}")
    return float(value)


OPTIONS = {o.name: o for o in (
    Option("max_memory", None, _bytes_or_none,
           "Bytes one convolution may allocate for transforms.  Over it 'auto' works in "
           "overlap blocks and an explicit method='fft' raises ResourceLimitError.  None: "
           "a quarter of the machine's physical memory (a fixed figure, so that 'auto' "
           "decides the same way on every call)."),
    Option("plan_cache_bytes", None, _bytes_or_none,
           "Bound on the bytes of FFTW plans and buffers kept between calls (least "
           "recently used dropped first).  None: 1/16 of physical memory, between 256 MiB "
           "and 1 GiB."),
    Option("spectrum_cache_bytes", None, _bytes_or_none,
           "Bound on the bytes of kernel spectra kept for calls that reuse a kernel.  "
           "None: as plan_cache_bytes; 0 keeps none."),
    Option("result_pool_bytes", None, _bytes_or_none,
           "Bound on the bytes of large result buffers kept and handed out again once no "
           "array refers to them.  None: 1/32 of physical memory, between 128 MiB and "
           "512 MiB; 0 keeps none."),
    Option("planner_effort", "estimate", _effort,
           "How FFTW plans a transform it has no wisdom for.  'estimate' (default) plans "
           "in microseconds, by rule, so results are bit-identical on every call and in "
           "every process with the same wisdom; measured plans come from wisdom "
           "(sigconv.tune, sigconv.fft.load_wisdom).  'measure' and 'patient' time "
           "candidate plans at a shape's first call (up to planning_timelimit): faster "
           "transforms afterwards, but a slow first call, and the last bits of results "
           "may differ between processes."),
    Option("planning_timelimit", "auto", _seconds,
           "Seconds FFTW may spend measuring plans for one transform with planner_effort "
           "'measure' or 'patient'.  'auto': 1 s per 2 million points, between 0.1 s "
           "and 10 s."),
)}

_values = {name: o.default for name, o in OPTIONS.items()}
_lock = threading.Lock()


def option(name):
    """The current value of one setting (read on every call: no copy).

    Examples
    --------
    >>> from sigconv._options import option
    >>> option('planner_effort')
    'estimate'
    """
    return _values[name]


def get_options():
    """A copy of every setting, by name.

    Returns
    -------
    dict

    Examples
    --------
    >>> import sigconv
    >>> sorted(sigconv.get_options())
    ['max_memory', 'plan_cache_bytes', 'planner_effort', 'planning_timelimit', 'result_pool_bytes', 'spectrum_cache_bytes']
    """
    with _lock:
        return dict(_values)


def set_options(**changes):
    """Change settings process-wide; returns the previous values of those changed.

    Every change is checked before any is applied.  The settings:

    {settings}

    Returns
    -------
    dict
        The previous values (pass them back to restore them).

    Raises
    ------
    TypeError
        An unknown setting.
    ValueError
        A value of the wrong kind.

    Examples
    --------
    >>> import sigconv
    >>> old = sigconv.set_options(max_memory=1 << 30)
    >>> sigconv.get_options()['max_memory']
    1073741824
    >>> _ = sigconv.set_options(**old)
    """
    checked = {}
    for name, value in changes.items():
        if name not in OPTIONS:
            raise TypeError(f"set_options: unknown option {name!r}; options are "
                            f"{sorted(OPTIONS)}")
        checked[name] = OPTIONS[name].check(value, name)
    with _lock:
        old = {name: _values[name] for name in checked}
        _values.update(checked)
    return old


set_options.__doc__ = set_options.__doc__.replace("{settings}", "\n    ".join(
    f"* ``{o.name}`` (default ``{o.default!r}``): {o.doc}" for o in OPTIONS.values()))


@contextlib.contextmanager
def options(**changes):
    """:func:`set_options` for the duration of a ``with`` block.

    Examples
    --------
    >>> import sigconv
    >>> with sigconv.options(max_memory=1 << 20):
    ...     sigconv.get_options()['max_memory']
    1048576
    """
    old = set_options(**changes)
    try:
        yield
    finally:
        set_options(**old)

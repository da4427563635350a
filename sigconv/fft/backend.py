"""Who computes the transforms: pyFFTW when it imports, scipy.fft otherwise.

The rest of sigconv asks for a transform with :func:`transform`, a context manager that
lends out an exclusive *transform slot*: a writable input buffer and an ``execute()``
that returns the (unnormalized) transform.  With pyFFTW the slot is a cached FFTW plan and
its aligned buffers (:mod:`sigconv.fft.plans`); with scipy.fft it is a fresh buffer.
The caller copies out what it keeps from a cached slot, so nothing returned to a user
aliases a cached buffer; a slot whose ``owned`` is true caches nothing, and the caller
may keep its result without a copy (:class:`~sigconv.fft.pocketfft.ScipySlot`).
"""

import contextlib
import functools
import warnings

import numpy as np

from .. import _runtime
from .pocketfft import ScipySlot

__all__ = ["backend", "set_backend", "transform", "fftw_dtypes", "BACKENDS"]

BACKENDS = ("pyfftw", "scipy")
#: pyFFTW is imported with sigconv (:func:`sigconv._runtime.pyfftw`): its import belongs
#: to ``import sigconv``, not to the first transform of the first call
_state = {"backend": "pyfftw" if _runtime.pyfftw() is not None else "scipy", "warned": False}


def backend():
    """The FFT library in use: ``'pyfftw'`` (FFTW) or ``'scipy'`` (pocketfft fallback).

    Warns once when pyFFTW cannot be imported.

    Returns
    -------
    str

    Examples
    --------
    >>> import sigconv.fft
    >>> sigconv.fft.backend() in ('pyfftw', 'scipy')
    True
    """
    name = _state["backend"]
    if name == "scipy" and _runtime.pyfftw_error() is not None and not _state["warned"]:
        _state["warned"] = True
        warnings.warn(f"sigconv.fft: pyFFTW is not available ({_runtime.pyfftw_error()}); "
                      "using scipy.fft, which is slower", RuntimeWarning, stacklevel=2)
    return name


def set_backend(name):
    """Choose the FFT library: ``'pyfftw'`` or ``'scipy'``; returns the previous one.

    Examples
    --------
    >>> import sigconv.fft
    >>> old = sigconv.fft.set_backend('scipy'); sigconv.fft.backend()
    'scipy'
    >>> _ = sigconv.fft.set_backend(old)
    """
    from .._validate import one_of
    name = one_of(name, BACKENDS, "name", "set_backend")
    if name == "pyfftw" and _runtime.pyfftw() is None:
        raise ImportError(f"set_backend: pyFFTW cannot be imported ({_runtime.pyfftw_error()})")
    old = backend()
    _state["backend"] = name
    return old


@functools.lru_cache(maxsize=1)
def fftw_dtypes():
    """Real dtypes pyFFTW can transform in this build (empty without pyFFTW)."""
    module = _runtime.pyfftw()
    if module is None:
        return ()
    names = {"32": np.float32, "64": np.float64, "ld": np.longdouble}
    return tuple(np.dtype(names[k]) for k in module._supported_types if k in names)


def transform(kind, shape, nsp, dtype, threads, *, effort="estimate", timelimit="auto"):
    """Lend an exclusive transform slot over the last ``nsp`` axes of ``shape`` (a
    context manager: ``with transform(...) as slot``).

    ``kind`` is ``'r2c'`` (real input of ``shape``), ``'c2r'`` (real output of ``shape``,
    half-spectrum input), ``'fwd'`` or ``'inv'`` (complex).  Transforms are unnormalized
    in both directions.  ``slot.input`` is a writable buffer the caller fills completely
    before each ``slot.execute()``, which may overwrite it and returns an array that stays
    valid until the ``with`` block ends (past it too where ``slot.owned``).
    ``effort`` and ``timelimit`` are the FFTW planner effort for a plan not in wisdom and
    its time limit (:class:`sigconv._runtime.Resources`).
    """
    dtype = np.dtype(dtype)
    real = np.dtype(dtype.char.lower()) if dtype.kind == "c" else dtype
    if backend() == "pyfftw" and real in fftw_dtypes():
        from .plans import default_cache
        return default_cache().slot(kind, tuple(shape), nsp, real, threads, effort=effort,
                                    timelimit=timelimit)
    return contextlib.nullcontext(ScipySlot(kind, tuple(shape), nsp, real, threads))

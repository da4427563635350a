"""Convolution engines.

Every engine computes the same thing, a *valid cross-correlation of a padded input*::

    out[..., i] = sum_m  x[..., i*stride + m*dilation] * w[..., m]

on the trailing axes of ``x`` and ``w`` (leading axes broadcast as a batch), with one
signature::

    engine(x, w, out_shape, strides, dilations, pads, *, res, **prepared) -> ndarray

``pads`` are implicit zeros per axis, ``res`` the :class:`sigconv._runtime.Resources` of
the call (threads, memory budget, planner effort) and ``prepared`` what
:func:`sigconv._pipeline.prepare` precomputed (block sizes, a kernel spectrum).  Engines
take validated arrays and plain tuples; they never parse strings, warn or read settings.
"""

from . import direct, fft, overlap

#: the menu: method name -> engine
ENGINES = {"direct": direct.correlate_valid, "fft": fft.correlate_valid,
           "os": overlap.correlate_valid_os, "oa": overlap.correlate_valid_oa}

"""Convolution engines.

Every engine computes the same thing, a *valid cross-correlation of a padded input*::

    out[..., i] = sum_m  x[..., i*stride + m*dilation] * w[..., m]

on the trailing axes of ``x`` and ``w`` (leading axes broadcast as a batch).  Engines take
validated arrays and plain tuples; they never parse strings, warn or read settings.
"""

"""Floating-point error bounds for the identity checks of :mod:`sigconv.properties`.

A :class:`Bound` carries upper bounds on the 1-, 2- and max-norms of an *exact* array and
a bound ``err`` on the largest absolute error of its *computed* value.  Exact inputs have
``err = 0``; each operation (convolution, sum, scaling, difference) returns a new Bound
whose ``err`` adds the rounding of that operation to the errors it propagates.

Rounding of one convolution, with unit roundoff ``u`` of the compute dtype (0 for
integers, which every method computes exactly) and ``m`` products per output sample, is
bounded by the largest of the bounds of sigconv's methods, so a check holds whichever
method ran:

* direct sum (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1 and
  §3.6, complex inner products): ``sqrt(2) * gamma(m + 2) * min(|x|_inf |y|_1, |x|_1 |y|_inf)``
  with ``gamma(n) = n u / (1 - n u)``;
* low-rank splitting of 2-D and N-D kernels (``engines.direct``): the split is accepted
  when it reproduces the kernel to ``8 eps K |k|_inf`` (``K`` its largest side), and at
  most ``sqrt(m)`` rank-one passes of at most ``m + d`` taps run, giving
  ``(2 sqrt(m) gamma(m + d + 2) + 16 u m) * max(|x|_1 |y|_2, |x|_2 |y|_1)``;
* FFT (Higham Thm 24.2: ``|fl(Fx) - Fx|_2 <= log2(N) eta |Fx|_2``,
  ``eta = u + gamma(4) (sqrt(2) + u)``), for a forward transform of each input, the
  spectral product and an inverse transform:
  ``2**d * 3 eta log2(N) * max(|x|_2 |y|_1, |x|_1 |y|_2)``, with the transform length
  ``N <= prod(2 * (n + k - 1))`` (fast lengths never exceed twice the full length) and
  ``2**d`` the most overlap-add/save blocks that can add into one sample in ``d`` dims.

Higham's bounds assume no underflow.  Gradual underflow adds at most the smallest
subnormal ``t`` of the dtype to the absolute error of each operation, so every bound below
also carries ``t`` times the number of operations behind one result (``m + 2`` for the
direct sum, ``8 N log2(N)`` for the transforms).

Norms of a convolution follow from Young's inequality: ``|x*y|_1 <= |x|_1 |y|_1``,
``|x*y|_2 <= min(|x|_2 |y|_1, |x|_1 |y|_2)``, ``|x*y|_inf <= min(|x|_inf |y|_1,
|x|_1 |y|_inf, |x|_2 |y|_2)``.  Errors propagate through ``x^*y^ - x*y = dx*y^ + x*dy``.
"""

import math
from dataclasses import dataclass, replace

import numpy as np

def unit_roundoff(dtype):
    """``u = eps / 2`` of the dtype a result is held in; 0 for exact integer results.

    sigconv returns float32 for float16 inputs, so its results are bounded with float32's
    ``u``; numpy arithmetic on float16 arrays rounds with float16's.
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "biu" or dtype == object:
        return 0.0
    return float(np.finfo(dtype).eps) / 2


def subnormal(u):
    """The smallest subnormal of the dtype whose unit roundoff is ``u`` (0 for integers)."""
    if not u:
        return 0.0
    for dt in (np.float16, np.float32, np.float64, np.longdouble):
        info = np.finfo(dt)
        if float(info.eps) / 2 == u:
            return float(info.smallest_subnormal) or float(info.tiny)
    return float(np.finfo(np.float64).smallest_subnormal)


def gamma(n, u):
    """``gamma(n) = n u / (1 - n u)`` (Higham), or inf when ``n u >= 1``."""
    nu = n * u
    return nu / (1 - nu) if nu < 1 else math.inf


def _eta(u):
    return u + gamma(4, u) * (math.sqrt(2) + u)


@dataclass(frozen=True)
class Bound:
    """Norm bounds of an exact array and the max-abs error of its computed value."""
    l1: float
    l2: float
    linf: float
    size: int
    shape: tuple
    err: float = 0.0

    @classmethod
    def of(cls, arr):
        """The Bound of an exact input array (norms inflated by their own rounding)."""
        arr = np.asarray(arr)
        if arr.size == 0:
            return cls(0.0, 0.0, 0.0, 0, arr.shape)
        mag = np.abs(arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64))
        grow = 1 + gamma(arr.size + 1, unit_roundoff(np.float64))
        return cls(float(mag.sum()) * grow, float(np.sqrt((mag * mag).sum())) * grow,
                   float(mag.max()), arr.size, arr.shape)

    def computed(self):
        """Norm bounds of the computed value: exact norms plus the error's norms."""
        return (self.l1 + self.size * self.err, self.l2 + math.sqrt(self.size) * self.err,
                self.linf + self.err)


def conv(x, y, u, *, terms=None, methods=("direct", "split", "fft"), shape=None):
    """Bound of the convolution of Bounds ``x`` and ``y`` computed with unit roundoff ``u``.

    ``terms`` is the number of products per output sample (default: the smaller size, as
    in a full linear convolution); ``shape`` the output shape (default: full).
    """
    if shape is None:
        shape = tuple(n + k - 1 for n, k in zip(x.shape, y.shape))
    size = math.prod(shape)
    x1, x2, xi = x.computed()
    y1, y2, yi = y.computed()
    m = terms if terms is not None else min(x.size, y.size)
    d = max(len(shape), 1)
    rounding = [0.0]
    if u:
        t = subnormal(u)
        if "direct" in methods:
            rounding.append(math.sqrt(2) * gamma(m + 2, u) * min(xi * y1, x1 * yi)
                            + (m + 2) * t)
        if "split" in methods and d >= 2:
            rounding.append((2 * math.sqrt(m) * gamma(m + d + 2, u) + 16 * u * m)
                            * max(x1 * y2, x2 * y1) + 2 * (m + d + 2) * t)
        if "fft" in methods:
            full = [n + k - 1 for n, k in zip(x.shape, y.shape)] or [1]
            log_n = sum(math.log2(2 * max(f, 1)) for f in full)
            points = math.prod(2 * max(f, 1) for f in full)
            rounding.append(2 ** d * 3 * _eta(u) * log_n * max(x2 * y1, x1 * y2)
                            + 8 * points * log_n * t)
    propagated = x.err * y1 + x.l1 * y.err
    return Bound(x.l1 * y.l1, min(x.l2 * y.l1, x.l1 * y.l2),
                 min(x.linf * y.l1, x.l1 * y.linf, x.l2 * y.l2), size, tuple(shape),
                 max(rounding) + propagated)


def add(x, y, u):
    """Bound of ``x + y`` (same shape) computed with unit roundoff ``u``."""
    xi, yi = x.computed()[2], y.computed()[2]
    return Bound(x.l1 + y.l1, x.l2 + y.l2, x.linf + y.linf, max(x.size, y.size), x.shape,
                 x.err + y.err + u * (xi + yi) + subnormal(u))


def scale(x, alpha, u):
    """Bound of ``alpha * x`` computed with unit roundoff ``u``."""
    a = abs(alpha)
    return replace(x, l1=a * x.l1, l2=a * x.l2, linf=a * x.linf,
                   err=a * x.err + math.sqrt(2) * gamma(2, u) * a * x.computed()[2]
                   + 2 * subnormal(u))


def diff(x, u, axis):
    """Bound of the first difference along ``axis`` of the zero-extended ``x``."""
    shape = tuple(s + (i == axis) for i, s in enumerate(x.shape))
    return Bound(2 * x.l1, 2 * x.l2, 2 * x.linf, math.prod(shape), shape,
                 2 * x.err + 2 * u * x.computed()[2] + subnormal(u))


def total(x, u):
    """Error bound of the computed sum of all entries of ``x`` (pairwise or not)."""
    return x.size * x.err + gamma(x.size, u) * x.computed()[0] + x.size * subnormal(u)


def inner(x, y, u, magnitude):
    """Error bound of a computed inner product ``<x^, y^>`` against ``<x, y>``.

    ``magnitude`` is ``sum |x^| |y^|`` of the computed operands.
    """
    return (x.err * y.computed()[0] + x.l1 * y.err
            + math.sqrt(2) * gamma(x.size + 2, u) * magnitude + (x.size + 2) * subnormal(u))

"""The identities of convolution as executable checks.

Each ``check_*`` computes both sides of one identity with an operator ``op`` (default
:func:`sigconv.convolve`) and returns a :class:`CheckResult`: whether they agree, the
largest difference, and the tolerance it was held to.  The tolerance is a floating-point
error bound for these inputs, not a magic number: it is derived from the norms of the
inputs, the unit roundoff of the dtype the operator computed in, and the error bounds of
every sigconv method (direct sum, low-rank split, FFT, overlap-add/save), so a check
holds whichever method ran; see :mod:`sigconv._fpbound` for the formulas.  Integer inputs
are computed exactly (those narrower than 64 bits as int64, whose range the sides of an
identity rarely leave) and are held to a tolerance of exactly 0.

The checks can fail: ``check_commutative(a, b, op=correlate)`` reports ``holds=False``,
and so does the convolution theorem for an operator that is not a convolution.
"""

import math

import numpy as np
import scipy.fft as sfft

from . import _fpbound as B
from ._checking import (CheckResult, CheckTable, as_arrays, compare, delta, exact, inner,
                        op_name, roundoff, same_shape, worst)
from ._convolve import convolve, correlate
from ._errors import ShapeError
from ._validate import MODES, one_of

__all__ = ["CheckResult", "CheckTable", "check_commutative", "check_associative",
           "check_distributive", "check_linearity", "check_differentiation",
           "check_integration", "check_convolution_theorem", "check_shift_equivariance",
           "check_correlation_relation", "check_adjoint", "check_all"]

KINDS = ("linear", "circular")


def check_commutative(a, b, *, op=convolve, mode="full", method="auto"):
    """Check ``op(a, b) == op(b, a)``.

    Parameters
    ----------
    a, b : array_like
        Inputs of the same dimensionality ('same' mode needs equal shapes to commute).
    op : callable
        ``op(a, b, mode=..., method=...)``; default :func:`sigconv.convolve`.
    mode, method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult

    Notes
    -----
    .. math:: (a * b)[t] = \\sum_m a[m] b[t - m] = \\sum_m b[m] a[t - m] = (b * a)[t]

    Cross-correlation does not commute: ``correlate(a, b)`` is the reversed conjugate
    of ``correlate(b, a)``.

    Examples
    --------
    >>> from sigconv import correlate
    >>> check_commutative([1, 2, 3], [0, 1, 5]).holds
    True
    >>> check_commutative([1, 2, 3], [0, 1, 5], op=correlate).holds
    False
    """
    a, b = as_arrays("check_commutative", a, b)
    one_of(mode, MODES, "mode", "check_commutative", related=("method",))
    lhs, rhs = op(a, b, mode=mode, method=method), op(b, a, mode=mode, method=method)
    bound = B.conv(B.Bound.of(a), B.Bound.of(b), roundoff(lhs, rhs))
    return compare(lhs, rhs, 2 * bound.err, f"{op_name(op)}(a, b) == {op_name(op)}(b, a) [{mode}]")


def check_associative(a, b, c, *, op=convolve, method="auto"):
    """Check ``op(op(a, b), c) == op(a, op(b, c))`` (full mode).

    Parameters
    ----------
    a, b, c : array_like
        Three arrays of the same dimensionality.
    op : callable
        The operator under test, called as ``op(x, y, mode=..., method=...)``; default
        :func:`sigconv.convolve`.
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: ((a * b) * c)[t] = \\sum_{m, n} a[m] b[n] c[t - m - n] = (a * (b * c))[t]

    Examples
    --------
    >>> check_associative([1, 2], [3, 4, 5], [1, -1]).holds
    True
    """
    a, b, c = as_arrays("check_associative", a, b, c)
    ab = op(a, b, mode="full", method=method)
    bc = op(b, c, mode="full", method=method)
    lhs, rhs = op(ab, c, mode="full", method=method), op(a, bc, mode="full", method=method)
    u = roundoff(ab, bc, lhs, rhs)
    ba, bb, bcc = B.Bound.of(a), B.Bound.of(b), B.Bound.of(c)
    tol = B.conv(B.conv(ba, bb, u), bcc, u).err + B.conv(ba, B.conv(bb, bcc, u), u).err
    name = op_name(op)
    return compare(lhs, rhs, tol, f"{name}({name}(a, b), c) == {name}(a, {name}(b, c))")


def check_distributive(a, b, c, *, op=convolve, mode="full", method="auto"):
    """Check ``op(a, b + c) == op(a, b) + op(a, c)`` (``b`` and ``c`` of one shape).

    Parameters
    ----------
    a : array_like
    b, c : array_like
        Arrays of one shape, the dimensionality of ``a``.
    op : callable
        The operator under test, called as ``op(x, y, mode=..., method=...)``; default
        :func:`sigconv.convolve`.
    mode : {'full', 'same', 'valid'}
        Passed to ``op``.
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: a * (b + c) = a * b + a * c

    Examples
    --------
    >>> check_distributive([1, 2, 3], [1, 1], [2, -1]).holds
    True
    """
    a, b, c = as_arrays("check_distributive", a, b, c)
    same_shape("check_distributive", "b", b, "c", c)
    bc = exact(b) + exact(c)
    lhs = op(a, bc, mode=mode, method=method)
    ab, ac = op(a, b, mode=mode, method=method), op(a, c, mode=mode, method=method)
    rhs = ab + ac
    u = roundoff(lhs, rhs)
    ba = B.Bound.of(a)
    left = B.conv(ba, B.add(B.Bound.of(b), B.Bound.of(c), roundoff(bc)), u)
    right = B.add(B.conv(ba, B.Bound.of(b), u), B.conv(ba, B.Bound.of(c), u), u)
    name = op_name(op)
    return compare(lhs, rhs, left.err + right.err,
                    f"{name}(a, b + c) == {name}(a, b) + {name}(a, c) [{mode}]")


def check_linearity(a, b, c, *, alpha=2, beta=-3, op=convolve, mode="full", method="auto"):
    """Check ``op(alpha a + beta c, b) == alpha op(a, b) + beta op(c, b)``.

    ``a`` and ``c`` have one shape; ``b`` is the kernel.  Integer ``alpha`` and ``beta``
    keep integer inputs exact.

    Parameters
    ----------
    a, c : array_like
        Inputs of one shape.
    b : array_like
        The kernel.
    alpha, beta : scalar
        The coefficients of the combination.
    op : callable
        The operator under test, called as ``op(x, y, mode=..., method=...)``; default
        :func:`sigconv.convolve`.
    mode : {'full', 'same', 'valid'}
        Passed to ``op``.
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: (\\alpha a + \\beta c) * b = \\alpha (a * b) + \\beta (c * b)

    Examples
    --------
    >>> check_linearity([1, 2, 3], [1, -1], [0, 4, 1], alpha=3, beta=2).holds
    True
    """
    a, b, c = as_arrays("check_linearity", a, b, c)
    same_shape("check_linearity", "a", a, "c", c)
    mix = alpha * exact(a) + beta * exact(c)
    lhs = op(mix, b, mode=mode, method=method)
    ab, cb = op(a, b, mode=mode, method=method), op(c, b, mode=mode, method=method)
    rhs = alpha * ab + beta * cb
    u_in, u = roundoff(mix), roundoff(lhs, rhs)
    bb = B.Bound.of(b)
    sa, sc = B.scale(B.Bound.of(a), alpha, u_in), B.scale(B.Bound.of(c), beta, u_in)
    left = B.conv(B.add(sa, sc, u_in), bb, u)
    right = B.add(B.scale(B.conv(B.Bound.of(a), bb, u), alpha, u),
                  B.scale(B.conv(B.Bound.of(c), bb, u), beta, u), u)
    name = op_name(op)
    return compare(lhs, rhs, left.err + right.err,
                    f"{name}(alpha a + beta c, b) == alpha {name}(a, b) + beta {name}(c, b) [{mode}]")


def check_differentiation(a, b, *, op=convolve, method="auto"):
    """Check ``D(a * b) == (Da) * b == a * (Db)`` for the first difference on every axis.

    ``D x[n] = x[n] - x[n - 1]`` on the zero-extended sequence (one sample longer).

    Parameters
    ----------
    a, b : array_like
        Inputs of the same dimensionality (at least 1-D).
    op : callable
        The operator under test, called as ``op(x, y, mode=..., method=...)``; default
        :func:`sigconv.convolve`.
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: \\Delta (a * b) = (\\Delta a) * b = a * (\\Delta b), \\qquad
              \\Delta x[n] = x[n] - x[n-1]

    the discrete form of :math:`(f * g)' = f' * g = f * g'`, since
    :math:`\\Delta x = x * [1, -1]` and convolution is associative and commutative.

    Examples
    --------
    >>> check_differentiation([1, 4, 2], [3, 0, -1, 2]).holds
    True
    """
    a, b = as_arrays("check_differentiation", a, b)
    if a.ndim == 0:
        raise ShapeError("check_differentiation: inputs need at least one dimension; got 0-d")
    s = op(a, b, mode="full", method=method)
    results = []
    for axis in range(a.ndim):
        da, db = delta(a, axis), delta(b, axis)
        lhs = delta(s, axis)
        r1, r2 = op(da, b, mode="full", method=method), op(a, db, mode="full", method=method)
        u = roundoff(lhs, r1, r2)
        ba, bb = B.Bound.of(a), B.Bound.of(b)
        left = B.diff(B.conv(ba, bb, u), u, axis)
        e1 = B.conv(B.diff(ba, roundoff(da), axis), bb, u).err
        e2 = B.conv(ba, B.diff(bb, roundoff(db), axis), u).err
        name = op_name(op)
        results.append(compare(lhs, r1, left.err + e1, f"D{axis}({name}(a, b)) == {name}(D{axis} a, b)"))
        results.append(compare(lhs, r2, left.err + e2, f"D{axis}({name}(a, b)) == {name}(a, D{axis} b)"))
    return worst(results)


def check_integration(a, b, *, op=convolve, method="auto"):
    """Check ``sum(op(a, b)) == sum(a) * sum(b)`` (full mode).

    Parameters
    ----------
    a, b : array_like
        Inputs of the same dimensionality.
    op : callable
        The operator under test, called as ``op(x, y, mode=..., method=...)``; default
        :func:`sigconv.convolve`.
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: \\sum_t (a * b)[t] = \\Big(\\sum_m a[m]\\Big) \\Big(\\sum_n b[n]\\Big)

    the discrete form of :math:`\\int (f * g) = \\int f \\int g`.

    Examples
    --------
    >>> check_integration([1, 2, 3], [4, -1]).holds
    True
    """
    a, b = as_arrays("check_integration", a, b)
    s = op(a, b, mode="full", method=method)
    wide = lambda x: x.astype(object) if x.dtype.kind in "biu" else x.astype(
        np.result_type(x.dtype, np.float64))
    lhs, sa, sb = wide(np.asarray(s)).sum(), wide(a).sum(), wide(b).sum()
    rhs = sa * sb
    u, uw = roundoff(s), roundoff(wide(np.asarray(s)))
    ba, bb = B.Bound.of(a), B.Bound.of(b)
    tol = B.total(B.conv(ba, bb, u), uw)
    ea, eb = B.total(ba, uw), B.total(bb, uw)
    tol += ea * bb.l1 + (ba.l1 + ea) * eb + math.sqrt(2) * B.gamma(2, uw) * (ba.l1 + ea) * (bb.l1 + eb)
    return compare(lhs, rhs, tol, f"sum({op_name(op)}(a, b)) == sum(a) * sum(b)")


def check_convolution_theorem(a, b, *, op=convolve, kind="linear", method="auto"):
    """Check ``op(a, b)`` against ``ifft(fft(a) * fft(b))``, linear or circular.

    ``kind='linear'`` zero-pads both inputs to a fast length of at least the full size
    ``n + k - 1`` and compares with ``op(a, b, mode='full')``.  ``kind='circular'``
    compares the length-``n`` transforms with ``op(a, b, mode='same', boundary='wrap',
    center=0)``, the circular convolution (``b`` no larger than ``a``).  The transforms
    run in scipy.fft in at least double precision.

    Parameters
    ----------
    a, b : array_like
        Inputs of the same dimensionality (at least 1-D).
    op : callable
        The operator under test; with ``kind='circular'`` it must accept ``boundary`` and
        ``center`` like :func:`sigconv.convolve`.
    kind : {'linear', 'circular'}
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: \\mathcal F(a * b) = \\mathcal F a \\cdot \\mathcal F b, \\qquad
              a \\circledast b = \\mathcal F_n^{-1}(\\mathcal F_n a \\cdot \\mathcal F_n b)

    Examples
    --------
    >>> from sigconv import correlate
    >>> check_convolution_theorem([1, 2, 3], [1, 0, -1]).holds
    True
    >>> check_convolution_theorem([1, 2, 3, 4], [1, 5], kind='circular').holds
    True
    >>> check_convolution_theorem([1, 2, 3], [1, 0, -1], op=correlate).holds
    False
    """
    func = "check_convolution_theorem"
    a, b = as_arrays(func, a, b)
    kind = one_of(kind, KINDS, "kind", func)
    if a.ndim != b.ndim or a.ndim == 0:
        raise ShapeError(f"{func}: a and b need the same, non-zero dimensionality; got "
                         f"shapes {a.shape} and {b.shape}")
    axes = tuple(range(a.ndim))
    if kind == "circular":
        if any(k > n for n, k in zip(a.shape, b.shape)):
            raise ShapeError(f"{func}: kind='circular' needs b no larger than a on every "
                             f"axis; got shapes {a.shape} and {b.shape}")
        lhs = op(a, b, mode="same", method=method, boundary="wrap", center=0)
        full, fast, terms = a.shape, a.shape, b.size
    else:
        lhs = op(a, b, mode="full", method=method)
        full = tuple(n + k - 1 for n, k in zip(a.shape, b.shape))
        fast, terms = tuple(sfft.next_fast_len(n) for n in full), None
    wide = np.result_type(a.dtype, b.dtype, np.complex128)
    spec = sfft.fftn(a.astype(wide), fast, axes) * sfft.fftn(b.astype(wide), fast, axes)
    rhs = sfft.ifftn(spec, fast, axes)[tuple(slice(0, n) for n in full)]
    ba, bb = B.Bound.of(a), B.Bound.of(b)
    shape = full if kind == "circular" else None
    tol = (B.conv(ba, bb, roundoff(lhs), terms=terms, shape=shape).err
           + B.conv(ba, bb, roundoff(rhs), methods=("fft",), shape=shape).err)
    text = "mode='same', boundary='wrap'" if kind == "circular" else "mode='full'"
    return compare(lhs, rhs, tol, f"{op_name(op)}(a, b, {text}) == ifft(fft(a) fft(b)) [{kind}]")


def check_shift_equivariance(a, b, shift, *, op=convolve, kind="linear", method="auto"):
    """Check that shifting ``a`` by ``shift`` samples shifts ``op(a, b)`` by the same.

    ``shift`` is an int (every axis) or one int per axis, of either sign.
    ``kind='linear'``: ``a`` is embedded in zeros with ``|shift|`` extra samples on each
    axis and moved by ``shift`` inside them; 'full' mode.  ``kind='circular'``: the shift
    is a cyclic roll and ``op`` runs in 'same' mode with ``boundary='wrap'``.

    Parameters
    ----------
    a, b : array_like
        Input and kernel of the same dimensionality.
    shift : int or sequence of int
        Samples to shift by, per axis (positive: later).
    op : callable
        The operator under test; with ``kind='circular'`` it must accept ``boundary``.
    kind : {'linear', 'circular'}
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: (S_s a) * b = S_s (a * b), \\qquad (S_s a)[n] = a[n - s]

    Examples
    --------
    >>> check_shift_equivariance([1, 2, 3], [1, -1], 2).holds
    True
    >>> check_shift_equivariance([1, 2, 3, 4], [1, -1], -1, kind='circular').holds
    True
    """
    func = "check_shift_equivariance"
    a, b = as_arrays(func, a, b)
    kind = one_of(kind, KINDS, "kind", func)
    shifts = _shifts(shift, a.ndim, func)
    axes = tuple(range(a.ndim))
    if kind == "circular":
        opts = dict(mode="same", method=method, boundary="wrap")
        lhs = op(np.roll(a, shifts, axes), b, **opts)
        rhs = np.roll(op(a, b, **opts), shifts, axes)
        terms, shape = b.size, a.shape
    else:
        moved = np.pad(a, [(max(s, 0), max(-s, 0)) for s in shifts])
        ref = np.pad(a, [(max(-s, 0), max(s, 0)) for s in shifts])
        lhs = op(moved, b, mode="full", method=method)
        rhs = np.roll(op(ref, b, mode="full", method=method), shifts, axes)
        terms, shape = None, None
    bound = B.conv(B.Bound.of(a), B.Bound.of(b), roundoff(lhs, rhs), terms=terms, shape=shape)
    return compare(lhs, rhs, 2 * bound.err, f"{op_name(op)}(shift(a, {shift}), b) == "
                    f"shift({op_name(op)}(a, b), {shift}) [{kind}]")


def _shifts(shift, ndim, func):
    items = [shift] * ndim if np.ndim(shift) == 0 else list(shift)
    if len(items) != ndim or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                                     for s in items):
        raise ValueError(f"{func}: shift must be an int or one int per axis ({ndim}); got {shift!r}")
    return tuple(int(s) for s in items)


def check_correlation_relation(a, b, *, op=convolve, corr=correlate, mode="full", method="auto"):
    """Check ``corr(a, b) == op(a, flip(conj(b)))`` in any mode.

    Parameters
    ----------
    a, b : array_like
        Inputs of the same dimensionality.
    op : callable
        The convolution; default :func:`sigconv.convolve`.
    corr : callable
        The correlation; default :func:`sigconv.correlate`.
    mode : {'full', 'same', 'valid'}
        Passed to ``op``.
    method : str
        Passed to ``op``.

    Returns
    -------
    CheckResult
        ``holds``, ``max_error``, ``tolerance`` (the error bound of both sides; 0 for
        integer inputs) and ``detail``.

    Notes
    -----
    .. math:: (a \\star b)[t] = \\sum_m a[m + t] \\overline{b[m]}
              = \\big(a * \\overline{b[-\\,\\cdot\\,]}\\big)[t]

    Examples
    --------
    >>> check_correlation_relation([1, 2, 3], [1j, 2, 0], mode='same').holds
    True
    """
    a, b = as_arrays("check_correlation_relation", a, b)
    lhs = corr(a, b, mode=mode, method=method)
    rhs = op(a, np.flip(np.conj(b)), mode=mode, method=method)
    bound = B.conv(B.Bound.of(a), B.Bound.of(b), roundoff(lhs, rhs))
    return compare(lhs, rhs, 2 * bound.err,
                    f"{op_name(corr)}(a, b) == {op_name(op)}(a, flip(conj(b))) [{mode}]")


def check_adjoint(x, k, y, *, op=convolve, adjoint=None, mode="full", method="auto"):
    """Check ``<A x, y> == <x, A^H y>`` for the linear map ``A x = op(x, k, mode)``.

    Parameters
    ----------
    x, k, y : array_like
        Input, kernel, and an array of the shape of ``A x``.
    op : callable
        The forward map's operator.
    adjoint : callable, optional
        ``adjoint(y) -> array of x's shape``.  Derived for :func:`sigconv.convolve` and
        :func:`sigconv.correlate`: the adjoint of convolve in 'full', 'valid', 'same' mode
        is correlate in 'valid', 'full', 'same' mode (same anchor), and vice versa.
    mode, method : str

    Returns
    -------
    CheckResult

    Notes
    -----
    .. math:: \\langle A x, y \\rangle = \\sum_t (A x)[t] \\overline{y[t]}
              = \\langle x, A^H y \\rangle

    Examples
    --------
    >>> check_adjoint([1, 2, 3], [1, -1], [0, 1, 2, 1]).holds
    True
    >>> check_adjoint([1, 2, 3, 4], [1, 1, 2], [1, 0, 2, 5], mode='same').holds
    True
    """
    func = "check_adjoint"
    x, k, y = as_arrays(func, x, k, y)
    one_of(mode, MODES, "mode", func, related=("method",))
    if mode == "valid" and any(n < m for n, m in zip(x.shape, k.shape)):
        raise ShapeError(f"{func}: mode='valid' needs x at least as large as k on every axis; "
                         f"got {x.shape} and {k.shape}")
    if adjoint is None:
        adjoint = _default_adjoint(op, k, mode, method, func)
    ax = np.asarray(op(x, k, mode=mode, method=method))
    if ax.shape != y.shape:
        raise ShapeError(f"{func}: y must have the shape of op(x, k, mode={mode!r}), {ax.shape}; got {y.shape}")
    ahy = np.asarray(adjoint(y))
    if ahy.shape != x.shape:
        return CheckResult(False, math.inf, 0.0, f"{func}: adjoint(y) has shape {ahy.shape}, x has {x.shape}")
    lhs, m1 = inner(ax, y)
    rhs, m2 = inner(x, ahy)
    uw = roundoff(np.asarray(lhs), np.asarray(rhs))
    bx, bk, by = B.Bound.of(x), B.Bound.of(k), B.Bound.of(y)
    tol = (B.inner(B.conv(bx, bk, roundoff(ax)), by, uw, m1)
           + B.inner(bx, B.conv(by, bk, roundoff(ahy)), uw, m2))
    return compare(lhs, rhs, tol, f"<{op_name(op)}(x, k), y> == <x, adjoint(y)> [{mode}]")


_ADJOINT_MODE = {"full": "valid", "valid": "full", "same": "same"}


def _default_adjoint(op, k, mode, method, func):
    if op is convolve:
        other, anchor = correlate, tuple((n - 1) // 2 for n in k.shape)
    elif op is correlate:
        other, anchor = convolve, tuple(n // 2 for n in k.shape)
    else:
        raise TypeError(f"{func}: adjoint is needed for op={op_name(op)}; pass "
                        "adjoint=callable(y) -> array of x's shape")
    opts = {"center": anchor} if mode == "same" else {}
    return lambda y: other(y, k, mode=_ADJOINT_MODE[mode], method=method, **opts)


def check_all(a, b, *, op=convolve, method="auto", adjoint=None, seed=0):
    """Run every check on ``a`` and ``b`` and return a table of the results.

    The extra operands some identities need (a third array, the adjoint's test vector)
    are drawn from ``numpy.random.default_rng(seed)`` in the dtype family of ``a``.

    Parameters
    ----------
    a, b : array_like
        Same dimensionality (at least 1-D).
    op : callable
        The operator under test, ``op(a, b, mode=..., method=...)``.
    method : str
        Passed to ``op``.
    adjoint : callable, optional
        See :func:`check_adjoint`; without it the adjoint row is left out for operators
        other than :func:`sigconv.convolve` and :func:`sigconv.correlate`.
    seed : int

    Returns
    -------
    CheckTable
        Rows of (name, CheckResult); prints as text, renders as HTML in a notebook.

    Notes
    -----
    Each row states its identity; see the ``check_*`` functions for the formulas.

    Examples
    --------
    >>> table = check_all([1, 2, 3], [1, -1])
    >>> table.all_hold
    True
    >>> table['commutative'].holds
    True
    """
    a, b = as_arrays("check_all", a, b)
    rng = np.random.default_rng(seed)
    ca, cb = _like(a, rng), _like(b, rng)
    big, small = (a, b) if all(k <= n for n, k in zip(a.shape, b.shape)) else (b, a)
    rows = [
        ("commutative", check_commutative(a, b, op=op, method=method)),
        ("associative", check_associative(a, b, cb, op=op, method=method)),
        ("distributive", check_distributive(a, b, cb, op=op, method=method)),
        ("linearity", check_linearity(a, b, ca, op=op, method=method)),
        ("differentiation", check_differentiation(a, b, op=op, method=method)),
        ("integration", check_integration(a, b, op=op, method=method)),
        ("convolution theorem", check_convolution_theorem(a, b, op=op, method=method)),
        ("circular convolution theorem",
         check_convolution_theorem(big, small, op=op, kind="circular", method=method)),
        ("shift equivariance", check_shift_equivariance(a, b, 2, op=op, method=method)),
        ("correlation relation", check_correlation_relation(a, b, op=op, method=method)),
    ]
    if adjoint is not None or op is convolve or op is correlate:
        y = _like(np.asarray(op(a, b, mode="full", method=method)), rng)
        rows.append(("adjoint", check_adjoint(a, b, y, op=op, adjoint=adjoint, method=method)))
    return CheckTable(rows, title=f"identities of {op_name(op)} (method={method!r})")


def _like(x, rng):
    """A random array of ``x``'s shape in ``x``'s dtype family (small integers for ints)."""
    if x.dtype.kind in "biu":
        return rng.integers(-4, 5, size=x.shape)
    out = rng.standard_normal(x.shape)
    if x.dtype.kind == "c":
        out = out + 1j * rng.standard_normal(x.shape)
    return out.astype(x.dtype)

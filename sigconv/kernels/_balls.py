"""Pixel integrals of radial profiles with compact support: balls, annuli and ramps.

A pixel is the unit box ``[lo, lo + 1]`` (per axis).  The profile
``p(r) = 1 for r <= r0, (r1 - r) / (r1 - r0) for r0 < r <= r1, 0 beyond`` covers the
ball (``r0 == r1``, the tophat) and the trapezoid (flat top ``r0``, linear edge out to
``r1``); an annulus is the difference of two balls.  Its pixel integral is

.. math:: \\int_{\\text{pixel}} p(|x|)\\, dx = \\frac{1}{r_1 - r_0}
          \\int_{r_0}^{r_1} |B(s) \\cap \\text{pixel}|\\, ds,

the mean volume of the balls ``B(s)`` over the ramp (the layer-cake formula, as
``p(r) = mean_s 1[r <= s]``).  The volume of a ball inside a pixel has a closed form in
1-D (an overlap of intervals) and 2-D (:func:`disk_area`); in ``n > 2`` dimensions it is
the integral over the first coordinate ``t`` of the ``(n-1)``-D volumes of the
cross-sections (radius ``sqrt(r^2 - t^2)``), recursively.  Each such 1-D integral (and
the mean over the ramp) is split where its integrand has kinks -- where a radius equals
the distance to a corner, edge or face of the pixel -- so that every piece is smooth, and
all pieces of all pixels go through one :func:`~._cubature.pixel_cubature`.  Pixels
inside ``B(r0)`` are 1 and pixels outside ``B(r1)`` are 0 without any arithmetic.
Each dimension beyond 2 (and the ramp) nests one quadrature: a 3-D ball of radius 10
takes about 0.07 s, a 3-D trapezoid about 8 s.
"""

import numpy as np

from ._cubature import pixel_cubature

__all__ = ["disk_area", "radial_integrals", "ball_volume"]

_EPS = np.finfo(np.float64).eps


def ball_volume(ndim, radius):
    """Volume of the ``ndim``-ball of ``radius``: ``pi^(n/2) r^n / Gamma(n/2 + 1)``."""
    from scipy.special import gamma
    return float(np.pi ** (ndim / 2) * radius ** ndim / gamma(ndim / 2 + 1))


def _primitive(x, r):
    """``F(x) = (x sqrt(r^2 - x^2) + r^2 asin(x / r)) / 2`` for ``x`` clipped to ``[-r, r]``,
    an antiderivative of the half chord ``sqrt(r^2 - x^2)``."""
    x = np.minimum(np.maximum(x, -r), r)
    return 0.5 * (x * np.sqrt(np.maximum(r * r - x * x, 0.0)) + r * r * np.arcsin(x / r))


def _below(y, a, b, r, fa, fb):
    """``integral_a^b |[-h(x), h(x)] & (-inf, y]| dx`` with ``h = sqrt(r^2 - x^2)``,
    ``-r <= a < b <= r`` and ``fa, fb = F(a), F(b)``: the chords are cut at ``y`` for
    ``|x| <= s = sqrt(r^2 - y^2)`` (on ``[p, q]``, ``s`` clipped to ``[a, b]``), whole
    beyond when ``y >= 0`` and absent when ``y < 0``."""
    yc = np.minimum(np.maximum(y, -r), r)
    s = np.sqrt(np.maximum(r * r - yc * yc, 0.0))
    p, q = np.minimum(np.maximum(-s, a), b), np.minimum(np.maximum(s, a), b)
    fp, fq = _primitive(p, r), _primitive(q, r)
    return yc * (q - p) + fq - fp + np.where(yc >= 0, 2.0 * (fp - fa + fb - fq), 0.0)


def disk_area(r, x0, x1, y0, y1):
    """Area of the disk ``x^2 + y^2 <= r^2`` inside ``[x0, x1] x [y0, y1]`` (arrays broadcast).

    Notes
    -----
    ``A = integral_{x0}^{x1} |[-h, h] & [y0, y1]| dx`` with ``h = sqrt(r^2 - x^2)``, split
    where a chord end crosses ``y0`` or ``y1`` and integrated with the antiderivative of
    ``h``: ``(x h + r^2 asin(x / r)) / 2``.  Rounding error about ``eps r^2``.

    Examples
    --------
    >>> import numpy as np
    >>> float(disk_area(1.0, 0.0, 1.0, 0.0, 1.0)) == np.pi / 4     # a quarter disk
    True
    >>> float(disk_area(2.0, -0.5, 0.5, -0.5, 0.5))                   # inside: the box
    1.0
    """
    r = np.asarray(r, dtype=float)
    live = r > 0
    rs = np.where(live, r, 1.0)
    a, b = np.maximum(x0, -rs), np.minimum(x1, rs)
    ok = live & (a < b)
    b = np.where(ok, b, a + 1.0)            # any valid interval; masked out below
    fa, fb = _primitive(a, rs), _primitive(b, rs)
    area = _below(y1, a, b, rs, fa, fb) - _below(y0, a, b, rs, fa, fb)
    return np.where(ok, np.maximum(area, 0.0), 0.0)


def _distances(lo):
    """Smallest and largest distance from the origin to the pixels ``[lo, lo + 1]``."""
    hi = lo + 1.0
    near = np.clip(0.0, lo, hi)
    far = np.maximum(np.abs(lo), np.abs(hi))
    return np.sqrt((near * near).sum(-1)), np.sqrt((far * far).sum(-1))


def _ramp_1d(lo, r0, r1):
    """``integral_lo^{lo+1} p(|x|) dx`` in closed form: ``C(lo + 1) - C(lo)`` with the odd
    antiderivative ``C(x) = sign(x) (min(|x|, r0) + y - y^2 / (2 (r1 - r0)))``,
    ``y = clip(|x|, r0, r1) - r0``."""
    def prim(x):
        ax = np.abs(x)
        y = np.clip(ax, r0, r1) - r0
        ramp = y - y * y / (2 * (r1 - r0)) if r1 > r0 else 0.0
        return np.sign(x) * (np.minimum(ax, r0) + ramp)
    return prim(lo + 1.0) - prim(lo)


def radial_integrals(lo, r0, r1, tol):
    """Pixel integrals of the profile ``p`` (module docstring) over the pixels ``[lo, lo+1]``.

    Parameters
    ----------
    lo : ndarray, shape (npixels, ndim)
        Lower corners of the pixels.
    r0, r1 : float
        Flat radius and outer radius, ``0 <= r0 <= r1``, ``r1 > 0``.
    tol : Tolerance

    Returns
    -------
    values, errors : ndarray, shape (npixels,)
        The integrals (pixel volume units) and a bound of their errors.
    basis : str
        ``'closed form'`` or ``'quadrature'``.
    """
    npix, n = lo.shape
    near, far = _distances(lo)
    values = np.where(far <= r0, 1.0, 0.0)
    edge = np.flatnonzero((far > r0) & (near < r1))
    errors = np.zeros(npix)
    rounding = 32 * _EPS * (r1 * r1 + r1 + 1.0)
    el = lo[edge]
    if n == 1:
        values[edge] = _ramp_1d(el[:, 0], r0, r1)
    elif r1 == r0:
        values[edge], errors[edge] = _volume(np.full(edge.size, r0), el, tol)
    elif edge.size:     # the mean of the volumes over [r0, r1]: 0 up to near, 1 from far
        volume = lambda s, rows: _volumes(s, el[rows], tol)
        v, e = _pieces(volume, np.maximum(r0, near[edge]), np.minimum(r1, far[edge]),
                       _critical(el), tol)
        values[edge] = (v + np.maximum(r1 - np.maximum(r0, far[edge]), 0.0)) / (r1 - r0)
        errors[edge] = e / (r1 - r0)
    errors[edge] += rounding
    return values, errors, "closed form" if n == 1 or (n == 2 and r1 == r0) else "quadrature"


def _volume(r, lo, tol):
    """Volume of the ball of radius ``r[i]`` inside the pixel ``[lo[i], lo[i] + 1]`` and a
    bound of its error: closed forms in 1-D and 2-D, else the integral over the first
    coordinate ``t`` of the cross-sections' volumes (radius ``sqrt(r^2 - t^2)``), split
    where that radius meets a corner, edge or face of the cross-section's pixel."""
    n = lo.shape[1]
    if n == 1:
        return np.maximum(np.minimum(lo[:, 0] + 1, r) - np.maximum(lo[:, 0], -r), 0.0), 0.0
    if n == 2:
        return disk_area(r, lo[:, 0], lo[:, 0] + 1, lo[:, 1], lo[:, 1] + 1), 0.0
    rest = lo[:, 1:]
    cut = np.sqrt(np.maximum(r[:, None] ** 2 - _critical(rest) ** 2, 0.0))

    section = lambda t, rows: _volumes(np.sqrt(np.maximum(r[rows] ** 2 - t * t, 0.0)),
                                       rest[rows], tol)
    return _pieces(section, np.maximum(lo[:, 0], -r), np.minimum(lo[:, 0] + 1, r),
                   np.concatenate([-cut, cut], axis=1), tol)


def _volumes(r, lo, tol):
    """:func:`_volume` for radii ``r`` of shape ``(npoints, m)`` and pixels ``lo`` of shape
    ``(m, n)``: every point with the pixel of its column."""
    v, e = _volume(r.ravel(), np.broadcast_to(lo, r.shape + lo.shape[1:]).reshape(-1, lo.shape[1]),
                   tol)
    return v.reshape(r.shape), np.broadcast_to(e, v.shape).reshape(r.shape)


def _critical(lo):
    """Distances from the origin to every corner, edge line and face plane (all the
    affine hulls of faces) of the pixels ``[lo, lo + 1]``: the radii at which the volume
    of a centred ball inside a pixel has kinks."""
    ends = np.stack([np.zeros_like(lo), lo * lo, (lo + 1) ** 2], axis=-1)   # none, lo, hi
    total = ends[:, 0]
    for d in range(1, lo.shape[1]):
        total = (total[:, :, None] + ends[:, d, None, :]).reshape(lo.shape[0], -1)
    return np.sqrt(total[:, 1:])


def _pieces(f, a, b, breaks, tol):
    """``integral_a^b f(w, rows) dw`` per row, split at the row's ``breaks`` (the kinks of
    ``f``) so that every piece is smooth inside; all pieces in one cubature.

    ``f`` returns values and a bound of their errors (a nested quadrature): the error of
    a piece adds its width times the largest such bound met on it."""
    a, b = a[:, None], np.maximum(a, b)[:, None]
    ends = np.sort(np.concatenate([a, np.clip(breaks, a, b), b], axis=1), axis=1)
    start, width = ends[:, :-1].ravel(), np.diff(ends, axis=1).ravel()
    rows = np.repeat(np.arange(ends.shape[0]), ends.shape[1] - 1)
    keep = width > 0
    start, width, rows = start[keep], width[keep], rows[keep]
    inner = np.zeros(start.size)

    def integrand(u, sel):          # u = v^2 (3 - 2 v): end singularities become smooth
        w = u * u * (3 - 2 * u)
        v, e = f(start[sel] + width[sel] * w, rows[sel])
        inner[sel] = np.maximum(inner[sel], np.max(e, axis=0, initial=0.0))
        return (6 * u * (1 - u) * width[sel]) * v

    v, e = pixel_cubature(integrand, 1, start.size, tol, 1.0)
    e = e + width * inner
    return np.bincount(rows, v, a.shape[0]), np.bincount(rows, e, a.shape[0])

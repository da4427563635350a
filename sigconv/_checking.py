"""The results of identity checks and how two sides are compared.

``CheckResult`` (one check), ``CheckTable`` (what ``check_all`` returns: aligned text and
notebook HTML), and the comparison helpers of :mod:`sigconv.properties`.
"""

import html
import math
from dataclasses import dataclass

import numpy as np

from . import _fpbound as B
from ._errors import ShapeError
from ._validate import as_numeric_array

_HEAD = ("check", "holds", "max error", "tolerance")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one identity check.

    Attributes
    ----------
    holds : bool
        ``max_error <= tolerance`` (False when the sides differ in shape or are not finite).
    max_error : float
        Largest absolute difference between the two sides.
    tolerance : float
        The floating-point error bound of both sides for these inputs (0 for integers).
    detail : str
        The identity, the operator and the numbers, in one line.
    """
    holds: bool
    max_error: float
    tolerance: float
    detail: str

    def __bool__(self):
        return bool(self.holds)


def op_name(op):
    return getattr(op, "__name__", type(op).__name__)


def as_arrays(func, *arrays):
    """The checks' operands as arrays; integers narrower than 64 bits as int64, so that
    both sides of an identity are the exact values (in the inputs' own dtype, sigconv's
    result dtype, they could overflow it and raise IntegerOverflowError)."""
    arrays = [as_numeric_array(a, name, func) for name, a in zip("abcxy", arrays)]
    return [a.astype(np.int64) if a.dtype.kind in "iu" and a.dtype.itemsize < 8 else a
            for a in arrays]


def roundoff(*results):
    return max(B.unit_roundoff(np.asarray(r).dtype) for r in results)


def compare(lhs, rhs, tol, what):
    """CheckResult of ``max |lhs - rhs| <= tol``.

    Integer sides are subtracted exactly; float sides in at least double precision, with
    the rounding of that subtraction added to ``tol``.  Non-finite values never hold.
    """
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    if lhs.shape != rhs.shape:
        return CheckResult(False, math.inf, tol, f"{what}: shapes differ, {lhs.shape} vs {rhs.shape}")
    if lhs.dtype.kind in "biu" and rhs.dtype.kind in "biu":
        diff = np.abs(lhs.astype(object) - rhs.astype(object))
        err = float(max(diff.flat, default=0))
    else:
        wide = np.result_type(lhs.dtype, rhs.dtype, np.float64)
        l, r = lhs.astype(wide), rhs.astype(wide)
        err = float(np.max(np.abs(l - r), initial=0.0))
        if not (np.all(np.isfinite(l)) and np.all(np.isfinite(r))):
            err = math.nan
        tol = tol + B.unit_roundoff(wide) * float(np.max(np.abs(l) + np.abs(r), initial=0.0))
    holds = bool(err <= tol)
    return CheckResult(holds, err, tol, f"{what}: max |lhs - rhs| = {err:.3g} "
                       f"{'<=' if holds else '>'} tolerance {tol:.3g}")


def worst(results):
    """One CheckResult for several comparisons: holds if all do; the worst ratio shown."""
    ratio = lambda r: r.max_error / r.tolerance if r.tolerance else (math.inf if r.max_error else 0)
    bad = max(results, key=lambda r: (not r.holds, ratio(r)))
    return CheckResult(all(r.holds for r in results), bad.max_error, bad.tolerance,
                       "; ".join(r.detail for r in results))


def same_shape(func, n1, x1, n2, x2):
    if x1.shape != x2.shape:
        raise ShapeError(f"{func}: {n1} and {n2} must have the same shape; got {x1.shape} and {x2.shape}")


def exact(x):
    """Integer and bool arrays as int64, so sums and differences neither wrap nor OR."""
    return x.astype(np.int64) if x.dtype.kind in "biu" else x


def delta(x, axis):
    """First difference of the zero-extended ``x`` along ``axis`` (one sample longer)."""
    x = exact(x)
    return np.diff(x, axis=axis, prepend=np.zeros_like(np.take(x, [0], axis=axis)),
                   append=np.zeros_like(np.take(x, [0], axis=axis)))


def inner(u, v):
    """``sum(u * conj(v))`` (exact for integers) and ``sum(|u| |v|)``."""
    if u.dtype.kind in "biu" and v.dtype.kind in "biu":
        return int(np.sum(u.astype(object) * v.astype(object))), 0.0
    wide = np.result_type(u.dtype, v.dtype, np.float64)
    u, v = u.astype(wide), v.astype(wide)
    return np.vdot(v, u), float(np.sum(np.abs(u) * np.abs(v)))


class CheckTable:
    """Named identity-check results, printable as text and renderable as HTML.

    Index by position or by name; iterate over ``(name, CheckResult)`` pairs.

    Examples
    --------
    >>> t = CheckTable([("commutative", CheckResult(True, 0.0, 0.0, "exact"))], title="demo")
    >>> print(t)
    demo
    check        holds  max error  tolerance
    -----------  -----  ---------  ---------
    commutative  yes            0          0
    """

    def __init__(self, rows, *, title=""):
        self.rows = list(rows)
        self.title = title

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            for name, result in self.rows:
                if name == key:
                    return result
            raise KeyError(f"CheckTable: no check named {key!r}; have {[n for n, _ in self.rows]}")
        return self.rows[key]

    @property
    def all_hold(self):
        """True when every check holds."""
        return all(r.holds for _, r in self.rows)

    def _cells(self):
        return [(name, "yes" if r.holds else "NO", f"{r.max_error:.3g}", f"{r.tolerance:.3g}")
                for name, r in self.rows]

    def __str__(self):
        cells = self._cells()
        widths = [max(len(row[i]) for row in [_HEAD] + cells) for i in range(4)]
        fmt = lambda row: "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                    for i, (c, w) in enumerate(zip(row, widths))).rstrip()
        lines = ([self.title] if self.title else []) + [fmt(_HEAD), fmt(["-" * w for w in widths])]
        return "\n".join(lines + [fmt(row) for row in cells])

    __repr__ = __str__

    def _repr_html_(self):
        head = "".join(f"<th>{h}</th>" for h in _HEAD + ("detail",))
        body = []
        for (name, holds, err, tol), (_, r) in zip(self._cells(), self.rows):
            color = "#dfd" if r.holds else "#fdd"
            body.append(f'<tr style="background:{color}"><td>{html.escape(name)}</td>'
                        f"<td>{holds}</td><td>{err}</td><td>{tol}</td>"
                        f"<td>{html.escape(r.detail)}</td></tr>")
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"

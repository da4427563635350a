"""Cheap calls: the checks and shape arithmetic of a call signature are remembered
(sigconv._plan.layout); a remembered answer gives the bits the general path gives, and
never swallows an error."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import sigconv
from sigconv import _pipeline as P
from sigconv import _plan

from helpers import random_array

CASES = [((1000,), (3,), "float64", "full", {}),
         ((1000,), (3,), "float32", "same", {}),
         ((300,), (5,), "int16", "valid", {}),
         ((200,), (4,), "complex128", "same", {"center": "ndimage"}),
         ((30, 40), (3, 3), "float64", "same", {"boundary": "reflect"}),
         ((6, 50), (1, 5), "float32", "full", {"axes": 1, "stride": 2})]


def _listed(kw, naxes):
    """The same arguments as lists (unhashable): the general, unremembered path."""
    out = dict(kw)
    for name in ("axes", "stride", "dilation", "center"):
        if name in out and not isinstance(out[name], str):
            out[name] = [out[name]]
    out.setdefault("stride", [1] * naxes)
    return out


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_a_remembered_signature_gives_the_general_bits(case, op):
    shape, kshape, dtype, mode, kw = CASES[case]
    rng = np.random.default_rng(case)
    x, k = random_array(rng, shape, dtype), random_array(rng, kshape, dtype)
    f = getattr(sigconv, op)
    _plan._remembered_layout.cache_clear()
    first = f(x, k, mode, **kw)
    again = f(x, k, mode, **kw)
    assert _plan._remembered_layout.cache_info().hits >= 1
    general = f(x, k, mode, **_listed(kw, 1 if "axes" in kw else x.ndim))
    assert first.dtype == general.dtype and again.dtype == general.dtype
    assert_array_equal(first, general)
    assert_array_equal(again, general)
    want = np.convolve(x, k, mode) if op == "convolve" and x.ndim == 1 and not kw else None
    if want is not None and x.dtype.kind == "f":
        assert_array_equal(first, want)          # numpy's own sum, the same bits


@pytest.mark.parametrize("bad, match", [
    ({"workers": True}, "workers must be None, a positive int or -1; got True"),
    ({"stride": (True,)}, "stride"),
    ({"fillvalue": 1 + 0j}, r"fillvalue must be an integer; got \(1\+0j\)"),
    ({"mode": "smae"}, "mode must be one of"),
])
def test_a_remembered_signature_still_refuses_equal_but_wrong_arguments(bad, match):
    """``True == 1`` and ``1 + 0j == 1``: a remembered answer for the good argument must
    not serve the bad one."""
    x, k = np.arange(10), np.array([1, 2, 1])
    good = {"workers": 1, "stride": (1,), "fillvalue": 1, "mode": "same"}
    name = next(iter(bad))
    for _ in range(2):
        sigconv.convolve(x, k, **{"mode": "same", name: good[name]})
    with pytest.raises((ValueError, TypeError), match=match):
        sigconv.convolve(x, k, **{"mode": "same", **bad})


def test_the_shared_small_problem_choice_is_never_changed():
    before = P.choose(_plan.make_plan("convolve", np.ones(5), np.ones(2), "full", "auto",
                                      None, "constant", 0, "scipy", 1, 1, None, "propagate",
                                      None))
    report = sigconv.choose_method(np.ones(5), np.ones(2))
    assert report.estimates and not before.estimates
    assert report is not before

"""Cheap calls: the checks and shape arithmetic of a call signature are remembered
(sigconv._plan.layout), and so is the whole route of a tiny 1-D call or a small 2-D
one (sigconv._routes.route); a remembered answer gives the bits the general path gives,
and never swallows an error."""

import numpy as np
import pytest
import scipy.signal
from numpy.testing import assert_array_equal

import sigconv
from sigconv import _pipeline as P
from sigconv import _plan
from sigconv import _routes as R
from sigconv.engines import direct, opencv

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
    R._routes.clear()
    R._lanes.clear()
    first = f(x, k, mode, **kw)
    again = f(x, k, mode, **kw)
    assert _plan._remembered_layout.cache_info().hits >= 1 or R._routes
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


def _planned(op, x, k, mode, method="auto"):
    """The result through every stage, no route."""
    plan = _plan.make_plan(op, x, k, mode, method, None, "constant", 0, "scipy", 1, 1, None,
                           "propagate", None)
    return P.finish(plan, P.compute(plan))


@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_few_outputs_of_a_long_row_take_one_thread_and_a_route(dtype):
    """The dot path's threads follow the multiply-adds of the outputs asked for, not the
    signal times the kernel: one output of 10173 x 10173 'valid' (10173 multiply-adds) is
    one np.correlate call, and its signature gets a route giving the same bits."""
    from sigconv.engines import direct
    rng = np.random.default_rng(5)
    x, k = random_array(rng, (10173,), dtype), random_array(rng, (10173,), dtype)
    assert direct.dot_route(10173, 10173, np.dtype(dtype), 10172, 10173, 2) is not None
    R._routes.clear()
    first = sigconv.correlate(x, k, "valid")
    assert len(R._routes) == 1
    x2 = random_array(rng, (10173,), dtype)
    routed = sigconv.correlate(x2, k, "valid")
    assert_array_equal(first, _planned("correlate", x, k, "valid"))
    assert_array_equal(routed, _planned("correlate", x2, k, "valid"))
    np.testing.assert_allclose(routed, [np.sum(x2 * np.conj(k))], rtol=1e-10)


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_a_tiny_call_takes_its_route_with_the_planned_bits(op, mode, dtype):
    rng = np.random.default_rng(7)
    f = getattr(sigconv, op)
    for n, m in [(1000, 3), (100, 5), (7, 7), (5, 9), (64, 2), (1, 1), (1000, 16),
                 (5000, 3), (10_000, 65)]:
        R._routes.clear()
        R._lanes.clear()
        x, k = random_array(rng, (n,), dtype), random_array(rng, (m,), dtype)
        first = f(x, k, mode)
        # (scipy's 'valid' swap, a kernel longer than the signal in 'same' mode, the sums
        # the engine shift-adds -- real kernels of DOT_SLOW_TAPS without OpenCV, complex
        # rows over DOT_COMPLEX_SAMPLES -- and transforms: not routed)
        p = _plan.make_plan(op, x, k, mode, "auto", None, "constant", 0, "scipy", 1, 1,
                            None, "propagate", None).problem
        routed_here = (mode == "full" or n >= m) and (p.dot or bool(p.cv)) and \
            sigconv.choose_method(x, k, mode).method == "direct"
        assert len(R._routes) == routed_here, (n, m)
        x2, k2 = random_array(rng, (n,), dtype), random_array(rng, (m,), dtype)
        routed = f(x2, k2, mode)
        assert routed.dtype == np.dtype(dtype)
        assert_array_equal(routed, _planned(op, x2, k2, mode))
        assert_array_equal(first, _planned(op, x, k, mode))
        want = getattr(scipy.signal, op)(x2, k2, mode, method="direct")
        np.testing.assert_allclose(routed, want, rtol=1e-5, atol=1e-5)
        ro = x2.copy()
        ro.flags.writeable = False
        assert_array_equal(f(ro, k2, mode), routed)
        if routed_here or x.dtype.kind == "f":
            # (numpy multiplies contiguous complex arrays with other roundings than
            # strided ones: the engine's shifted sums of a strided complex input differ)
            assert_array_equal(f(x2[::-1].copy()[::-1], k2[::-1].copy()[::-1], mode),
                               routed)


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_route_serves_every_length_its_lane_holds_with_the_planned_bits(op, mode, dtype):
    rng = np.random.default_rng(3)
    f = getattr(sigconv, op)

    threads = sigconv._runtime.resources(None).threads

    def small(n):                # the pipeline sums in1 of n samples directly on numpy's
        plan = _plan.make_plan(op, np.zeros(n, dtype), k, mode, "auto", None, "constant",
                               0, "scipy", 1, 1, None, "propagate", None)  # correlation
        L = plan.out_shape[0]    # on one thread, without estimating the transforms
        return (P.choose(plan) in (P._SMALL, P._BELOW_FLOOR)
                and direct.dot_threads(threads, L, m) == 1
                and not opencv.applies(1, np.dtype(dtype), (m,), (1,), L))

    for m in (1, 2, 3, 5, 9, 33, 64):
        R.clear()
        k = random_array(rng, (m,), dtype)
        f(random_array(rng, (max(m, 100),), dtype), k, mode)
        if opencv.applies(1, np.dtype(dtype), (m,), (1,), max(m, 100)):
            assert not R._lanes             # (an OpenCV row's route holds its shape)
            continue
        (lane,) = R._lanes.values()
        assert lane.lo == (1 if mode == "full" else m)
        hi, top = 100, 1 << 24              # the longest length 'auto' sums directly
        while top - hi > 1:
            mid = (hi + top) // 2
            hi, top = (mid, top) if small(mid) else (hi, mid)
        seen = len(R._routes) + len(R._routeless)
        lengths = {lane.lo, lane.lo + 1, hi // 2, hi - 1, hi} | set(rng.integers(lane.lo, hi, 4))
        for n in sorted(lengths, key=lambda n: -n) + [hi + 1, 2 * hi, max(lane.lo - 1, 1)]:
            x = random_array(rng, (int(n),), dtype)
            served = lane.route(int(n)) is not None
            assert served == (lane.lo <= n <= hi), n
            got = f(x, k, mode)
            # a lane's length is not planned; another one is, and remembered
            assert len(R._routes) + len(R._routeless) == seen + (not served)
            seen += not served
            assert_array_equal(got, _planned(op, x, k, mode))
            if served and op == "convolve" and n >= m:  # (numpy's 'same': max(n, m) long)
                assert_array_equal(got, np.convolve(x, k, mode))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_route_made_on_a_sparse_kernel_serves_no_dense_one(dtype):
    """A kernel's zeros make its direct sum cheap: a route is kept only where the densest
    kernel of its shape is summed directly too, so a dense kernel after a sparse one gets
    the pipeline's own choice and bits (a transform, from some kernel length; the lengths
    keep the sum on one thread, where 1-D routes are kept)."""
    rng = np.random.default_rng(8)
    for n, m in ((32_000, 65), (16_000, 129), (8000, 257)):
        x = random_array(rng, (n,), dtype)
        sparse = np.zeros(m, dtype)
        sparse[[0, -1]] = 1             # (zeros inside: nothing to trim)
        dense = random_array(rng, (m,), dtype)
        if sigconv.choose_method(x, dense).method != "direct":
            break
    assert sigconv.choose_method(x, dense).method != "direct"
    assert sigconv.choose_method(x, sparse).method == "direct"
    R.clear()
    assert_array_equal(sigconv.convolve(x, sparse), np.convolve(x, sparse))
    got = sigconv.convolve(x, dense)
    assert_array_equal(got, _planned("convolve", x, dense, "full"))
    np.testing.assert_allclose(got, np.convolve(x, dense), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", ["int8", "int16", "int64", "uint8", "uint32"])
def test_an_integer_row_takes_its_route_with_the_exact_values(op, mode, dtype):
    rng = np.random.default_rng(5)
    f = getattr(sigconv, op)
    low = -1 if np.dtype(dtype).kind == "i" else 0
    k = rng.integers(low, 2, 4).astype(dtype)      # |result| <= 4 * 9: fits int8
    routes = 0
    for n in (200, 200, 317, 1000):          # again, then new lengths (its lane)
        x = random_array(rng, (n,), dtype)
        got = f(x, k, mode)
        want = _planned(op, x, k, mode)
        assert got.dtype == want.dtype
        assert_array_equal(got, want)
        exact = np.convolve(x.astype(np.int64), (k if op == "convolve" else k[::-1])
                            .astype(np.int64), mode)
        assert_array_equal(got.astype(np.int64), exact)
        routes = max(routes, len(R._routes))
    assert routes == 1 and len(R._lanes) == 1          # one plan, the rest routed


def test_an_integer_route_keeps_the_pipelines_overflow_rules():
    f = sigconv.convolve
    small = np.array([3, -2, 5], np.int16)
    k = np.array([2, 1], np.int16)
    for _ in range(2):                      # planned, then routed
        assert_array_equal(f(small, k), np.convolve(small.astype(int), k.astype(int)))
    big = np.array([30000, 30000, -30000], np.int16)
    for _ in range(2):                      # the result dtype (int16) cannot hold it
        with pytest.raises(sigconv.IntegerOverflowError, match="reaches 90000"):
            f(big, k)
    # past int64: the route leaves these to the pipeline (uint64, or an error)
    x, w = np.array([1, 2, 3], np.uint64), np.array([1, 1], np.uint64)
    f(x, w)
    huge = np.array([3 * 2 ** 61, 5, 2 ** 62], np.uint64)      # bound 1.5 * 2**63
    got = f(huge, w)
    assert got.dtype == np.uint64
    assert [int(v) for v in got] == [3 * 2 ** 61, 3 * 2 ** 61 + 5, 5 + 2 ** 62, 2 ** 62]
    y, v = np.array([1, 2, 3]), np.array([1, 1])
    f(y, v)
    with pytest.raises(sigconv.IntegerOverflowError, match="beyond the 64-bit"):
        f(np.array([2 ** 62, -2 ** 62, 7]), v * 4)


def _plane_kernels(rng, dtype):
    """2-D kernels of each kind the OpenCV engine treats apart: dense ones (one filter
    call), rank one (separable passes), all zeros (no call), a zero top row, a kernel
    cut into row pieces (float64 from 50 taps a row piece), one whose first piece is all
    zeros, one row, one column."""
    dense = random_array(rng, (3, 3), dtype)
    top = random_array(rng, (5, 5), dtype)
    top[0] = 0
    lower = random_array(rng, (9, 9), dtype)      # float64: only its second piece
    lower[:5] = 0
    return [dense, np.outer([1.0, 2.0, -1.0], [0.5, 1.0, 3.0]).astype(dtype),
            np.zeros((3, 3), dtype), top, random_array(rng, (9, 9), dtype), lower,
            random_array(rng, (1, 7), dtype), random_array(rng, (7, 1), dtype)]


#: per mode, the plane shapes the route test draws inputs of (every kernel of
#: _plane_kernels fits a 'valid' result of (64, 80)) and the fewest routes it must see
_PLANE_MODES = {"same": ([(64, 80), (33, 7), (4, 5)], 10), "full": ([(64, 80)], 6),
                "valid": ([(64, 80)], 6)}


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", list(_PLANE_MODES))
def test_a_small_plane_takes_its_route_with_the_planned_bits(op, dtype, mode):
    rng = np.random.default_rng(11)
    f = getattr(sigconv, op)
    kernels = _plane_kernels(rng, dtype)
    shapes, least = _PLANE_MODES[mode]
    routes = 0
    for shape in shapes:
        for i, k in enumerate(kernels):
            R._routes.clear()
            R._lanes.clear()
            x = random_array(rng, shape, dtype)
            first = f(x, k, mode)
            routed_here = sigconv.choose_method(x, k, mode).method == "direct"
            assert len(R._routes) == routed_here, (shape, k.shape)
            routes += routed_here
            # the same signature with other values: another kernel of this shape
            x2 = random_array(rng, shape, dtype)
            k2 = kernels[(i + 1) % len(kernels)]
            k2 = k2 if k2.shape == k.shape else random_array(rng, k.shape, dtype)
            for kk in (k2, np.zeros_like(k), k):
                routed = f(x2, kk, mode)
                assert routed.dtype == np.dtype(dtype) and routed.shape == first.shape
                assert_array_equal(routed, _planned(op, x2, kk, mode))
                want = getattr(scipy.signal, op)(x2, kk, mode, method="direct")
                np.testing.assert_allclose(routed, want, rtol=1e-4, atol=1e-4)
            assert_array_equal(first, _planned(op, x, k, mode))
            ro = x2.copy()
            ro.flags.writeable = False
            strided = np.zeros((shape[0], 2 * shape[1]), dtype)[:, ::2]
            strided[...] = x2
            for other in (ro, strided):
                assert_array_equal(f(other, k, mode), _planned(op, x2, k, mode))
    assert routes >= least


def test_a_route_serves_only_its_signature():
    x, k = np.linspace(0, 1, 50), np.array([1.0, -2.0, 0.5])
    R._routes.clear()
    R._lanes.clear()
    sigconv.convolve(x, k)
    assert len(R._routes) == 1
    with pytest.raises(ValueError, match="same dimensionality"):
        sigconv.convolve(x, k.reshape(3, 1))      # the same length, another ndim
    with pytest.raises(ValueError, match="workers"):
        sigconv.convolve(x, k, workers=True)
    with pytest.raises(ValueError, match="nan_policy"):
        sigconv.convolve(x, k, nan_policy="rise")
    y = x.copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        sigconv.convolve(y, k, nan_policy="raise")
    assert sigconv.convolve(x.astype(np.float32), k).dtype == np.float64
    for kw in ({"fillvalue": 0j}, {"fillvalue": 0.0}, {"workers": 1}, {"mode": "same"}):
        got, general = sigconv.convolve(x, k, **kw), sigconv.convolve(x, k, stride=[1], **kw)
        assert got.dtype == general.dtype
        assert_array_equal(got, general)
    assert_array_equal(sigconv.convolve(x, k, mask=np.zeros(50, bool)),
                       sigconv.convolve(x, k))
    assert sigconv.convolve(np.arange(50), np.array([1, 2, 1])).dtype.kind == "i"


def test_a_new_calibration_takes_a_new_route(monkeypatch):
    """Routes are remembered per calibration: one that prices the direct sum high makes
    'auto' transform, and the remembered direct route is not taken."""
    from sigconv import _runtime
    rng = np.random.default_rng(3)
    x, k = rng.standard_normal(4000), rng.standard_normal(9)
    R._routes.clear()
    R._lanes.clear()
    direct = sigconv.convolve(x, k)
    assert_array_equal(direct, _planned("convolve", x, k, "full", "direct"))
    dear = _runtime.Calibration(_runtime.calibration())
    dear["direct_mac"] = {c: 1e-3 for c in dear["direct_mac"]}
    dear["dot_mac"] = {c: 1e-3 for c in dear["dot_mac"]}
    monkeypatch.setattr(_runtime, "calibration", lambda: dear)
    assert sigconv.choose_method(x, k).method != "direct"
    again = sigconv.convolve(x, k)
    np.testing.assert_allclose(again, direct, rtol=1e-9, atol=1e-9)
    assert_array_equal(again, _planned("convolve", x, k, "full"))


def test_no_route_where_only_the_memory_budget_keeps_the_direct_sum():
    """A direct sum chosen because every transform is over the budget is no route: a
    larger budget would choose a transform for the same signature."""
    rng = np.random.default_rng(3)
    x, k = rng.standard_normal(20_000), rng.standard_normal(2001)
    assert sigconv.choose_method(x, k).method != "direct"
    R._routes.clear()
    R._lanes.clear()
    with sigconv.options(max_memory=1 << 16):
        assert sigconv.choose_method(x, k).method == "direct"
        first = sigconv.convolve(x, k)
        again = sigconv.convolve(x, k)
    assert not R._routes
    assert_array_equal(first, again)
    np.testing.assert_allclose(first, np.convolve(x, k), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_one_filter_call_gives_the_bits_of_the_general_plane_path(dtype, monkeypatch):
    from sigconv import _runtime
    from sigconv.engines import opencv
    rng = np.random.default_rng(5)
    res = _runtime.Resources(threads=2)
    char = np.dtype(dtype).char
    calls = 0
    for shape in [(64, 80), (33, 7), (4, 5), (300, 300)]:
        for k in _plane_kernels(rng, dtype):
            x = random_array(rng, shape, dtype)
            for pads in [tuple(((s - 1) // 2, s // 2) for s in k.shape),
                         tuple((s - 1, 0) for s in k.shape), ((0, 0), (0, 0))]:
                one = opencv.one_call(x, k, pads, char, res.threads)
                calls += one is not None
                fast = opencv.correlate_valid(x, k, x.shape, (1, 1), (1, 1), pads, res=res,
                                              char=char)
                with monkeypatch.context() as m:
                    m.setattr(opencv, "one_call", lambda *a: None)
                    general = opencv.correlate_valid(x, k, x.shape, (1, 1), (1, 1), pads,
                                                     res=res, char=char)
                assert_array_equal(fast, general)
                if one is not None:
                    assert_array_equal(one, general)
    assert calls >= 20


_IMPORT_SCRIPT = """
import json, sys
import numpy as np
import pyfftw
before = pyfftw.export_wisdom()
import sigconv
from sigconv import _routes, _runtime
after = pyfftw.export_wisdom()
read = "constants" in _runtime._calibration_state
left = len(_routes._routes) + len(_routes._routeless) + len(_routes._lanes)
from sigconv.fft import plan_record
indexed = plan_record._state.get("record", False) is not False
x = np.random.default_rng(3).standard_normal(1000)
k = np.array([0.25, -1.5, 2.0])
got = sigconv.convolve(x, k)
image = np.random.default_rng(4).standard_normal((64, 48))
kernel = np.random.default_rng(5).standard_normal((3, 3))
from scipy.signal import convolve2d
plane = sigconv.convolve(image, kernel, "same")
defaults = {name: o.default for name, o in sigconv._options.OPTIONS.items()}
print(json.dumps({"planned": before != after, "routes": left, "read": read,
                  "indexed": indexed,
                  "options": sigconv.get_options() == defaults,
                  "same": bool(np.array_equal(got, np.convolve(x, k))),
                  "plane": bool(np.allclose(plane, convolve2d(image, kernel, "same"),
                                            rtol=1e-12, atol=1e-12))}))
"""


def test_import_warms_the_pipeline_without_planning_a_transform(tmp_path):
    """`import sigconv` runs the direct pipeline on tiny signals and images
    (sigconv._warm): no FFTW plan is made, no option changes, the calibration is read
    (once per process, from the cache folder named at import) and so is the plan
    record's index, the routes its calls made are forgotten, the first 1-D call of the
    process is the textbook sum and the first 2-D one scipy's."""
    import json
    import os
    import subprocess
    import sys
    env = dict(os.environ, SIGCONV_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", _IMPORT_SCRIPT], env=env, check=True,
                         capture_output=True, text=True).stdout
    seen = json.loads(out)
    assert seen == {"planned": False, "routes": 0, "read": True, "indexed": True,
                    "options": True, "same": True, "plane": True}


@pytest.mark.skipif(sigconv._runtime.opencv() is None, reason="the warm-up's filter calls need OpenCV")
def test_the_import_warm_up_makes_opencvs_first_filter_calls(monkeypatch):
    """The import's warm-up runs the 2-D direct pipeline on OpenCV's filters (OpenCV's
    first filter call of a process costs ~0.6 ms here), on an image with more outputs
    than the direct engine's windows take, and leaves no route behind."""
    from sigconv import _warm
    calls = []
    real = opencv.correlate_valid
    monkeypatch.setattr(opencv, "correlate_valid",
                        lambda *a, **kw: calls.append(a[0].shape) or real(*a, **kw))
    _warm.warm_up()
    assert len(calls) >= 2
    assert not R._routes and not R._lanes

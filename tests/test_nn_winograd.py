"""Winograd F(4x4, 3x3) and F(2x2, 3x3) convolution layers against the textbook sums,
central differences, and themselves (chunks, threads, repeated calls)."""

import numpy as np
import pytest

import sigconv
from sigconv import nn
from sigconv.engines import layer_cost
from sigconv.nn import _conv, _winograd
from sigconv.nn import functional as F

RNG = np.random.default_rng(2024)
TILES = sorted(_winograd.TILES)


def textbook(x, w, pads):
    """y[n, o] = sum_c sigconv.correlate(pad(x[n, c]), w[o, c], 'valid'), the direct sum."""
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    return np.array([[sum(sigconv.correlate(xp[n, c], w[o, c], "valid", method="direct")
                          for c in range(x.shape[1])) for o in range(w.shape[0])]
                     for n in range(len(x))])


def textbook_grads(x, w, pads, dy):
    """(dx, dw) by the definitions: dw[o, c] = sum_n correlate(xp[n, c], dy[n, o]) and
    dxp[n, c] = sum_o convolve(dy[n, o], w[o, c], 'full'), cropped to x."""
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    dw = np.array([[sum(sigconv.correlate(xp[n, c], dy[n, o], "valid", method="direct")
                        for n in range(len(x))) for c in range(x.shape[1])]
                   for o in range(w.shape[0])])
    dxp = np.array([[sum(sigconv.convolve(dy[n, o], w[o, c], "full", method="direct")
                         for o in range(w.shape[0])) for c in range(x.shape[1])]
                    for n in range(len(x))])
    (t, b), (left, r) = pads
    dx = dxp[:, :, t:dxp.shape[2] - b, left:dxp.shape[3] - r]
    return dx, dw


# (spatial, pads): output sides that are and are not multiples of the tiles
GEOMETRIES = [((8, 8), ((1, 1), (1, 1))), ((9, 7), ((1, 1), (1, 1))),
              ((6, 10), ((0, 0), (0, 0))), ((5, 6), ((0, 2), (2, 0))),
              ((3, 3), ((1, 1), (1, 1))), ((7, 5), ((3, 0), (0, 1)))]


def _problem(spatial, pads, n=3, c=2, o=3, dtype=np.float64):
    x = RNG.standard_normal((n, c) + spatial).astype(dtype)
    w = RNG.standard_normal((o, c, 3, 3)).astype(dtype)
    out = tuple(s + a + b - 2 for s, (a, b) in zip(spatial, pads))
    dy = RNG.standard_normal((n, o) + out).astype(dtype)
    return x, w, out, dy


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("spatial,pads", GEOMETRIES, ids=[f"{s}-{p}" for s, p in GEOMETRIES])
def test_forward_and_gradients_equal_the_textbook_sums(m, spatial, pads):
    x, w, out, dy = _problem(spatial, pads)
    y, state = _winograd.forward(x, w, pads, out, m)
    np.testing.assert_allclose(y, textbook(x, w, pads), rtol=1e-11, atol=1e-11)
    dx, dw, db = _winograd.backward(dy, state, True)
    rdx, rdw = textbook_grads(x, w, pads, dy)
    np.testing.assert_allclose(dx, rdx, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(dw, rdw, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)), rtol=1e-12, atol=1e-12)
    assert _winograd.backward(dy, state, False)[0] is None


@pytest.mark.parametrize("m", TILES)
def test_float32_stays_within_float32_tolerance_of_the_float64_sums(m):
    x, w, out, dy = _problem((28, 28), ((1, 1), (1, 1)), n=4, c=16, o=8, dtype=np.float32)
    y, state = _winograd.forward(x, w, ((1, 1), (1, 1)), out, m, bias=np.arange(8.0))
    dx, dw, db = _winograd.backward(dy, state, True)
    assert y.dtype == dx.dtype == dw.dtype == db.dtype == np.float32
    x64, w64, dy64 = (a.astype(np.float64) for a in (x, w, dy))
    ref = F.conv(x64, w64, np.arange(8.0), padding=1, method="im2col")
    rdx, rdw, _ = F.conv_backward(dy64, x64, w64, padding=1, method="im2col")
    for got, want in ((y, ref), (dx, rdx), (dw, rdw), (db, dy64.sum(axis=(0, 2, 3)))):
        scale = np.abs(want).max()
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-5 * scale)


@pytest.mark.parametrize("m", TILES)
@pytest.mark.parametrize("padding,bias", [(1, True), ("valid", False), ((2, 0), True)])
def test_conv2d_layer_passes_gradcheck(m, padding, bias, monkeypatch):
    monkeypatch.setattr(_conv, "winograd_tile", lambda *args: m)
    layer = nn.Conv2D(2, 3, 3, padding=padding, bias=bias, method="winograd", seed=0)
    calls = []
    real = _winograd.forward
    monkeypatch.setattr(_winograd, "forward", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    ok, report = nn.gradcheck(layer, RNG.standard_normal((2, 2, 6, 7)), full_output=True)
    assert ok, report
    assert calls and set(calls) == {m}


def test_a_layer_run_several_times_before_backward_keeps_each_state(monkeypatch):
    # RecurrentConv2D runs its Conv2D once per step and goes back through every step
    real = _conv.choose
    monkeypatch.setattr(_conv, "choose", lambda *a, winograd=False, **k:
                        "winograd" if winograd else real(*a, **k))
    calls = []
    forward = _winograd.forward
    monkeypatch.setattr(_winograd, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k))
    layer = nn.RecurrentConv2D(2, 2, 3, steps=3, activation="tanh", seed=0)
    ok, report = nn.gradcheck(layer, RNG.standard_normal((2, 2, 5, 4)), full_output=True)
    assert ok, report
    assert calls


@pytest.mark.parametrize("budget", [1, 20_000, 1 << 40], ids=["one-sample", "some", "whole"])
def test_chunks_and_threads_give_the_same_bits(budget, monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    x, w, out, dy = _problem((9, 10), ((1, 1), (1, 1)), n=7, c=3, o=4, dtype=np.float32)
    monkeypatch.setattr(_winograd, "CHUNK_BYTES", budget)
    results = []
    for threads in (1, 2, 2):
        with threadpoolctl.threadpool_limits(threads, user_api="blas"):
            y, state = _winograd.forward(x, w, ((1, 1), (1, 1)), out, 4)
            results.append((y,) + _winograd.backward(dy, state, True))
    for other in results[1:]:
        for got, want in zip(other, results[0]):
            np.testing.assert_array_equal(got, want)
    monkeypatch.setattr(_winograd, "CHUNK_BYTES", 1 << 40)
    y, state = _winograd.forward(x, w, ((1, 1), (1, 1)), out, 4)
    for got, want in zip((y,) + _winograd.backward(dy, state, True), results[0]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5 * np.abs(want).max())


def test_functional_route_and_inputs_left_alone():
    x, w, out, dy = _problem((6, 5), ((1, 1), (1, 1)))
    x0, w0, dy0 = x.copy(), w.copy(), dy.copy()
    y = F.conv(x, w, np.array([1.0, -2, 3]), padding="same", method="winograd")
    np.testing.assert_allclose(y, textbook(x, w, ((1, 1), (1, 1)))
                               + np.array([1.0, -2, 3])[:, None, None], rtol=1e-11, atol=1e-11)
    dx, dw, db = F.conv_backward(dy, x, w, padding="same", method="winograd")
    np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(np.sum(y * dy) - np.sum(dy * (y - F.conv(x, w, padding=1))),
                               np.sum(x * dx), rtol=1e-10)
    for a, b in ((x, x0), (w, w0), (dy, dy0)):
        np.testing.assert_array_equal(a, b)


def test_empty_batch_gives_empty_outputs():
    x = np.zeros((0, 2, 5, 5), np.float32)
    w = np.ones((3, 2, 3, 3), np.float32)
    y = F.conv(x, w, padding=1, method="winograd")
    assert y.shape == (0, 3, 5, 5) and y.dtype == np.float32
    dx, dw, db = F.conv_backward(y, x, w, padding=1, method="winograd")
    assert dx.shape == x.shape
    np.testing.assert_array_equal(dw, np.zeros_like(w))


@pytest.mark.parametrize("make,match", [
    (lambda: F.conv(np.ones((1, 1, 6, 6)), np.ones((1, 1, 5, 5)), method="winograd"),
     r"conv: method='winograd' needs a 2-D 3x3 kernel, stride 1, dilation 1 and groups=1; "
     r"got kernel \(5, 5\)"),
    (lambda: F.conv(np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3)), stride=2, method="winograd"),
     r"got kernel \(3, 3\), stride \(2, 2\)"),
    (lambda: F.conv(np.ones((1, 1, 6)), np.ones((1, 1, 3)), method="winograd"),
     r"got kernel \(3,\)"),
    (lambda: nn.Conv2D(4, 4, 3, groups=2, method="winograd"), r"Conv2D: .*groups=2"),
    (lambda: nn.Conv2D(4, 4, 3, dilation=2, method="winograd"), r"dilation \(2, 2\)"),
    (lambda: nn.ConvTranspose2D(2, 2, 3, method="winograd"),
     r"method must be one of 'auto', 'im2col', 'fft'; got 'winograd'"),
])
def test_winograd_where_it_does_not_apply_is_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def _calibration(**changes):
    cal = dict(sigconv._runtime.SHIPPED)
    cal.update(changes)
    return cal


def test_cost_model_weighs_winograd_against_im2col():
    big = ((64, 32, 30, 30), (64, 32, 3, 3), (28, 28), 1)
    tiny = ((32, 1, 10, 10), (16, 1, 3, 3), (8, 8), 1)
    cheap = _calibration(winograd_call=0.0, winograd_point=1e-12, winograd_mac=1e-13)
    dear = _calibration(winograd_call=1.0)
    assert layer_cost.layer_method(cheap, *big, winograd=True) == "winograd"
    assert layer_cost.layer_method(cheap, *big) == "im2col"              # not applicable
    assert layer_cost.layer_method(dear, *big, winograd=True) == "im2col"
    shipped = sigconv._runtime.SHIPPED       # whichever the shipped figures make cheaper
    x_shape, w_shape, out, _ = tiny
    im2col = layer_cost.im2col_seconds(shipped, x_shape, w_shape, out)
    wino = min(layer_cost.winograd_seconds(shipped, 32, 1, 16, out, m) for m in TILES)
    assert layer_cost.layer_method(shipped, *tiny, winograd=True) == (
        "im2col" if im2col <= wino else "winograd")
    # F(4x4) needs 2.25 products per output and channel pair, F(2x2) 4: with products
    # dominating the larger tile wins; on 2x2 outputs F(4x4) would compute 16 for 4
    products = _calibration(winograd_point=0.0, winograd_call=0.0)
    assert layer_cost.winograd_tile(products, 8, 16, 16, (28, 28)) == 4
    assert layer_cost.winograd_tile(products, 8, 16, 16, (2, 2)) == 2
    est = {m: layer_cost.winograd_seconds(products, 8, 16, 16, (28, 28), m) for m in TILES}
    assert est[2] / est[4] == pytest.approx((16 * 14 * 14) / (36 * 7 * 7))


def test_auto_takes_winograd_when_the_model_says_so(monkeypatch):
    monkeypatch.setattr(sigconv._runtime, "calibration", lambda: _calibration(
        winograd_call=0.0, winograd_point=1e-12, winograd_mac=1e-13))
    calls = []
    real = _winograd.forward
    monkeypatch.setattr(_winograd, "forward", lambda *a, **k: calls.append(1) or real(*a, **k))
    x, w, out, dy = _problem((6, 6), ((1, 1), (1, 1)))
    np.testing.assert_allclose(F.conv(x, w, padding=1), textbook(x, w, ((1, 1), (1, 1))),
                               rtol=1e-11, atol=1e-11)
    assert calls == [1]
    F.conv(x, w, padding=1, stride=2)          # strided: never Winograd
    assert calls == [1]

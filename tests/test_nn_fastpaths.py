"""The fast convolution paths of sigconv.nn against the textbook reference and each other:
the flat stride-1 layout (_flatconv), batch chunking, and the pooling shortcuts."""

import numpy as np
import pytest

import sigconv
from sigconv.nn import _conv, _flatconv
from sigconv.nn import functional as F

RNG = np.random.default_rng(4321)

# stride-1 geometries the flat layout takes: (spatial, kernel, padding, dilation, groups)
FLAT = [
    ((9,), (3,), ((1, 1),), (1,), 1),
    ((10,), (4,), ((0, 2),), (2,), 2),
    ((7, 8), (3, 3), ((1, 1), (1, 1)), (1, 1), 1),
    ((8, 7), (3, 2), ((2, 0), (1, 1)), (1, 2), 2),
    ((6, 9), (1, 1), ((0, 0), (0, 0)), (1, 1), 1),
    ((4, 6, 7), (2, 2, 3), ((1, 0), (0, 0), (1, 1)), (1, 1, 1), 1),
    ((6, 7), (3, 3), ((0, 0), (3, 3)), (1, 1), 1),       # pad beyond the kernel's reach
    ((5, 6), (3, 3), ((0, 1), (2, 0)), (1, 1), 2),       # rows share 2 zeros, data first
    ((3, 5, 6), (1, 3, 3), ((0, 0), (1, 1), (1, 1)), (1, 1, 1), 1),
]
FLAT_IDS = [f"{len(c[0])}d-k{c[1]}-p{c[2]}-d{c[3]}-g{c[4]}" for c in FLAT]


def textbook(x, w, pads, dilations, groups):
    """y[n, o] = sum_c sigconv.correlate(pad(x[n, c]), w[o, c], 'valid', dilation)."""
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    o, cg = w.shape[:2]
    og = o // groups
    return np.array([[sum(sigconv.correlate(xp[n, (oo // og) * cg + c], w[oo, c], "valid",
                                            method="direct", dilation=dilations)
                          for c in range(cg)) for oo in range(o)] for n in range(len(x))])


def _case(spatial, k, groups, n=3, dtype=np.float64):
    x = RNG.standard_normal((n, 2 * groups) + spatial).astype(dtype)
    w = RNG.standard_normal((3 * groups, 2) + k).astype(dtype)
    return x, w


def _out(spatial, k, pads, dilations):
    return tuple(s + b + a - d * (kk - 1) for s, kk, (b, a), d in zip(spatial, k, pads, dilations))


def _classic(x, w, pads, dilations, groups, dy):
    """Forward and gradients through the general im2col path (_conv)."""
    nsp = x.ndim - 2
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    ones = (1,) * nsp
    y, cols = _conv.correlate(xp, w, ones, dilations, groups, dy.shape[2:], "im2col")
    dw = _conv.weight_grad(xp, dy, w.shape[2:], ones, dilations, groups, None, "im2col")
    dxp = _conv.input_grad(dy, w, xp.shape[2:], ones, dilations, groups, "im2col")
    crop = (Ellipsis,) + tuple(slice(b, s - a) for s, (b, a) in zip(xp.shape[2:], pads))
    return y, dxp[crop], dw


@pytest.mark.parametrize("case", FLAT, ids=FLAT_IDS)
def test_flat_layout_equals_textbook_and_classic_im2col(case):
    spatial, k, pads, dilations, groups = case
    x, w = _case(spatial, k, groups)
    out = _out(spatial, k, pads, dilations)
    assert _flatconv.applies((1,) * len(spatial), spatial, pads, k, dilations, out)
    y, state = _flatconv.forward(x, w, pads, dilations, groups, out)
    np.testing.assert_allclose(y, textbook(x, w, pads, dilations, groups), rtol=1e-12,
                               atol=1e-12)
    dy = RNG.standard_normal(y.shape)
    dx, dw = _flatconv.backward(dy, w, state, True)[:2]
    ry, rdx, rdw = _classic(x, w, pads, dilations, groups, dy)
    np.testing.assert_allclose(y, ry, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, rdx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, rdw, rtol=1e-12, atol=1e-12)
    # the adjoint identity <conv(x), dy> == <x, dx> ties dx to the forward map
    np.testing.assert_allclose(np.sum(y * dy), np.sum(x * dx), rtol=1e-11)
    assert _flatconv.backward(dy, w, state, False)[0] is None
    # a bias rides along as a row of ones in the columns: y + b, and db = sum of dy
    b = RNG.standard_normal(w.shape[0])
    yb, state_b = _flatconv.forward(x, w, pads, dilations, groups, out, b)
    np.testing.assert_allclose(yb, y + b.reshape((1, -1) + (1,) * len(spatial)), rtol=1e-12,
                               atol=1e-12)
    dxb, dwb, db = _flatconv.backward(dy, w, state_b, True)
    np.testing.assert_allclose(db, dy.sum(axis=(0,) + tuple(range(2, dy.ndim))), rtol=1e-12)
    np.testing.assert_allclose(dxb, dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dwb, dw, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("budget", [1, 3000, 1 << 40], ids=["one-sample", "some", "whole"])
@pytest.mark.parametrize("case", [FLAT[1], FLAT[3], FLAT[5]], ids=[FLAT_IDS[1], FLAT_IDS[3],
                                                                  FLAT_IDS[5]])
def test_batch_chunking_does_not_change_results(case, budget, monkeypatch):
    spatial, k, pads, dilations, groups = case
    x, w = _case(spatial, k, groups, n=5)
    out = _out(spatial, k, pads, dilations)
    dy = RNG.standard_normal((5, w.shape[0]) + out)
    ref = _classic(x, w, pads, dilations, groups, dy)
    monkeypatch.setattr(_conv, "_CHUNK_BYTES", budget)
    y, state = _flatconv.forward(x, w, pads, dilations, groups, out)
    dx, dw = _flatconv.backward(dy, w, state, True)[:2]
    for got, want in zip((y, dx, dw), ref):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    for got, want in zip(_classic(x, w, pads, dilations, groups, dy), ref):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride,dilation", [(2, 1), ((1, 2), 1), (1, 2)])
def test_strided_and_flat_routes_agree_with_textbook_in_a_chunked_layer(stride, dilation,
                                                                        monkeypatch):
    monkeypatch.setattr(_conv, "_CHUNK_BYTES", 1)
    x = RNG.standard_normal((4, 2, 9, 8))
    w = RNG.standard_normal((3, 2, 3, 3))
    kw = dict(stride=stride, padding=1, dilation=dilation)
    y = F.conv(x, w, **kw)
    s = (stride,) * 2 if np.ndim(stride) == 0 else stride
    d = (dilation,) * 2
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref = np.array([[sum(sigconv.correlate(xp[n, c], w[o, c], "valid", method="direct",
                                           stride=s, dilation=d) for c in range(2))
                     for o in range(3)] for n in range(4)])
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    dy = RNG.standard_normal(y.shape)
    dx, dw, db = F.conv_backward(dy, x, w, **kw)
    np.testing.assert_allclose(np.sum(y * dy), np.sum(x * dx), rtol=1e-11)
    np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)), rtol=1e-12)
    # dw by the definition: d<y, dy>/dw[o, c, m] = sum_n,i dy[n, o, i] xp[n, c, i*s + m*d]
    ref_dw = np.array([[sigconv.correlate(xp[n, c], dy[n, o], "valid", method="direct",
                                          stride=d, dilation=s)
                        for c in range(2)] for o in range(3) for n in range(4)])[..., :3, :3]
    np.testing.assert_allclose(dw, ref_dw.reshape(3, 4, 2, 3, 3).sum(axis=1), rtol=1e-10,
                               atol=1e-10)


def test_flat_route_is_taken_for_stride_one_and_not_for_stride_two(monkeypatch):
    calls = []
    real = _flatconv.forward
    monkeypatch.setattr(_flatconv, "forward", lambda *a: calls.append(1) or real(*a))
    x, w = np.ones((1, 2, 8, 8)), np.ones((1, 2, 3, 3))
    F.conv(x, w, padding=1, method="im2col")
    assert calls == [1]
    F.conv(x, w, padding=1, stride=2, method="im2col")
    assert calls == [1]
    y = F.conv(x[:, :1], w[:, :1], padding=1, method="im2col")   # one channel: classic
    assert calls == [1]
    np.testing.assert_array_equal(y[0, 0, 1:-1, 1:-1], np.full((6, 6), 9.0))


@pytest.mark.parametrize("layer_kw", [dict(padding=1), dict(padding=1, stride=2),
                                      dict(padding=0, groups=2)])
def test_float32_layers_never_upcast(layer_kw):
    from sigconv import nn
    layer = nn.Conv2D(4, 4, 3, seed=0, **layer_kw)
    x = RNG.standard_normal((3, 4, 10, 10)).astype(np.float32)
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == np.float32
    assert layer.grads["weight"].dtype == layer.grads["bias"].dtype == np.float32


def _max_pool_backward_loop(dy, x, k, s, p):
    """dy routed to the first maximum of each window, by explicit loops."""
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)
    dxp = np.zeros_like(xp)
    for n, c, i, j in np.ndindex(*dy.shape):
        win = xp[n, c, i * s:i * s + k, j * s:j * s + k]
        a, b = np.unravel_index(np.argmax(win), win.shape)     # argmax: first maximum
        dxp[n, c, i * s + a, j * s + b] += dy[n, c, i, j]
    return dxp[:, :, p:xp.shape[2] - p, p:xp.shape[3] - p]


@pytest.mark.parametrize("k,s,p", [(2, 2, 0), (3, 3, 1), (3, 2, 1), (2, 1, 0)])
def test_max_pool_backward_routes_ties_to_the_first_maximum(k, s, p):
    # ReLU-like input: many windows hold only zeros, so ties are the rule
    x = np.maximum(RNG.standard_normal((2, 3, 8, 7)), 0).round(1)
    y = F.max_pool(x, k, stride=s, padding=p)
    dy = RNG.standard_normal(y.shape)
    np.testing.assert_allclose(F.max_pool_backward(dy, x, k, stride=s, padding=p),
                               _max_pool_backward_loop(dy, x, k, s, p), rtol=1e-12, atol=0)
    x32 = x.astype(np.float32)
    assert F.max_pool_backward(dy.astype(np.float32), x32, k, stride=s, padding=p).dtype \
        == np.float32


@pytest.mark.parametrize("threads", [1, 2])
def test_threaded_chunks_equal_the_single_thread_result(threads, monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from sigconv import _threads
    spatial, k, pads, dilations, groups = FLAT[threads + 6]
    x, w = _case(spatial, k, groups, n=7)
    out = _out(spatial, k, pads, dilations)
    dy = RNG.standard_normal((7, w.shape[0]) + out)
    ry, rdx, rdw = _classic(x, w, pads, dilations, groups, dy)
    monkeypatch.setattr(_conv, "_CHUNK_BYTES", 1)        # one sample per chunk
    used = []          # threads handed to the shared queue (none: the caller alone)
    real_share = _threads.share
    monkeypatch.setattr(_threads, "share",
                        lambda tasks, n, part: used.append(n) or real_share(tasks, n, part))
    with threadpoolctl.threadpool_limits(threads, user_api="blas"):
        y, state = _flatconv.forward(x, w, pads, dilations, groups, out)
        dx, dw = _flatconv.backward(dy, w, state, True)[:2]
    assert max(used, default=1) == threads
    np.testing.assert_allclose(y, ry, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, rdx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, rdw, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("kw", [dict(stride=2, padding=1), dict(stride=(1, 3), padding=(2, 0),
                                                                groups=2)])
def test_threaded_strided_im2col_equals_textbook(threads, kw, monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    monkeypatch.setattr(_conv, "_CHUNK_BYTES", 1)
    g = kw.get("groups", 1)
    x = RNG.standard_normal((5, 2 * g, 9, 8))
    w = RNG.standard_normal((2 * g, 2, 3, 3))
    with threadpoolctl.threadpool_limits(threads, user_api="blas"):
        y = F.conv(x, w, method="im2col", **kw)
        dy = RNG.standard_normal(y.shape)
        dx, dw, _ = F.conv_backward(dy, x, w, method="im2col", **kw)
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        fy = F.conv(x, w, method="fft", **kw)
        fdx, fdw, _ = F.conv_backward(dy, x, w, method="fft", **kw)
    s = kw["stride"] if np.ndim(kw["stride"]) else (kw["stride"],) * 2
    pads = kw["padding"] if np.ndim(kw["padding"]) else (kw["padding"],) * 2
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in pads))
    ref = np.array([[sum(sigconv.correlate(xp[n, (o // 2) * 2 + c], w[o, c], "valid",
                                           method="direct", stride=s) for c in range(2))
                     for o in range(2 * g)] for n in range(5)])
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, fdx, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(dw, fdw, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.sum(y * dy), np.sum(x * dx), rtol=1e-11)


@pytest.mark.parametrize("kw", [dict(padding=1), dict(padding=1, stride=2),
                                dict(padding=2, method="fft")])
def test_empty_batch_gives_empty_outputs_and_zero_weight_gradients(kw):
    x = np.zeros((0, 2, 5, 5), dtype=np.float32)
    w = np.ones((3, 2, 3, 3), dtype=np.float32)
    y = F.conv(x, w, np.ones(3), **kw)
    assert y.shape[:2] == (0, 3) and y.dtype == np.float32
    dx, dw, db = F.conv_backward(np.zeros(y.shape, np.float32), x, w, **kw)
    assert dx.shape == x.shape
    np.testing.assert_array_equal(dw, np.zeros_like(w))
    np.testing.assert_array_equal(db, np.zeros(3))


@pytest.mark.parametrize("budget", [1, 1 << 40], ids=["chunked", "one-chunk"])
def test_backward_twice_from_one_forward_gives_the_same_gradients(budget, monkeypatch):
    from sigconv import nn
    monkeypatch.setattr(_conv, "_CHUNK_BYTES", budget)
    layer = nn.Conv2D(3, 4, 3, padding=1, dtype="float64", seed=0)
    y = layer.forward(RNG.standard_normal((3, 3, 6, 5)))
    dy = RNG.standard_normal(y.shape)
    dx1, dw1 = layer.backward(dy), layer.grads["weight"].copy()
    dx2, dw2 = layer.backward(dy), layer.grads["weight"]
    np.testing.assert_array_equal(dx1, dx2)
    np.testing.assert_array_equal(dw1, dw2)


@pytest.mark.parametrize("shape", [(3, 5, 4), (64, 9216, 128), (128, 64, 9216), (1, 600, 600)])
def test_products_on_our_threads_match_numpy(shape):
    """Dense layers' products run with BLAS on one thread, row blocks on sigconv's
    threads (so BLAS's spinning pool never wakes): the float64 product's values, the same
    bits on every call."""
    from sigconv.nn import _parallel
    m, k, n = shape
    rng = np.random.default_rng(m + k)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    got = _parallel.matmul(a, b)
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3 * np.sqrt(k))
    np.testing.assert_array_equal(_parallel.matmul(a, b), got)
    got_t = _parallel.matmul(b.T, a.T)              # transposed (non-contiguous) operands
    np.testing.assert_allclose(got_t, want.T, rtol=1e-4, atol=1e-3 * np.sqrt(k))

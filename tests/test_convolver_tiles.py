"""Overlap-save tiles (sigconv.engines.tiled), the engine of Convolver banks and
FilterBank.apply: against the textbook sums, shift-add references and one-off convolve."""


import numpy as np
import pytest

import sigconv
from helpers import res
from sigconv.definitions import discrete
from sigconv import _pipeline
from sigconv.engines import fft as fft_engine, tiled
from sigconv.engines.tiled import TiledBank, tile_shape

TOL = {np.float32: 2e-4, np.float64: 1e-10}


def shift_add(x, w, pads, dilations):
    """Valid correlation of the zero-padded ``x`` with each kernel of ``w``, tap by tap:
    ``out[..., k, i] = sum_m xpad[..., i + m*d] * w[k, m]``."""
    nsp = w.ndim - 1
    lead = x.ndim - nsp
    xp = np.pad(x, ((0, 0),) * lead + tuple(pads))
    ke = [d * (k - 1) + 1 for k, d in zip(w.shape[1:], dilations)]
    L = [n - e + 1 for n, e in zip(xp.shape[lead:], ke)]
    out = np.zeros(x.shape[:lead] + (w.shape[0],) + tuple(L), dtype=np.result_type(x, w))
    for m in np.ndindex(w.shape[1:]):
        src = (Ellipsis,) + tuple(slice(mi * d, mi * d + n) for mi, d, n in
                                  zip(m, dilations, L))
        taps = w[(slice(None),) + m].reshape((w.shape[0],) + (1,) * nsp)
        out += np.expand_dims(xp[src], lead) * taps
    return out


def data(rng, shape, dtype):
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


CASES = [  # input shape (with batch), kernels (K, *k), pads, dilations, forced tile
    ((50,), (3, 7), ((6, 6),), (1,), (16,)),
    ((2, 61), (2, 5), ((0, 0),), (2,), (24,)),
    ((23, 31), (4, 5, 4), ((4, 3), (2, 1)), (1, 1), (12, 10)),
    ((3, 17, 20), (2, 3, 3), ((1, 1), (0, 2)), (2, 1), (9, 8)),
    ((9, 10, 11), (2, 3, 2, 4), ((2, 0), (1, 1), (3, 0)), (1, 1, 1), (6, 5, 8)),
    ((12, 9), (2, 15, 3), ((14, 14), (2, 2)), (1, 1), None),    # kernel longer than input
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_tiles_equal_shift_add(case, dtype):
    xs, ws, pads, dil, tile = CASES[case]
    rng = np.random.default_rng(case)
    nsp = len(ws) - 1
    real = np.dtype(np.dtype(dtype).char.lower())
    x = data(rng, xs, dtype)
    w = data(rng, ws, dtype if case % 2 else np.dtype(dtype).char.lower())
    bank = TiledBank(w, xs[len(xs) - nsp:], pads, dil, dtype=real, res=res(),
                     complex_input=x.dtype.kind == "c", tile=tile)
    out = bank.apply(x, res=res(2))
    ref = shift_add(x.astype(complex), w.astype(complex), pads, dil)
    assert out.shape == ref.shape and out.dtype == bank.out_dtype
    if tile is not None:
        assert len(bank.origins) > 1         # several tiles, including ragged last ones
    tol = TOL[real.type] * np.abs(ref).max()
    np.testing.assert_allclose(out, ref if out.dtype.kind == "c" else ref.real, atol=tol)


@pytest.mark.parametrize("real", [np.float32, np.float64])
def test_complex_kernels_on_real_inputs(real):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 37, 29)).astype(real)
    w = data(rng, (3, 6, 5), np.complex128)
    bank = TiledBank(w, (37, 29), ((3, 2), (2, 2)), (1, 2), dtype=real, res=res(), tile=(15, 18))
    out = bank.apply(x, res=res())
    assert out.dtype == np.result_type(real, np.complex64)
    ref = shift_add(x.astype(float), w, ((3, 2), (2, 2)), (1, 2))
    np.testing.assert_allclose(out, ref, atol=TOL[real] * np.abs(ref).max())


def test_tiles_equal_the_textbook_correlation():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((11, 13)), rng.standard_normal((1, 4, 3))
    full = ((3, 3), (2, 2))
    out = TiledBank(w, x.shape, full, (1, 1), dtype=np.float64, res=res(), tile=(8, 6)).apply(x, res=res())
    np.testing.assert_allclose(out[0], discrete.correlate(x, w[0]), atol=1e-12)


def test_threads_and_reuse_give_the_serial_bits(monkeypatch):
    monkeypatch.setattr(tiled, "THREAD_MIN_WORK", 0)
    started = []
    real_run = TiledBank._run
    monkeypatch.setattr(TiledBank, "_run", lambda self, *a: started.append(1) or
                        real_run(self, *a))
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((3, 40, 50)), rng.standard_normal((5, 6, 7))
    bank = TiledBank(w, (40, 50), ((2, 3), (3, 3)), (1, 1), dtype=np.float64, res=res(),
                     tile=(16, 18))
    one = bank.apply(x, res=res(1))
    buf = np.full_like(one, np.nan)
    assert bank.apply(x, res=res(3), out=buf) is buf
    np.testing.assert_array_equal(buf, one)         # every tile computed the same way
    np.testing.assert_array_equal(bank.apply(x, res=res(2)), one)
    # one run per thread that started; the caller takes the runs of a worker that has
    # not started yet (a loaded machine), so fewer may run
    assert 3 <= len(started) <= 1 + 3 + 2


def test_many_threads_sharing_one_convolver_get_the_serial_results():
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(13)
    bank = rng.standard_normal((3, 9, 9)).astype(np.float32)
    conv = sigconv.Convolver(bank, (150, 140), "same", method="os", dtype=np.float32)
    xs = rng.standard_normal((12, 150, 140)).astype(np.float32)
    serial = [conv(x) for x in xs]
    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(lambda i: (i, conv(xs[i])), list(range(12)) * 4))
    for i, out in results:
        np.testing.assert_array_equal(out, serial[i])


def test_one_forward_transform_per_tile_and_one_inverse_per_kernel_group(monkeypatch):
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((30, 30)), rng.standard_normal((16, 5, 5))
    bank = TiledBank(w, (30, 30), ((2, 2), (2, 2)), (1, 1), dtype=np.float64, res=res(), tile=(16, 16))
    counts = {"r2c": 0, "c2r": 0}
    real = fft_engine.transform

    class Counted:
        def __init__(self, kind, slot):
            self.kind, self.slot, self.input = kind, slot, slot.input

        def execute(self):
            counts[self.kind] += 1
            return self.slot.execute()

    from contextlib import contextmanager

    @contextmanager
    def spy(kind, *args, **kw):
        with real(kind, *args, **kw) as slot:
            yield Counted(kind, slot)

    monkeypatch.setattr(fft_engine, "transform", spy)
    out = bank.apply(x, res=res(1))
    tiles = len(bank.origins)
    assert tiles == 9 and counts["r2c"] == tiles
    assert counts["c2r"] == tiles * -(-16 // bank.group)
    np.testing.assert_allclose(out, shift_add(x, w, ((2, 2), (2, 2)), (1, 1)), atol=1e-12)


@pytest.mark.parametrize("L,ke", [((2048, 2048), (31, 31)), ((100,), (5,)),
                                  ((10**6,), (65,)), ((160, 160, 160), (25, 25, 25)),
                                  ((5, 700), (5, 3))])
def test_tile_shape_is_fast_and_leaves_room_for_outputs(L, ke):
    shape = tile_shape(L, ke)
    from sigconv.fft import next_fast_len
    from sigconv.fft.lengths import even_fast_len
    for t, k, n in zip(shape, ke, L):
        assert t >= k and (t - k + 1 >= min(n, k) or t >= n + k - 1)
        assert next_fast_len(t) == t or t % 2 == 0
    assert shape[-1] % 2 == 0            # an odd last axis slows real transforms
    whole = [next_fast_len(n + k - 1) for n, k in zip(L, ke)]
    whole[-1] = even_fast_len(L[-1] + ke[-1] - 1)
    assert tiled.tile_cost(shape, L, ke) <= tiled.tile_cost(tuple(whole), L, ke)


# ----------------------------------------------------------------- through Convolver

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_convolver_bank_on_tiles_equals_convolve(mode, dtype):
    rng = np.random.default_rng(7)
    x = data(rng, (2, 130, 110), dtype)
    bank = data(rng, (3, 25, 21), dtype)
    conv = sigconv.Convolver(bank, (130, 110), mode, dtype=dtype)
    assert conv.method == "os" and conv.tiles is not None
    out = conv(x)
    assert out.dtype == dtype and out.shape == (2,) + conv.output_shape
    for b in range(2):
        for k in range(3):
            ref = sigconv.convolve(x[b].astype(np.complex128), bank[k].astype(np.complex128),
                                   mode, method="direct")
            scale = np.abs(ref).max()
            tol = TOL[np.float32 if dtype == np.float32 else np.float64] * scale
            np.testing.assert_allclose(out[b, k], ref if out.dtype.kind == "c" else ref.real,
                                       atol=tol)


@pytest.mark.parametrize("op,boundary,dilation", [("correlate", "reflect", 1),
                                                  ("convolve", "wrap", 2),
                                                  ("correlate", "constant", (1, 3))])
def test_convolver_tiles_geometry_and_complex_kernels_on_real_input(op, boundary, dilation):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((90, 70)).astype(np.float32)
    bank = data(rng, (2, 9, 7), np.complex64)
    kw = dict(op=op, boundary=boundary, dilation=dilation, fillvalue=0.5 * (op == "correlate"))
    conv = sigconv.Convolver(bank, x.shape, "same", method="os", dtype=np.complex64, **kw)
    assert conv.tiles is not None
    out = conv(x)
    assert out.dtype == np.complex64
    fn = getattr(sigconv, op)
    for k in range(2):
        ref = fn(x.astype(np.float64), bank[k].astype(np.complex128), "same", method="direct",
                 boundary=boundary, dilation=dilation, fillvalue=kw["fillvalue"])
        np.testing.assert_allclose(out[k], ref, atol=2e-4 * np.abs(ref).max())


def test_convolver_tiles_complex_fillvalue_on_real_input():
    rng = np.random.default_rng(12)
    x, bank = rng.standard_normal((40, 50)), rng.standard_normal((2, 5, 5))
    conv = sigconv.Convolver(bank, x.shape, "same", method="os", fillvalue=1 + 2j,
                             dtype=complex)
    out = conv(x)
    for k in range(2):
        ref = sigconv.convolve(x.astype(complex), bank[k].astype(complex), "same",
                               method="direct", fillvalue=1 + 2j)
        np.testing.assert_allclose(out[k], ref, atol=1e-12)


def test_convolver_bank_dispatch_runs_only_the_tiles(monkeypatch):
    """'auto' on a bank large enough for transforms runs the tiles: the other engines are
    made to raise, and overlap-save receives the bank of tiles."""
    rng = np.random.default_rng(9)
    x, bank = rng.standard_normal((200, 200)), rng.standard_normal((4, 21, 21))
    conv = sigconv.Convolver(bank, x.shape, "same")
    assert conv.method == "os" and isinstance(conv.tiles, TiledBank)
    real, banks = _pipeline.ENGINES["os"], []
    for name in ("fft", "oa", "direct"):
        monkeypatch.setitem(_pipeline.ENGINES, name, _raise)
    monkeypatch.setitem(_pipeline.ENGINES, "os",
                        lambda *a, bank=None, **kw: banks.append(bank) or real(*a, bank=bank,
                                                                               **kw))
    out = conv(x)
    assert banks == [conv.tiles]
    np.testing.assert_allclose(out[2], np.asarray(shift_add(np.pad(x, 10), bank[2:3, ::-1, ::-1],
                                                            ((0, 0), (0, 0)), (1, 1)))[0],
                               atol=1e-10)


def test_convolver_tiles_fall_back_for_nonfinite_and_big_integers():
    conv = sigconv.Convolver(np.ones((2, 3)), (5000,), "same", method="os")
    assert conv.tiles is not None
    x = np.ones(5000)
    x[100] = np.inf
    out = conv(x)
    assert np.isinf(out[:, 99:102]).all() and np.isfinite(np.delete(out, [99, 100, 101], 1)).all()
    ints = sigconv.Convolver(np.array([[1, -2, 3]]), (3000,), "full", method="os",
                             dtype=np.int64)
    assert ints.tiles is not None
    big = np.random.default_rng(1).integers(-2**50, 2**50, 3000)
    np.testing.assert_array_equal(ints(big)[0], np.convolve(big, [1, -2, 3]))
    small = big % 1000
    assert ints(small).dtype == np.int64
    np.testing.assert_array_equal(ints(small)[0], np.convolve(small, [1, -2, 3]))


@pytest.mark.parametrize("method", ["os", "fft", "direct"])
def test_convolver_writes_into_out(method):
    rng = np.random.default_rng(14)
    bank = rng.standard_normal((3, 7, 6)).astype(np.float32)
    conv = sigconv.Convolver(bank, (60, 50), "same", method=method, dtype=np.float32)
    x = rng.standard_normal((2, 60, 50)).astype(np.float32)
    buf = np.full((2, 3, 60, 50), np.nan, np.float32)
    assert conv(x, out=buf) is buf
    np.testing.assert_allclose(buf, conv(x), rtol=1e-6, atol=1e-5)
    strided = np.full((2, 3, 60, 100), np.nan, np.float32)[..., ::2]
    assert conv(x, out=strided) is strided
    np.testing.assert_allclose(strided, buf, rtol=1e-6, atol=1e-5)
    single = sigconv.Convolver(bank[1], (60, 50), "same", method=method, dtype=np.float32)
    one = np.empty((60, 50), np.float32)
    assert single(x[0], out=one) is one
    np.testing.assert_allclose(one, buf[0, 1], rtol=1e-6, atol=1e-5)
    y = x.copy()
    y[1, 3, 4] = np.nan                # the direct fallback writes into out too
    conv(y, out=buf)
    assert np.isnan(buf[1]).sum() == 3 * 7 * 6 and np.isfinite(buf[0]).all()


def test_convolver_out_may_alias_its_input():
    rng = np.random.default_rng(15)
    kernel = rng.standard_normal((9, 9))
    conv = sigconv.Convolver(kernel, (80, 70), "same", method="os")
    x = rng.standard_normal((80, 70))
    expected = conv(x)
    assert conv(x, out=x) is x
    np.testing.assert_allclose(x, expected, atol=1e-12)


@pytest.mark.parametrize("out,error,match", [
    (np.empty((3, 20)), sigconv.ShapeError,
     r"Convolver: out must be an ndarray of shape \(2, 20\); got \(3, 20\)"),
    ([[0.0] * 20] * 2, sigconv.ShapeError, r"of shape \(2, 20\); got list"),
    (np.empty((2, 20), np.float32), sigconv.DTypeError,
     r"Convolver: out must have dtype float64; got float32"),
])
def test_convolver_rejects_bad_out(out, error, match):
    conv = sigconv.Convolver(np.ones((2, 3)), (20,), "same", method="os")
    with pytest.raises(error, match=match):
        conv(np.ones(20), out=out)
    frozen = np.empty((2, 20))
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="Convolver: out must be writeable"):
        conv(np.ones(20), out=frozen)


def test_tiles_run_on_scipy_fft_without_pyfftw(monkeypatch):
    from sigconv.fft import plans
    monkeypatch.setattr(plans.PlanCache, "slot", _raise)
    old = sigconv.fft.set_backend("scipy")
    try:
        rng = np.random.default_rng(10)
        x, w = rng.standard_normal((40, 33)), rng.standard_normal((3, 4, 5))
        out = TiledBank(w, x.shape, ((1, 2), (0, 0)), (1, 1), dtype=np.float64, res=res(),
                        tile=(16, 16)).apply(x, res=res())
    finally:
        sigconv.fft.set_backend(old)
    np.testing.assert_allclose(out, shift_add(x, w, ((1, 2), (0, 0)), (1, 1)), atol=1e-12)


def _raise(*args, **kwargs):
    raise AssertionError("this path must not run")

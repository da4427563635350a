"""Missing data through every caller of the pipeline: Convolver, sigconv.distributed,
sigconv.ndimage, sigconv.filters, and the scipy-named functions.

Each is checked against an independent reference (astropy.convolution, or the
definition written with numpy in test_missing) and against the in-memory
``sigconv.convolve``, whose own definition tests are in test_missing.
"""

import itertools

import numpy as np
import pytest

import sigconv
from sigconv import distributed, filters, ndimage
from test_missing import oracle

astropy_conv = pytest.importorskip("astropy.convolution")
da = pytest.importorskip("dask.array")


def _data(rng, shape, frac=0.1):
    x = rng.standard_normal(shape)
    x[rng.random(shape) < frac] = np.nan
    return x, rng.random(shape) < frac


def _same(a, b, tol=1e-12):
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# --------------------------------------------------------------------------- Convolver

@pytest.mark.parametrize("method", ["auto", "direct", "fft", "oa", "os"])
@pytest.mark.parametrize("boundary,fillvalue", [("constant", 0.0), ("constant", 1.5),
                                                ("constant", np.nan), ("reflect", 0.0),
                                                ("wrap", 0.0)])
def test_convolver_bank_equals_one_call_per_kernel(method, boundary, fillvalue, rng):
    x, mask = _data(rng, (40, 36))
    bank = rng.random((3, 5, 7)) + 0.1
    conv = sigconv.Convolver(bank, x.shape, "same", method, boundary=boundary,
                             fillvalue=fillvalue, nan_policy="interpolate",
                             return_weights=True)
    got, weights = conv(x, mask=mask)
    for i, k in enumerate(bank):
        want, w = sigconv.convolve(x, k, "same", "direct", boundary=boundary,
                                   fillvalue=fillvalue, nan_policy="interpolate", mask=mask,
                                   return_weights=True)
        _same(got[i], want, 1e-10)
        np.testing.assert_allclose(weights[i], w, atol=1e-12)


def test_convolver_mask_per_call_without_missing_options(rng):
    x, mask = _data(rng, (2, 30, 31), 0.0)
    k = rng.random((5, 5)) + 0.1
    conv = sigconv.Convolver(k, (30, 31), "same")
    got = conv(x, mask=mask)
    for b in range(2):
        _same(got[b], sigconv.convolve(x[b], k, "same", mask=mask[b]))
    np.testing.assert_allclose(conv(x), sigconv.convolve(x, k[None], "same", axes=(1, 2)),
                               rtol=1e-12, atol=1e-12)     # no mask: the plain plan
    with pytest.raises(sigconv.ShapeError, match=r"Convolver: mask must have the shape of "
                                                 r"in1 \(2, 30, 31\)"):
        conv(x, mask=mask[0, :, :5])


# --------------------------------------------------------------------------- dask

CHUNKINGS = [(5, 4), (3, 3), (17, 14), (1, 14)]


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("boundary,fillvalue", [("constant", 0.0), ("constant", 2.0),
                                                ("constant", np.nan), ("reflect", 0.0),
                                                ("mirror", 0.0), ("nearest", 0.0),
                                                ("wrap", 0.0)])
def test_dask_equals_in_memory(chunks, boundary, fillvalue, rng):
    x, mask = _data(rng, (17, 14))
    k = rng.random((4, 3)) + 0.1
    policies = ["interpolate"] + (["fill", "propagate"] if np.isfinite(fillvalue) else [])
    geometries = [("same", c) for c in ("scipy", "ndimage", (0, 2))] + [("full", "scipy"),
                                                                         ("valid", "scipy")]
    for policy, (mode, center) in itertools.product(policies, geometries):
        kw = dict(boundary=boundary, fillvalue=fillvalue, nan_policy=policy, mask=mask,
                  center=center, preserve_nan=mode == "same", return_weights=True)
        want, w = sigconv.convolve(x, k, mode, "direct", **kw)
        got, gw = distributed.convolve(da.from_array(x, chunks=chunks), k, mode,
                                       method="direct", **kw)
        assert got.shape == want.shape and got.dtype == want.dtype
        _same(got.compute(), want)
        np.testing.assert_allclose(gw.compute(), w, atol=1e-12)


def test_dask_nan_in_one_chunk_on_fft_equals_direct(rng):
    """F4: a NaN inside one chunk, per-chunk FFT: interpolated, it reaches no output."""
    x = rng.standard_normal((64, 64))
    x[10, 40] = np.nan
    k = rng.random((7, 7)) + 0.1
    want = sigconv.convolve(x, k, "same", "direct", nan_policy="interpolate")
    got = distributed.convolve(da.from_array(x, chunks=16), k, method="fft",
                               nan_policy="interpolate").compute()
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_dask_mask_errors(rng):
    x = da.from_array(np.ones((6, 6)), chunks=3)
    with pytest.raises(sigconv.ShapeError, match=r"distributed.convolve: mask must have the "
                                                 r"shape of x \(6, 6\); got \(6, 5\)"):
        distributed.convolve(x, np.ones((3, 3)), mask=np.zeros((6, 5), bool))
    with pytest.raises(ValueError, match=r"distributed.convolve: nan_policy='fill' needs a "
                                         r"finite fillvalue"):
        distributed.convolve(x, np.ones((3, 3)), nan_policy="fill", fillvalue=np.nan)


# --------------------------------------------------------------------------- ndimage, filters

MODES = {"constant": "fill", "wrap": "wrap", "nearest": "extend"}


@pytest.mark.parametrize("mode", list(MODES))
def test_ndimage_filters_equal_astropy(mode, rng):
    x, mask = _data(rng, (31, 40))
    sigma, radius = 1.5, 6
    g = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    g2 = np.outer(g, g) / np.outer(g, g).sum()
    box = np.ones((3, 5)) / 15
    ref = {
        "gaussian": astropy_conv.convolve(x, g2, boundary=MODES[mode], mask=mask),
        "uniform": astropy_conv.convolve(x, box, boundary=MODES[mode], mask=mask),
    }
    kw = dict(mode=mode, mask=mask, nan_policy="interpolate")
    _same(ndimage.gaussian_filter(x, sigma, radius=radius, **kw), ref["gaussian"], 1e-10)
    _same(ndimage.uniform_filter(x, (3, 5), **kw), ref["uniform"], 1e-10)
    _same(ndimage.convolve(x, g2, **kw), ref["gaussian"], 1e-10)
    _same(ndimage.correlate(x, box, **kw), ref["uniform"], 1e-10)
    _same(filters.gaussian(x, sigma, radius=radius, boundary=mode, mask=mask,
                           nan_policy="interpolate", preserve_range=True), ref["gaussian"],
          1e-10)


def test_ndimage_missing_options_and_dtypes(rng):
    x = rng.integers(0, 100, (12, 12)).astype(np.uint8)
    mask = rng.random(x.shape) < 0.2
    y = ndimage.uniform_filter(x, 3, mask=mask, preserve_nan=True)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(np.isnan(y), mask)
    want, _ = oracle(x.astype(float), np.ones((3, 3)) / 9, mask, [(1, 1), (1, 1)],
                     "reflect")
    np.testing.assert_allclose(y[~mask], want[~mask], rtol=1e-12)
    with pytest.raises(ValueError, match=r"gaussian_filter: missing data needs one mode for "
                                         r"every filtered axis"):
        ndimage.gaussian_filter(x, 1.0, mode=["reflect", "wrap"], mask=mask)
    with pytest.raises(ValueError, match=r"needs a kernel whose sum is not zero"):
        ndimage.gaussian_filter(x, 1.0, order=1, mask=mask)


def test_filters_gaussian_with_channels_and_masked_array(rng):
    rgb = rng.random((20, 24, 3))
    mask = rng.random(rgb.shape) < 0.1
    got = filters.gaussian(np.ma.masked_array(rgb, mask=mask), 1.0, channel_axis=-1,
                           boundary="reflect")
    g = np.exp(-0.5 * np.arange(-4, 5) ** 2)
    k = np.outer(g, g) / np.outer(g, g).sum()
    for c in range(3):
        want, _ = oracle(rgb[..., c], k, mask[..., c], [(4, 4), (4, 4)], "reflect")
        np.testing.assert_allclose(got[..., c], want, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- scipy names

@pytest.mark.parametrize("name", ["fftconvolve", "oaconvolve"])
def test_scipy_named_functions_take_the_missing_options(name, rng):
    x, mask = _data(rng, (50, 3), 0.1)
    k = rng.random((9, 1)) + 0.1
    fn = getattr(sigconv, name)
    got = fn(x, k, "same", axes=0, nan_policy="interpolate", mask=mask)
    want = sigconv.convolve(x, k, "same", "direct", axes=0, nan_policy="interpolate",
                            mask=mask)
    _same(got, want, 1e-10)
    plain = fn(np.arange(5), np.ones(2))
    assert plain.dtype == np.float64                  # scipy's dtype when nothing is asked

"""Missing data against astropy.convolution.

Where astropy's ``convolve`` and ``convolve_fft`` agree with each other, sigconv gives
their result within 1e-10 (float64), for NaNs, masks, every boundary astropy has, both
``nan_treatment`` values, ``normalize_kernel`` on and off, and ``preserve_nan``.  The
translation (docs/conventions.rst, "Missing data"): astropy's ``mask`` is sigconv's
``mask`` (True = missing); ``boundary='fill'``/``'wrap'``/``'extend'`` are 'constant',
'wrap', 'nearest'; ``normalize_kernel=True`` is the kernel divided by its sum; an odd
kernel sits on its centre tap.

Where the two disagree (astropy issues #926/#8099, #11920, #20403, #8114), sigconv's
answer is derived from the definition here, independently of both.
"""

import warnings

import numpy as np
import pytest

import sigconv

astropy_conv = pytest.importorskip("astropy.convolution")

BOUNDARY = {"fill": "constant", "wrap": "wrap", "extend": "nearest"}
SHAPES = {1: ((41,), (7,)), 2: ((29, 33), (5, 7)), 3: ((13, 12, 14), (3, 5, 3))}


def _astropy(fn, x, k, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # astropy's notes on NaN and boundaries
        return fn(x, k, **kw)


def _sigconv(x, k, *, boundary, fill_value, nan_treatment, normalize_kernel, mask=None,
             preserve_nan=False, method="auto"):
    kernel = k / k.sum() if normalize_kernel else k
    return sigconv.convolve(x, kernel, "same", method, boundary=BOUNDARY[boundary],
                            fillvalue=fill_value, nan_policy=nan_treatment, mask=mask,
                            preserve_nan=preserve_nan)


def _equal(a, b, tol=1e-10):
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _case(rng, ndim, frac=0.05):
    xshape, kshape = SHAPES[ndim]
    x = rng.standard_normal(xshape) + 2.0
    x[rng.random(xshape) < frac] = np.nan
    k = rng.random(kshape) + 0.2
    mask = rng.random(xshape) < frac
    return x, k, mask


# astropy's fill_value=NaN with nan_treatment='fill' would fill NaN with NaN: sigconv
# refuses it (test_missing), so that pair is not here
PARAMS = [(b, fv, t) for b, fv in (("fill", 0.0), ("fill", 2.5), ("fill", np.nan),
                                   ("wrap", 0.0), ("extend", 0.0))
          for t in ("interpolate", "fill") if np.isfinite(fv) or t == "interpolate"]


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("boundary,fill_value,nan_treatment", PARAMS)
@pytest.mark.parametrize("normalize_kernel", [True, False])
@pytest.mark.parametrize("preserve_nan", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_equals_astropy_where_convolve_and_convolve_fft_agree(
        ndim, boundary, fill_value, nan_treatment, normalize_kernel, preserve_nan, masked,
        rng):
    x, k, mask = _case(rng, ndim)
    mask = mask if masked else None
    kw = dict(boundary=boundary, fill_value=fill_value, nan_treatment=nan_treatment,
              normalize_kernel=normalize_kernel, mask=mask, preserve_nan=preserve_nan)
    direct = _astropy(astropy_conv.convolve, x, k, **kw)
    if boundary != "extend":            # convolve_fft has no 'extend'
        _equal(_astropy(astropy_conv.convolve_fft, x, k, **kw), direct)
    for method in ("direct", "fft", "os"):
        _equal(_sigconv(x, k, method=method, **kw), direct)


def test_equals_astropy_with_its_kernels_and_a_masked_array(rng):
    x = rng.standard_normal((64, 64))
    x[rng.random(x.shape) < 0.03] = np.nan
    data = np.ma.masked_array(x, mask=rng.random(x.shape) < 0.03)
    kernel = astropy_conv.Gaussian2DKernel(2.0).array
    want = _astropy(astropy_conv.convolve_fft, data, kernel)
    _equal(_astropy(astropy_conv.convolve, data, kernel), want)
    _equal(sigconv.convolve(data, kernel / kernel.sum(), "same", nan_policy="interpolate"),
           want)


# --------------------------------------------------------------------------- disagreements

def _definition(x, k, missing, pad_mode="constant", cval=0.0):
    """sum(K) (K*x0)/(K*m) for an odd kernel centred on each sample, by explicit sums."""
    r = [n // 2 for n in k.shape]
    pads = [(n, n) for n in r]
    kw = dict(constant_values=cval) if pad_mode == "constant" else {}
    x0 = np.pad(np.where(missing, 0.0, x), pads, mode=pad_mode, **kw)
    m = np.pad((~missing).astype(float), pads, mode=pad_mode,
               **(dict(constant_values=1.0) if pad_mode == "constant" else {}))
    kf = k[::-1, ::-1] if k.ndim == 2 else k[::-1]
    num = np.zeros(x.shape)
    den = np.zeros(x.shape)
    for idx in np.ndindex(*k.shape):
        sl = tuple(slice(i, i + n) for i, n in zip(idx, x.shape))
        num += kf[idx] * x0[sl]
        den += kf[idx] * m[sl]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den == 0, np.nan, k.sum() * num / den)


def test_inf_is_missing_like_nan():
    """#926, #8099: convolve keeps inf as a value (it spreads), convolve_fft treats it as
    missing.  sigconv: every non-finite sample is missing under 'interpolate'."""
    x = np.arange(10.0)
    x[4] = np.inf
    k = np.ones(3)
    direct = _astropy(astropy_conv.convolve, x, k)
    fft = _astropy(astropy_conv.convolve_fft, x, k)
    assert np.isinf(direct[3:6]).all() and np.isfinite(fft).all()
    want = _definition(x, k / 3, ~np.isfinite(x))
    got = sigconv.convolve(x, k / 3, "same", nan_policy="interpolate")
    _equal(got, want, 1e-12)
    _equal(got, fft)                                    # here convolve_fft is the definition


def test_no_valid_sample_under_the_kernel_gives_nan():
    """#11920: with no valid sample under the kernel, convolve returns NaN and
    convolve_fft 0.  sigconv: 0/0 has no value: NaN (min_weight sets a higher bar)."""
    x = np.ones((20, 20))
    x[5:12, 5:12] = np.nan
    k = np.ones((3, 3))
    direct = _astropy(astropy_conv.convolve, x, k)
    fft = _astropy(astropy_conv.convolve_fft, x, k)
    hole = np.zeros(x.shape, bool)
    hole[6:11, 6:11] = True                 # 3x3 windows with no valid sample
    assert np.isnan(direct[hole]).all() and (fft[hole] == 0).all()
    want = _definition(x, k / 9, np.isnan(x))
    np.testing.assert_array_equal(np.isnan(want), hole)
    for method in ("direct", "fft", "oa", "os"):
        _equal(sigconv.convolve(x, k / 9, "same", method, nan_policy="interpolate"), want,
               1e-12)
    all_nan = np.full((10, 10), np.nan)     # the issue's own example
    got = sigconv.convolve(all_nan, k / 9, "same", fillvalue=np.nan, nan_policy="interpolate")
    assert np.isnan(got).all()


def test_kernel_with_negative_coefficients():
    """#20403: at a NaN pixel under a kernel with negative taps convolve_fft returns 0
    (its weight is negative and cut as "zero"), convolve the interpolation.  sigconv:
    the definition holds wherever the weight is not zero, whatever its sign, and is NaN
    where it is zero."""
    image = np.arange(49.0).reshape(7, 7)
    image[3, 3] = np.nan
    kernel = np.array([[1, -2, 1], [-2, 5, -2], [1, -2, 2.0]])
    kw = dict(boundary="wrap", nan_treatment="interpolate", normalize_kernel=True)
    direct = _astropy(astropy_conv.convolve, image, kernel, **kw)
    fft = _astropy(astropy_conv.convolve_fft, image, kernel, **kw)
    assert fft[3, 3] == 0 and abs(direct[3, 3] - fft[3, 3]) > 1
    want = _definition(image, kernel / kernel.sum(), np.isnan(image), pad_mode="wrap")
    for method in ("direct", "fft"):
        got = sigconv.convolve(image, kernel / kernel.sum(), "same", method, boundary="wrap",
                               nan_policy="interpolate")
        _equal(got, want, 1e-12)
    # at [4, 4] the valid taps sum to 0 (the weight is zero): the definition has no value
    # there; convolve returns the input sample itself (its fallback), convolve_fft 0
    zero = np.isnan(want)
    assert zero.sum() == 1 and zero[4, 4] and direct[4, 4] == image[4, 4]
    _equal(want[~zero], direct[~zero])                  # elsewhere convolve is the definition


def test_fill_and_interpolate_agree_when_nothing_is_missing():
    """#8114: with no NaN, convolve_fft's 'fill' and 'interpolate' differ when
    normalize_kernel is a function.  sigconv: nothing missing is plain convolution under
    either policy; normalize_kernel=np.max is the kernel divided by its maximum."""
    x, k = np.array([1.0, 2.0, 3.0]), np.array([3.0, 3.0, 3.0])
    fill = _astropy(astropy_conv.convolve_fft, x, k, normalize_kernel=np.max,
                    nan_treatment="fill")
    interp = _astropy(astropy_conv.convolve_fft, x, k, normalize_kernel=np.max,
                      nan_treatment="interpolate")
    assert not np.allclose(fill, interp)
    want = np.convolve(x, k / k.max(), "same")
    for policy in ("fill", "interpolate"):
        np.testing.assert_allclose(sigconv.convolve(x, k / k.max(), "same",
                                                    nan_policy=policy), want, rtol=1e-13)
    np.testing.assert_allclose(interp, want, rtol=1e-13)

"""sigconv.Convolver: planned kernel banks against one-off convolve and the definitions."""

import numpy as np
import pytest

import sigconv
from sigconv import DTypeError, ShapeError
from sigconv.definitions import discrete
from sigconv.engines import fft as fft_engine

METHODS = ["direct", "fft", "os", "oa", "auto"]


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("method", METHODS)
def test_bank_equals_convolve_per_kernel(method, mode):
    rng = np.random.default_rng(abs(hash((method, mode))) % 2**32)
    bank = rng.standard_normal((3, 4, 5))
    x = rng.standard_normal((2, 16, 19))
    conv = sigconv.Convolver(bank, (16, 19), mode, method=method)
    out = conv(x)
    assert out.shape == (2,) + conv.output_shape and conv.output_shape[0] == 3
    for b in range(2):
        for j in range(3):
            ref = sigconv.convolve(x[b], bank[j], mode, method="direct")
            np.testing.assert_allclose(out[b, j], ref, rtol=1e-10, atol=1e-10)
    if mode == "full":
        np.testing.assert_allclose(out[1, 2], discrete.convolve(x[1], bank[2]),
                                   rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("method", ["fft", "os", "oa"])
def test_geometry_options(method):
    rng = np.random.default_rng(5)
    bank = rng.standard_normal((2, 3, 4))
    x = rng.standard_normal((20, 17))
    kw = dict(stride=(2, 3), dilation=(1, 2), boundary="reflect", center="ndimage")
    conv = sigconv.Convolver(bank, x.shape, "same", method=method, op="correlate", **kw)
    out = conv(x)
    for j in range(2):
        ref = sigconv.correlate(x, bank[j], "same", method="direct", **kw)
        np.testing.assert_allclose(out[j], ref, rtol=1e-10, atol=1e-10)


def test_single_kernel_and_reuse():
    rng = np.random.default_rng(6)
    k = rng.standard_normal(9)
    conv = sigconv.Convolver(k, (300,), "same", method="fft")
    assert conv.output_shape == (300,)
    first_x = rng.standard_normal(300)
    first = conv(first_x)
    keep = first.copy()
    for _ in range(3):
        x = rng.standard_normal(300)
        np.testing.assert_allclose(conv(x), np.convolve(x, k, "same"), atol=1e-12)
    np.testing.assert_array_equal(first, keep)
    np.testing.assert_allclose(first, np.convolve(first_x, k, "same"), atol=1e-12)


def test_one_forward_transform_for_the_whole_bank(monkeypatch):
    """K kernels share one forward transform of the input; kernel spectra are cached."""
    rng = np.random.default_rng(7)
    bank = rng.standard_normal((16, 7, 7))
    conv = sigconv.Convolver(bank, (64, 64), "same", method="fft")
    calls = []
    real = fft_engine.transform

    def spy(kind, shape, nsp, dtype, threads, **kw):
        calls.append((kind, shape))
        return real(kind, shape, nsp, dtype, threads, **kw)

    monkeypatch.setattr(fft_engine, "transform", spy)
    x = rng.standard_normal((64, 64))
    out = conv(x)
    forward = [c for c in calls if c[0] == "r2c"]
    assert len(forward) == 1 and forward[0][1][0] == 1
    assert sum(c[1][0] for c in calls if c[0] == "c2r") == 16
    np.testing.assert_allclose(out[5], sigconv.convolve(x, bank[5], "same", method="direct"),
                               atol=1e-10)


def test_convolve_with_a_bank_uses_the_same_shared_transform():
    rng = np.random.default_rng(8)
    bank = rng.standard_normal((4, 5, 5))
    x = rng.standard_normal((40, 40))
    one_off = sigconv.convolve(x[None], bank, "same", method="fft", axes=(1, 2))
    planned = sigconv.Convolver(bank, x.shape, "same", method="fft")(x)
    np.testing.assert_allclose(one_off, planned, rtol=1e-12, atol=1e-12)


def test_integers_stay_exact_and_large_ones_go_direct():
    rng = np.random.default_rng(9)
    bank = rng.integers(-5, 5, (2, 9))
    conv = sigconv.Convolver(bank, (500,), method="fft", dtype=np.int64)
    x = rng.integers(0, 255, 500)
    out = conv(x)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out[1], np.convolve(x, bank[1]))
    big = x * 2**40
    np.testing.assert_array_equal(conv(big)[0], np.convolve(big, bank[0]))


def test_small_integers_raise_or_take_out_dtype():
    """The bound of each input is checked on its call: a Convolver planned on int8 never
    wraps an input whose result leaves int8, and ``out_dtype`` (and ``out=`` of that
    dtype) takes the exact result."""
    bank = np.array([[1, 1, 1], [1, -2, 1]], np.int8)
    x = np.array([1, 2, 3, 4, 5, 6], np.int8)
    conv = sigconv.Convolver(bank, (6,), dtype=np.int8)
    assert conv(x).dtype == np.int8
    np.testing.assert_array_equal(conv(x)[0], np.convolve(x, [1, 1, 1]))
    with pytest.raises(sigconv.IntegerOverflowError,
                       match="Convolver: the result reaches -140, outside the range of int8"):
        conv(x * 20)
    wide = sigconv.Convolver(bank, (6,), dtype=np.int8, out_dtype=np.int16)
    buf = np.empty((2, 8), np.int16)
    assert wide(x * 20, out=buf) is buf
    np.testing.assert_array_equal(buf[1], np.convolve(x.astype(int) * 20, [1, -2, 1]))
    with pytest.raises(DTypeError, match="Convolver: out must have dtype int16; got int8"):
        wide(x, out=np.empty((2, 8), np.int8))


def test_nonfinite_inputs_stay_local():
    conv = sigconv.Convolver(np.ones(3), (50,), method="fft")
    x = np.ones(50)
    x[10] = np.nan
    out = conv(x)
    assert np.isnan(out[10:13]).all() and np.isfinite(np.delete(out, [10, 11, 12])).all()


@pytest.mark.parametrize("kernels,shape,match", [
    (np.ones((2, 3)), (5, 5, 5), r"Convolver: kernels need 3 axes \(one kernel\) or 4"),
    (np.ones(3), (), "Convolver: input_shape must be non-empty"),
    (np.ones(3), 5, "Convolver: input_shape must be a tuple of ints; got 5"),
    (np.ones(8), (5,), "Convolver: in 'valid' mode the kernels"),
])
def test_construction_errors(kernels, shape, match):
    mode = "valid" if "valid" in match else "full"
    with pytest.raises(ShapeError, match=match):
        sigconv.Convolver(kernels, shape, mode)


def test_call_errors():
    conv = sigconv.Convolver(np.ones(3), (10,))
    with pytest.raises(ShapeError, match=r"Convolver: input must end with shape \(10,\); got \(11,\)"):
        conv(np.ones(11))
    with pytest.raises(DTypeError, match="Convolver: input must be numeric; got dtype <U1"):
        conv(np.array(list("abcdefghij")))
    with pytest.raises(ValueError, match="Convolver: mode must be one of"):
        sigconv.Convolver(np.ones(3), (10,), "smae")

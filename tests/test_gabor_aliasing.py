"""Gabor carriers above 0.5 cycles/sample along an array axis alias, and say so."""

import warnings

import numpy as np
import pytest

from sigconv import AliasingWarning
from sigconv.filters import gabor_bank, gabor_kernel


def test_frequency_above_nyquist_warns_with_the_alias():
    with pytest.warns(AliasingWarning, match=r"gabor_kernel: frequency 0.9 cycles/pixel puts "
                      r"0.9 cycles/pixel along array axis 1, above the Nyquist limit of 0.5: "
                      r"the sampled carrier aliases to 0.1 cycles/pixel"):
        k = gabor_kernel(0.9, sigma=2.0)
    # the warning tells the truth: the sampled carrier is the one of frequency -0.1
    x = np.arange(k.shape[1]) - k.shape[1] // 2
    row = k[k.shape[0] // 2]
    np.testing.assert_allclose(row / np.abs(row), np.exp(-2j * np.pi * 0.1 * x), atol=1e-12)


@pytest.mark.parametrize("frequency, theta, convention", [
    (0.5, 0.0, "sigconv"),               # Nyquist itself is not aliased
    (0.6, np.pi / 4, "sigconv"),         # 0.42 cycles/pixel along each axis
    (0.6, np.pi / 4, "skimage"),
    (0.3, 1.0, "opencv"),
])
def test_carriers_within_nyquist_on_every_axis_do_not_warn(frequency, theta, convention):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gabor_kernel(frequency, theta=theta, convention=convention)


@pytest.mark.parametrize("convention", ["skimage", "opencv"])
def test_other_conventions_warn_too(convention):
    with pytest.warns(AliasingWarning, match=r"along array axis 0, above the Nyquist"):
        gabor_kernel(0.7, theta=np.pi / 2, sigma=2.0, convention=convention)


def test_a_bank_warns_once_naming_each_aliased_kernel():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bank = gabor_bank([0.2, 0.7], 4)
    aliasing = [w for w in caught if issubclass(w.category, AliasingWarning)]
    assert len(aliasing) == 1
    message = str(aliasing[0].message)
    assert message.startswith("gabor_bank: 2 of 8 kernels alias; kernel 4: frequency 0.7")
    assert "kernel 6: frequency 0.7" in message and "kernel 5" not in message
    assert len(bank) == 8

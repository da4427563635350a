"""The loader of scipy's test modules (tests/scipy_suite.py) replaces what it should and
nothing else, and selects the tests that reach the replaced functions."""

import scipy.ndimage
from scipy_suite import load

from sigconv import ndimage

NAMES = ["correlate", "gaussian_filter"]


def test_shim_replaces_the_named_functions_only():
    suite = load("scipy.ndimage.tests.test_filters", "scipy.ndimage", ndimage, NAMES)
    shim = suite.module.ndimage
    assert shim.correlate is ndimage.correlate
    assert shim.gaussian_filter is ndimage.gaussian_filter
    assert shim.maximum_filter is scipy.ndimage.maximum_filter
    assert shim._ni_support is scipy.ndimage._ni_support
    # the copy's other imports and the real scipy.ndimage are untouched
    assert suite.module.np.__name__ == "numpy"
    assert scipy.ndimage.correlate is not ndimage.correlate


def test_selection_follows_helpers_and_drops_unrelated_tests():
    suite = load("scipy.ndimage.tests.test_filters", "scipy.ndimage", ndimage, NAMES)
    chosen = set(suite.selected())
    # reaches ndimage.correlate only through the helper method _validate_complex
    assert "TestNdimageFilters.test_correlate_complex_kernel" in chosen
    assert "TestNdimageFilters.test_gauss01" in chosen
    assert "TestNdimageFilters.test_rank01" not in chosen
    assert "TestNdimageFilters.test_sobel01" not in chosen       # sobel is not replaced
    exported = suite.export()
    assert not hasattr(exported["TestNdimageFilters"], "test_rank01")


def test_parametrized_cases_of_scipy_functions_are_dropped():
    suite = load("scipy.ndimage.tests.test_filters", "scipy.ndimage", ndimage, NAMES)
    marks = suite.export()["test_multiple_modes"].pytestmark
    funcs = [p.values[0] for m in marks if m.name == "parametrize" for p in m.args[1]]
    assert funcs == [ndimage.gaussian_filter]

"""scipy.ndimage's own tests of the functions sigconv.ndimage provides, run against it.

The tests of ``scipy/ndimage/tests/test_filters.py`` that call one of sigconv.ndimage's
13 functions run with ``scipy.ndimage`` replaced by a shim whose 13 functions are
sigconv's (``scipy_suite``).  The deliberate differences listed in docs/conventions.rst
("sigconv.ndimage") are strict xfails, with the reason.
"""

from scipy_suite import load

from sigconv import ndimage

WRAP = ("an integer result outside the default output dtype (the input's) raises "
        "IntegerOverflowError where scipy.ndimage wraps around; these tests compare "
        "unsigned Sobel/Prewitt results that scipy wraps")
XFAIL = {
    r"test_(sobel|prewitt)0[1-4]\[numpy-uint(8|16|32|64)\]": WRAP,
    r"test_gaussian_filter_float16\[numpy\]":
        "float16 input is filtered in float32 and returned as float16; scipy.ndimage "
        "raises RuntimeError",
    r"test_gaussian_truncate\[numpy\]":
        "a long kernel goes through an FFT-based method, whose rounding leaves values of "
        "~1e-17 where scipy's direct sums give exact zeros (the test counts non-zeros)",
}

SUITE = load("scipy.ndimage.tests.test_filters", "scipy.ndimage", ndimage, ndimage.__all__,
             xfail=XFAIL)
globals().update(SUITE.export())

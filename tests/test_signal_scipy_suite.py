"""scipy.signal's own tests of the functions sigconv offers under scipy.signal's names.

The tests of ``scipy/signal/tests/test_signaltools.py`` that call ``convolve``,
``correlate``, ``fftconvolve``, ``oaconvolve``, ``convolve2d``, ``correlate2d`` or
``correlation_lags`` run with ``scipy.signal`` replaced by a shim whose seven functions are
sigconv's (``scipy_suite``).  The deliberate differences listed in docs/conventions.rst
("Differences from scipy.signal") are strict xfails, with the reason.

In the shim every one of the seven names is sigconv's, so where a scipy test compares two
of them (``oaconvolve`` against ``fftconvolve``), neither is scipy's: tests/test_compat.py
compares each with scipy itself.
"""

from scipy_suite import load

import sigconv

NAMES = ["convolve", "correlate", "fftconvolve", "oaconvolve", "convolve2d", "correlate2d",
         "correlation_lags"]

WRAP = ("an integer result outside the result dtype (scipy's: the inputs' dtype) raises "
        "IntegerOverflowError where scipy wraps around; these tests compare int8 and uint8 "
        "correlations reaching 8272, which scipy wraps")
XFAIL = {
    r"test_(method|rank3_valid|rank3_same|rank3_all)\[numpy-u?int8\]": WRAP,
    r"test_convolve_method_large_input\[numpy\]":
        "an int64 result that can exceed 64 bits ([2**50] * [2**50]) raises "
        "IntegerOverflowError (pass out_dtype=np.float64) where scipy wraps around",
    r"test_convolve_method\[numpy\]":
        "single-precision transforms round with error relative to the largest values: at an "
        "exact zero of a complex64 result (integer * complex64, 'full') sigconv's FFT gives "
        "1.5e-6 against the test's atol=1e-6, set by experiment on scipy's FFT (7.6e-7); "
        "test_convolve_methods_agree in tests/test_compat.py runs the same comparison",
}

SUITE = load("scipy.signal.tests.test_signaltools", "scipy.signal", sigconv, NAMES,
             xfail=XFAIL)
globals().update(SUITE.export())

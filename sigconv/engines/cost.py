"""The method-choice model: estimated seconds per engine for a plan.

Pure functions of shapes, dtypes and a few constants.  The constants are measured on the
build machine (see ``benchmarks/calibrate.py``); they only need to be right to within a
factor of about two, because the decisions they drive are between costs that differ by
orders of magnitude except near the crossover, where either choice is nearly as good.
"""

import math

import numpy as np
import scipy.fft as sfft

# seconds per multiply-add of the direct engine, single thread, by dtype itemsize class
DIRECT_SECONDS_PER_MAC = {4: 0.45e-9, 8: 0.8e-9, 16: 2.2e-9, 32: 12e-9}
# seconds per (n log2 n) of a real transform, single thread
FFT_SECONDS_PER_NLOGN = {4: 0.9e-9, 8: 1.3e-9, 16: 3.0e-9, 32: 40e-9}
FIXED_SECONDS = {"direct": 15e-6, "fft": 60e-6}


def direct_seconds(out_elements, taps, itemsize, threads):
    """Estimated direct-engine time for ``out_elements`` x ``taps`` multiply-adds."""
    per = DIRECT_SECONDS_PER_MAC.get(itemsize, 1e-9)
    work = out_elements * max(taps, 1)
    eff = threads if work > (1 << 21) else 1
    return FIXED_SECONDS["direct"] + work * per / eff


def fft_seconds(sizes, batch_in, batch_kernel, batch_out, itemsize, complex_, threads):
    """Estimated FFT-engine time: two forward transforms, a product and one inverse."""
    n = math.prod(sizes)
    if n == 0:
        return FIXED_SECONDS["fft"]
    per = FFT_SECONDS_PER_NLOGN.get(itemsize, 2e-9) * (2.0 if complex_ else 1.0)
    transforms = (batch_in + batch_kernel + batch_out) * n * max(math.log2(n), 1.0) * per
    eff = min(threads, 2) if n * max(batch_out, 1) > (1 << 15) else 1
    return FIXED_SECONDS["fft"] + transforms / eff + 2e-9 * n * batch_out


def fft_exact_for_integers(max1, max2, size1, size2):
    """scipy's rule: rounding an FFT result is exact while this product stays below 2**52."""
    return max1 * max2 * min(size1, size2) < 2 ** np.finfo(np.float64).nmant


def fast_length(n):
    return sfft.next_fast_len(max(int(n), 1), real=True)

"""scipy.ndimage's linear filters, computed by sigconv's pipeline.

``from sigconv import ndimage`` in place of ``from scipy import ndimage``: the same
signatures, result dtypes and values (beyond rounding), and the same exception types for
bad arguments.  Each filter is one or more calls of :func:`sigconv.correlate` /
:func:`sigconv.convolve` (separable filters one 1-D pass per axis), whose 'auto' method
picks direct sums or FFT-based methods and uses the machine's cores.  The differences
that remain are listed in docs/conventions.rst ("sigconv.ndimage").
"""

from ._derivatives import gaussian_gradient_magnitude, gaussian_laplace, laplace, prewitt, sobel
from ._linear import convolve, convolve1d, correlate, correlate1d
from ._smooth import gaussian_filter, gaussian_filter1d, uniform_filter, uniform_filter1d

__all__ = [
    "convolve", "correlate", "convolve1d", "correlate1d",
    "gaussian_filter", "gaussian_filter1d", "uniform_filter", "uniform_filter1d",
    "sobel", "prewitt", "laplace", "gaussian_laplace", "gaussian_gradient_magnitude",
]

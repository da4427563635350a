"""sigconv: convolution treated mathematically and computed fast."""

from ._errors import (ArgumentError, DTypeError, IntegerOverflowError, ModelFormatError,
                      NonFiniteFFTWarning, PerformanceWarning, PrecisionWarning,
                      ResourceLimitError, SigconvError, ShapeError, WisdomError)
from ._convolve import MethodChoice, choose_method, convolve, correlate
from ._convolver import Convolver
from ._compat import convolve2d, correlate2d, correlation_lags, fftconvolve, oaconvolve
from . import (continuous, definitions, distributed, fft, filters, matrices, ndimage, nn,
               properties)

__version__ = "0.1.0"

__all__ = [
    "convolve", "correlate", "choose_method", "MethodChoice", "Convolver",
    "fftconvolve", "oaconvolve", "convolve2d", "correlate2d", "correlation_lags",
    "continuous", "definitions", "distributed", "fft", "filters", "matrices", "ndimage", "nn",
    "properties",
    "SigconvError", "ShapeError", "DTypeError", "ResourceLimitError", "ModelFormatError",
    "WisdomError", "IntegerOverflowError", "NonFiniteFFTWarning", "PrecisionWarning",
    "PerformanceWarning", "ArgumentError",
]

"""sigconv: convolution treated mathematically and computed fast."""

from ._errors import (AliasingWarning, ArgumentError, ConversionWarning, DTypeError,
                      IntegerOverflowError, ModelFormatError, NonFiniteFFTWarning,
                      PerformanceWarning, PrecisionWarning, ResourceLimitError, SigconvError,
                      ShapeError, WisdomError)
from ._convolve import MethodChoice, choose_method, convolve, correlate
from ._options import get_options, options, set_options
from ._convolver import Convolver
from ._compat import convolve2d, correlate2d, correlation_lags, fftconvolve, oaconvolve
from . import (continuous, definitions, distributed, fft, filters, kernels, matrices,
               ndimage, nn, properties)
from ._tune import tune
from . import _warm

__version__ = "0.1.0"

_warm.warm_up()

__all__ = [
    "convolve", "correlate", "choose_method", "MethodChoice", "Convolver",
    "set_options", "get_options", "options", "tune",
    "fftconvolve", "oaconvolve", "convolve2d", "correlate2d", "correlation_lags",
    "continuous", "definitions", "distributed", "fft", "filters", "kernels", "matrices",
    "ndimage", "nn", "properties",
    "SigconvError", "ShapeError", "DTypeError", "ResourceLimitError", "ModelFormatError",
    "WisdomError", "IntegerOverflowError", "NonFiniteFFTWarning", "PrecisionWarning",
    "PerformanceWarning", "ConversionWarning", "AliasingWarning", "ArgumentError",
]

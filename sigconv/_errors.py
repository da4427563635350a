"""The error and warning vocabulary of sigconv.

Every exception raised on purpose by sigconv derives from :class:`SigconvError` and from the
builtin that a Python user would already catch (``ValueError``, ``TypeError``, ...), so
``except ValueError`` keeps working for code that migrates from scipy.
"""

__all__ = [
    "SigconvError", "ShapeError", "DTypeError", "ResourceLimitError", "ModelFormatError",
    "WisdomError", "IntegerOverflowError", "NonFiniteFFTWarning", "PrecisionWarning",
    "PerformanceWarning", "ConversionWarning", "AliasingWarning", "ArgumentError",
]


class SigconvError(Exception):
    """Base class of every error sigconv raises on purpose."""


class ShapeError(SigconvError, ValueError):
    """Array shapes (or axes) that do not fit the operation."""


class DTypeError(SigconvError, TypeError):
    """A dtype sigconv cannot convolve (object, strings, datetimes, ...)."""


class ResourceLimitError(SigconvError, MemoryError):
    """The operation would need more memory than the configured limit."""


class ModelFormatError(SigconvError, ValueError):
    """A model file that is corrupt, hostile or inconsistent."""


class WisdomError(SigconvError, RuntimeError):
    """FFTW wisdom that cannot be loaded or saved."""


class ArgumentError(SigconvError, ValueError, RuntimeError):
    """A bad argument that scipy reports with ``RuntimeError`` (sigconv.ndimage: a mode
    scipy.ndimage does not know, a sequence of the wrong length, weights or an output of
    the wrong shape); catching either ``ValueError`` or ``RuntimeError`` works."""


class IntegerOverflowError(SigconvError, OverflowError):
    """An exact integer result that would not fit the integer result type."""


class NonFiniteFFTWarning(RuntimeWarning):
    """Non-finite inputs met a transform-based method."""


class PrecisionWarning(RuntimeWarning):
    """A computation runs with less precision than the inputs carry."""


class PerformanceWarning(RuntimeWarning):
    """An explicitly requested method is expected to be far slower than the alternatives."""


class ConversionWarning(UserWarning):
    """Data was converted on the way in or out (colour to grey, complex to magnitude)."""


class AliasingWarning(UserWarning):
    """A frequency above the Nyquist limit of 0.5 cycles per sample was asked for."""

"""The defining sums of convolution, written plainly (the oracle of the tests)."""

from . import discrete

__all__ = ["discrete"]

"""The defining sums and integrals of convolution, written plainly (the oracle of the tests)."""

from . import discrete
from . import continuous, pairs

__all__ = ["discrete", "continuous", "pairs"]

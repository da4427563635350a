"""``sigconv.continuous``: the convolution integral, its sampled form, closed-form pairs.

The implementation lives in :mod:`sigconv.definitions.continuous` (beside the discrete
sums); this module is its public name.  ``pairs`` holds the closed-form reference pairs.
"""

from .definitions import pairs
from .definitions.continuous import (FAILURE_POLICIES, QUADRATURE_METHODS, RULES,
                                     QuadratureError, QuadratureWarning, convolve, sampled)

__all__ = ["convolve", "sampled", "pairs", "QuadratureError", "QuadratureWarning",
           "QUADRATURE_METHODS", "RULES", "FAILURE_POLICIES"]

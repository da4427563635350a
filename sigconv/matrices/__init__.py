"""Convolution as matrix multiplication.

A convolution is a linear map, so it is a matrix: Toeplitz in 1-D, doubly-block Toeplitz in
2-D, N-level block Toeplitz in N-D, and (block) circulant for periodic boundaries.  This
module builds that matrix for any number of dimensions and every mode, boundary, centre,
stride and dilation of :func:`sigconv.convolve`, as a sparse matrix, a dense array or a
matrix-free ``LinearOperator`` with an exact adjoint.

``MAX_BYTES`` (default 2 GiB) is the memory limit for a dense matrix, and for building a
sparse one, when no ``max_bytes=`` is given; larger requests raise ``ResourceLimitError``
before allocating (the ``'operator'`` format stores only the kernel).
"""

from ._build import ConvolutionOperator
from ._efficiency import EfficiencyTable, FormCost, efficiency_table
from ._forms import (block_circulant, circulant, circulant_eigenvalues, convolution_matrix,
                     doubly_block_circulant, doubly_block_toeplitz, toeplitz)

MAX_BYTES = 2 * 1024 ** 3

__all__ = [
    "convolution_matrix", "toeplitz", "doubly_block_toeplitz", "circulant",
    "doubly_block_circulant", "block_circulant", "circulant_eigenvalues",
    "efficiency_table", "EfficiencyTable", "FormCost", "ConvolutionOperator",
    "MAX_BYTES",
]

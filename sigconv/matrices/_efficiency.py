"""What a convolution costs as a convolution, as a dense matrix and as a sparse matrix."""

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._geometry import axis_maps, geometry, shape_arg


class FormCost(NamedTuple):
    """Storage and arithmetic of one way of applying a linear map."""
    form: str
    stored_floats: int
    operations: int


@dataclass(frozen=True)
class EfficiencyTable:
    """The three rows of :func:`efficiency_table`; ``print`` it for a table."""
    input_shape: tuple
    kernel_shape: tuple
    output_shape: tuple
    mode: str
    convolution: FormCost
    dense: FormCost
    sparse: FormCost

    @property
    def rows(self):
        return (self.convolution, self.dense, self.sparse)

    def __str__(self):
        head = (f"input {_dims(self.input_shape)}, kernel {_dims(self.kernel_shape)}, "
                f"mode {self.mode!r} -> output {_dims(self.output_shape)}")
        cells = [("form", "stored floats", "operations (* and +)")]
        cells += [(r.form, f"{r.stored_floats:,}", f"{r.operations:,}") for r in self.rows]
        widths = [max(len(c[i]) for c in cells) for i in range(3)]
        lines = [f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}" for a, b, c in cells]
        return "\n".join([head] + lines)

    __repr__ = __str__


def _dims(shape):
    return "x".join(str(n) for n in shape)


def efficiency_table(input_shape, kernel_shape, mode="valid", *, boundary="constant",
                     center="scipy", stride=1, dilation=1):
    """Stored floats and operations of a convolution, its dense matrix and its sparse matrix.

    Parameters
    ----------
    input_shape, kernel_shape : int or tuple of int
    mode : {'full', 'same', 'valid'}
    boundary, center, stride, dilation
        As in :func:`convolution_matrix` (the counts assume a kernel with no zero tap).

    Returns
    -------
    EfficiencyTable
        Rows ``convolution``, ``dense`` and ``sparse``, each a
        ``FormCost(form, stored_floats, operations)``; ``print`` shows the table.

    Notes
    -----
    An output that sums ``t`` products costs ``t`` multiplies and ``t - 1`` adds.  With
    ``K`` kernel taps, ``O`` outputs, ``N`` inputs and ``nnz`` stored matrix entries
    (the taps that read an input sample, after merging taps that a boundary rule sends to
    the same sample), over ``R`` rows that hold at least one entry:

    * convolution: ``K`` floats, ``O (2K - 1)`` operations (every tap of every output,
      on the extended input);
    * dense matrix: ``O N`` floats, ``O (2N - 1)`` operations;
    * sparse matrix: ``nnz`` floats (values; CSR adds ``nnz + O + 1`` integer indices),
      ``2 nnz - R`` operations.

    The counts are computed from the index structure, one axis at a time (the N-D
    structure is their tensor product); nothing of matrix size is built.

    Examples
    --------
    The edge-detection example of Goodfellow, Bengio and Courville, *Deep Learning*, 9.1:

    >>> from sigconv.matrices import efficiency_table
    >>> print(efficiency_table((320, 280), (2, 1)))
    input 320x280, kernel 2x1, mode 'valid' -> output 319x280
    form           stored floats  operations (* and +)
    convolution                2               267,960
    dense matrix   8,003,072,000        16,006,054,680
    sparse matrix        178,640               267,960
    """
    func = "efficiency_table"
    ishape = shape_arg(input_shape, "input_shape", func)
    kshape = shape_arg(kernel_shape, "kernel_shape", func)
    geom = geometry(kshape, ishape, mode, "convolve", boundary, 0, center, stride, dilation,
                    func)
    outputs, inputs = geom.shape
    taps = math.prod(kshape)
    nnz, busy_rows = 1, 1
    for cols, inside in axis_maps(geom):
        distinct = _distinct_per_row(cols, inside)
        nnz *= int(distinct.sum())
        busy_rows *= int(np.count_nonzero(distinct))
    return EfficiencyTable(
        ishape, kshape, geom.output_shape, geom.mode,
        FormCost("convolution", taps, _ops(outputs, taps)),
        FormCost("dense matrix", outputs * inputs, _ops(outputs, inputs)),
        FormCost("sparse matrix", nnz, 2 * nnz - busy_rows if nnz else 0))


def _ops(rows, terms):
    return rows * (2 * terms - 1) if terms else 0


def _distinct_per_row(cols, inside):
    """Number of distinct input samples each output row reads along one axis."""
    if cols.size == 0:
        return np.zeros(cols.shape[0], dtype=np.int64)
    s = np.sort(np.where(inside, cols, -1), axis=1)
    new = np.ones(s.shape, dtype=bool)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    return np.count_nonzero(new & (s >= 0), axis=1)

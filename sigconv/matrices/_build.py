"""Builders: the sparse matrix (vectorized), its dense form, and the matrix-free operator.

The engines of this subpackage take a validated ``Geometry`` and the correlation-orientation
kernel ``kc``; they never parse strings or read settings.
"""

import math

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import LinearOperator

from .._convolve import convolve, correlate
from .._errors import ResourceLimitError
from ._geometry import axis_maps, extension_maps

_INT32_MAX = 2 ** 31 - 1


def sparse_matrix(geom, kc, dtype):
    """The CSR matrix of ``geom`` with kernel ``kc``, built without a loop over rows.

    Every (output, tap) pair is laid out on a grid of shape ``output_shape + kernel_shape``
    (C order, so rows come out sorted); the column of a pair is the sum over axes of the
    per-axis input index times the input's stride.  Pairs that read zero padding, and
    zero taps, are dropped.
    """
    rows, ncols = geom.shape
    taps = math.prod(geom.kernel_shape)
    idx = np.int32 if _index_itemsize(geom) == 4 else np.int64
    maps = axis_maps(geom)
    nd = len(maps)
    instrides = _c_strides(geom.input_shape)
    cols = np.zeros((1,) * (2 * nd), dtype=idx)
    inside = np.ones((1,) * (2 * nd), dtype=bool)
    for a, (c, ok) in enumerate(maps):
        cols = cols + _on_grid(c.astype(idx) * idx(instrides[a]), a, nd)
        inside = inside & _on_grid(ok, a, nd)
    grid = tuple(geom.output_shape) + tuple(geom.kernel_shape)
    inside = inside & (kc != 0).reshape((1,) * nd + kc.shape)
    cols = cols.reshape(rows, taps)      # every axis contributed its (outputs, taps) extents
    values = kc.astype(dtype).reshape(1, taps)
    indptr = np.zeros(rows + 1, dtype=idx)
    if inside.all():     # no tap reads zero padding: every row holds every tap
        indptr[1:] = np.arange(1, rows + 1, dtype=idx) * idx(taps)
        data, indices = np.tile(values, (rows, 1)).reshape(-1), cols.reshape(-1)
    else:
        inside = np.broadcast_to(inside, grid).reshape(rows, taps)
        np.cumsum(np.count_nonzero(inside, axis=1), out=indptr[1:])
        data, indices = np.broadcast_to(values, (rows, taps))[inside], cols[inside]
    matrix = sparse.csr_array((data, indices, indptr), shape=(rows, ncols))
    if not all(_strictly_increasing(c, ok) for c, ok in maps):
        matrix.sum_duplicates()   # boundary rules can read one sample through several taps
        matrix.eliminate_zeros()
    return matrix


def _c_strides(shape):
    """Element strides of a C-ordered array of ``shape``."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return strides[::-1]


def _on_grid(arr, axis, nd):
    """An ``(out_len, k)`` table of ``axis`` reshaped to broadcast on the (outputs, taps) grid."""
    shape = [1] * (2 * nd)
    shape[axis], shape[nd + axis] = arr.shape
    return arr.reshape(shape)


def _strictly_increasing(cols, inside):
    """True if along every row the columns read by the taps increase (sorted, no repeats)."""
    if cols.shape[1] < 2:
        return True
    return bool(np.all((np.diff(cols, axis=1) > 0) | ~inside[:, 1:] | ~inside[:, :-1]))


def _index_itemsize(geom):
    rows, ncols = geom.shape
    taps = math.prod(geom.kernel_shape)
    return 4 if max(rows * taps, ncols, rows + 1) <= _INT32_MAX else 8


def check_memory(geom, dtype, format, max_bytes, func):
    """Refuse, before anything is allocated, a matrix that needs more than ``max_bytes``.

    A dense matrix needs ``rows * columns * itemsize``; building the sparse one (also the
    first step of the dense one) about ``2 (itemsize + index size) + 1`` bytes per
    (output, tap) pair, the index grid and the values it is gathered from.
    """
    rows, ncols = geom.shape
    itemsize = np.dtype(dtype).itemsize
    if format == "dense" and rows * ncols * itemsize > max_bytes:
        raise ResourceLimitError(
            f"{func}: a dense {rows} x {ncols} {np.dtype(dtype)} matrix would need "
            f"{_human(rows * ncols * itemsize)}, over the limit of {_human(max_bytes)} "
            "(max_bytes); use format='sparse' or format='operator', or raise max_bytes")
    pairs = rows * math.prod(geom.kernel_shape)
    build = pairs * (2 * (itemsize + _index_itemsize(geom)) + 1)
    if build > max_bytes:
        raise ResourceLimitError(
            f"{func}: building the sparse {rows} x {ncols} matrix ({pairs:,} output-tap "
            f"pairs) would need about {_human(build)}, over the limit of {_human(max_bytes)} "
            "(max_bytes); use format='operator', or raise max_bytes")


def _human(nbytes):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:,} bytes" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024


class ConvolutionOperator(LinearOperator):
    """A convolution as a ``scipy.sparse.linalg.LinearOperator`` that stores only the kernel.

    Made by ``convolution_matrix(..., format='operator')`` (and the named forms).
    ``matvec`` runs :func:`sigconv.convolve` (or ``correlate``) on the reshaped vector;
    ``rmatvec`` runs the adjoint, the transposed convolution
    ``x = E^H (S^T y  *  conj(kc))``: scatter the output onto the stride grid, convolve
    fully with the conjugated correlation kernel (dilated), and fold the extended input
    back onto the input by the boundary rule (``E^H``: crop for zeros, add the reflected,
    repeated or wrapped samples onto the ones they copy).

    Attributes
    ----------
    input_shape, output_shape : tuple of int
        The shapes of the arrays whose ravel the operator maps between.
    kernel : ndarray
        The kernel as given.

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv.matrices import convolution_matrix
    >>> A = convolution_matrix([1, 2], 3, 'same', boundary='wrap', format='operator')
    >>> A.matvec(np.array([1, 0, 0]))
    array([1, 2, 0])
    >>> A.rmatvec(np.array([1, 0, 0]))
    array([1, 0, 2])
    >>> convolution_matrix([1, 2], 3, 'same', boundary='wrap').toarray()
    array([[1, 0, 2],
           [2, 1, 0],
           [0, 2, 1]])
    """

    def __init__(self, geom, kernel, kc, dtype):
        super().__init__(dtype=dtype, shape=geom.shape)
        self.geometry = geom
        self.kernel = kernel
        self.input_shape = geom.input_shape
        self.output_shape = geom.output_shape
        self._kc_adjoint = np.conj(kc) if kc.dtype.kind == "c" else kc
        self._folds = [_fold_matrix(c, ok, n) for (c, ok), n
                       in zip(extension_maps(geom), geom.input_shape)]

    def _matvec(self, x):
        g = self.geometry
        run = convolve if g.op == "convolve" else correlate
        y = run(np.reshape(x, g.input_shape), self.kernel, g.mode, boundary=g.boundary,
                center=g.center, stride=g.strides, dilation=g.dilations)
        return y.reshape(-1)

    def _rmatvec(self, y):
        g = self.geometry
        y = np.reshape(y, g.output_shape)
        dtype = np.result_type(y.dtype, self._kc_adjoint.dtype)
        if y.size == 0 or self._kc_adjoint.size == 0:
            return np.zeros(math.prod(g.input_shape), dtype=dtype)
        up = np.zeros(tuple((o - 1) * s + 1 for o, s in zip(g.output_shape, g.strides)),
                      dtype=y.dtype)
        up[tuple(slice(None, None, s) for s in g.strides)] = y
        z = convolve(up, self._kc_adjoint, "full", dilation=g.dilations)
        z = np.pad(z, [(0, e - n) for e, n in zip(g.extended_shape, z.shape)])
        for axis, fold in enumerate(self._folds):
            z = _apply_along(fold, z, axis)
        return z.reshape(-1)


def _fold_matrix(cols, inside, n):
    """The transpose of one axis's extension map, as an (n, extended) sparse matrix."""
    ext = cols.shape[0]
    rows = np.nonzero(inside[:, 0])[0]
    return sparse.csr_array((np.ones(rows.size, dtype=np.int8), (cols[rows, 0], rows)),
                            shape=(n, ext))


def _apply_along(matrix, arr, axis):
    """``matrix @ arr`` along ``axis`` of ``arr``."""
    moved = np.moveaxis(arr, axis, 0)
    flat = moved.reshape(moved.shape[0], -1)
    out = (matrix @ flat).astype(np.result_type(arr.dtype, matrix.dtype), copy=False)
    return np.moveaxis(out.reshape((matrix.shape[0],) + moved.shape[1:]), 0, axis)

"""Public entry points: ``convolution_matrix`` and the named Toeplitz / circulant forms."""

import sys

import numpy as np
import scipy.fft

from .. import _validate as V
from .._errors import ShapeError
from . import _build
from ._geometry import (FORMATS, OPS, correlation_kernel, geometry, kernel_arg, matrix_dtype,
                        shape_arg)


def convolution_matrix(kernel, input_shape, mode="full", *, op="convolve",
                       boundary="constant", fillvalue=0, center="scipy", stride=1,
                       dilation=1, format="sparse", max_bytes=None):
    """The matrix ``M`` of a convolution: ``M @ x.ravel() == convolve(x, kernel, ...).ravel()``.

    Any number of dimensions, every mode, boundary, centre, stride and dilation of
    :func:`sigconv.convolve` (or, with ``op='correlate'``, :func:`sigconv.correlate`).

    Parameters
    ----------
    kernel : array_like
        The second argument of ``convolve``; its dimensionality is that of the input.
    input_shape : int or tuple of int
        Shape of the arrays ``x`` the matrix multiplies (raveled in C order).
    mode : {'full', 'same', 'valid'}
        As in ``convolve``; in 'valid' mode a kernel larger than the input on every axis
        is handled by scipy's swap, as ``convolve`` does.
    op : {'convolve', 'correlate'}
        Convolution flips the kernel; correlation does not and conjugates it.
    boundary : str
        Extension of ``x`` (scipy.ndimage names and aliases).  A boundary-extended sample
        is an input sample (or zero), so every rule stays linear.
    fillvalue : scalar
        Must be 0 where the fill is read: a nonzero fill makes the map affine, not linear.
    center : {'scipy', 'ndimage'} or int or tuple of int
        Anchor of 'same' mode, as in ``convolve``.
    stride, dilation : int or tuple of int
        Output step and kernel tap spacing, per axis.
    format : {'sparse', 'dense', 'operator'}
        ``'sparse'``: a ``scipy.sparse.csr_array`` (built vectorized, zero taps dropped);
        ``'dense'``: an ndarray; ``'operator'``: a :class:`ConvolutionOperator`
        (``scipy.sparse.linalg.LinearOperator``) whose ``matvec`` runs the fast
        convolution and whose ``rmatvec`` is the adjoint (transposed) convolution.
    max_bytes : int, optional
        Memory limit for the dense matrix and for building the sparse one (default
        ``sigconv.matrices.MAX_BYTES``, 2 GiB); the operator stores only the kernel.

    Returns
    -------
    scipy.sparse.csr_array or ndarray or ConvolutionOperator
        Shape ``(prod(output_shape), prod(input_shape))``.  Entries are int64 for integer
        and bool kernels (exact, as ``convolve``), float32 for float16, otherwise the
        kernel's dtype.

    Raises
    ------
    ResourceLimitError
        A dense matrix, or the build of a sparse one, above ``max_bytes``; checked before
        anything is allocated.  The message gives the size and suggests 'sparse' or
        'operator'.

    Notes
    -----
    With ``kc`` the kernel in correlation orientation (flipped for convolve, conjugated
    for correlate), ``(b, a)`` the pads the mode and centre imply, ``s`` the stride, ``d``
    the dilation and ``beta`` the boundary's index map (``sigconv._padding.boundary_index``),

    .. math:: M[i, j] = \\sum_{m \\,:\\, \\beta(i s + m d - b) = j} k_c[m]

    per axis, the N-D entry being the product structure over axes (row ``i`` and column
    ``j`` are C-order ravelled multi-indices).  For ``boundary='constant'`` the indices
    that fall outside the input are dropped; for the other rules several taps may land on
    one sample (the entries add).  The 1-D 'full' matrix is Toeplitz, the 2-D one is
    doubly-block Toeplitz, and ``boundary='wrap'`` makes them (block) circulant.

    Examples
    --------
    >>> import numpy as np, sigconv
    >>> from sigconv.matrices import convolution_matrix
    >>> convolution_matrix([1, 2, 3], 4, format='dense')
    array([[1, 0, 0, 0],
           [2, 1, 0, 0],
           [3, 2, 1, 0],
           [0, 3, 2, 1],
           [0, 0, 3, 2],
           [0, 0, 0, 3]])
    >>> M = convolution_matrix([1, 2, 3], 4, 'same', boundary='reflect')
    >>> M.toarray()
    array([[5, 1, 0, 0],
           [3, 2, 1, 0],
           [0, 3, 2, 1],
           [0, 0, 3, 3]])
    >>> x = np.array([4, 0, -1, 2])
    >>> M @ x
    array([20, 11,  0,  3])
    >>> sigconv.convolve(x, [1, 2, 3], 'same', boundary='reflect')
    array([20, 11,  0,  3])
    >>> convolution_matrix([[1, 2], [3, 4]], (2, 2), 'valid', format='dense')
    array([[4, 3, 2, 1]])
    """
    return _matrix("convolution_matrix", kernel, input_shape, mode, op, boundary, fillvalue,
                   center, stride, dilation, format, max_bytes)


def _matrix(func, kernel, input_shape, mode, op, boundary, fillvalue, center, stride,
            dilation, format, max_bytes, ndim=None):
    """convolution_matrix, with errors named after the public ``func`` that was called."""
    k = kernel_arg(kernel, func, ndim)
    shape = shape_arg(input_shape, "input_shape", func)
    format = V.one_of(format, FORMATS, "format", func)
    geom = geometry(k.shape, shape, mode, op, boundary, fillvalue, center, stride, dilation,
                    func)
    dtype = matrix_dtype(k.dtype)
    if format != "operator":
        _build.check_memory(geom, dtype, format, _limit(max_bytes, func), func)
    kc = correlation_kernel(k, geom.op)
    if format == "operator":
        return _build.ConvolutionOperator(geom, k, kc, dtype)
    matrix = _build.sparse_matrix(geom, kc, dtype)
    return matrix.toarray() if format == "dense" else matrix


def _limit(max_bytes, func):
    if max_bytes is None:
        return sys.modules[__package__].MAX_BYTES
    return V.positive_int(max_bytes, "max_bytes", func, minimum=0)


def toeplitz(kernel, n, mode="full", *, op="convolve", boundary="constant", fillvalue=0,
             center="scipy", stride=1, dilation=1, format="sparse", max_bytes=None):
    """The Toeplitz matrix of a 1-D convolution: ``T @ x == convolve(x, kernel, mode)``.

    Parameters
    ----------
    kernel : array_like, 1-D
    n : int
        Length of ``x``.
    mode : {'full', 'same', 'valid'}
    op, boundary, fillvalue, center, stride, dilation, format, max_bytes
        As in :func:`convolution_matrix`.  The default format is ``'sparse'``, as everywhere
        in this module; ``format='dense'`` gives the ndarray of ``scipy.linalg``.

    Returns
    -------
    scipy.sparse.csr_array or ndarray or ConvolutionOperator

    Notes
    -----
    .. math:: T[i, j] = k[i - j] \\quad (\\text{'full'}: 0 \\le i < n + K - 1,\\ 0 \\le j < n)

    constant along every diagonal; equal to ``scipy.linalg.convolution_matrix(kernel, n,
    mode)`` whenever ``n >= len(kernel)`` (scipy's 'same' keeps ``max(n, K)`` rows).

    Examples
    --------
    >>> from sigconv.matrices import toeplitz
    >>> toeplitz([1, -1], 3, format='dense')
    array([[ 1,  0,  0],
           [-1,  1,  0],
           [ 0, -1,  1],
           [ 0,  0, -1]])
    """
    return _matrix("toeplitz", kernel, n, mode, op, boundary, fillvalue, center, stride,
                   dilation, format, max_bytes, ndim=1)


def doubly_block_toeplitz(kernel, input_shape, mode="full", *, op="convolve",
                          boundary="constant", fillvalue=0, center="scipy", stride=1,
                          dilation=1, format="sparse", max_bytes=None):
    """The doubly-block Toeplitz matrix of a 2-D convolution.

    ``D @ x.ravel() == convolve(x, kernel, mode).ravel()`` for ``x`` of ``input_shape``.

    Parameters
    ----------
    kernel : array_like, 2-D
    input_shape : tuple of two ints
    mode : {'full', 'same', 'valid'}
    op, boundary, fillvalue, center, stride, dilation, format, max_bytes
        As in :func:`convolution_matrix`.

    Returns
    -------
    scipy.sparse.csr_array or ndarray or ConvolutionOperator

    Notes
    -----
    In 'full' mode, with ``T_r`` the Toeplitz matrix of kernel row ``r`` on rows of length
    ``n1``, ``D`` is block Toeplitz with blocks ``D[I, J] = T_{I - J}``:

    .. math:: D = \\sum_r S_r \\otimes T_r, \\qquad (S_r)_{IJ} = [I - J = r]

    MATLAB's ``convmtx2(H, m, n)`` acts on column-major vectors ``X(:)``; it equals
    ``doubly_block_toeplitz(H.T, (n, m))`` (the row-major ravel of ``X.T``).

    Examples
    --------
    >>> from sigconv.matrices import doubly_block_toeplitz
    >>> doubly_block_toeplitz([[1, 2]], (2, 2), format='dense')
    array([[1, 0, 0, 0],
           [2, 1, 0, 0],
           [0, 2, 0, 0],
           [0, 0, 1, 0],
           [0, 0, 2, 1],
           [0, 0, 0, 2]])
    """
    return _matrix("doubly_block_toeplitz", kernel, input_shape, mode, op, boundary,
                   fillvalue, center, stride, dilation, format, max_bytes, ndim=2)


def block_circulant(kernel, shape, *, op="convolve", format="sparse", max_bytes=None):
    """The N-level block-circulant matrix of periodic convolution on arrays of ``shape``.

    ``C @ x.ravel() == ifftn(fftn(k_wrapped) * fftn(x)).ravel()``: the kernel's tap 0 sits
    on each output sample (no centring), and taps beyond ``shape`` wrap around.

    Parameters
    ----------
    kernel : array_like
        Same dimensionality as ``shape``; may be smaller or larger than it.
    shape : int or tuple of int
        Shape of the periodic signal.
    op : {'convolve', 'correlate'}
    format : {'sparse', 'dense', 'operator'}
    max_bytes : int, optional
        Memory limit (see :func:`convolution_matrix`).

    Returns
    -------
    scipy.sparse.csr_array or ndarray or ConvolutionOperator

    Notes
    -----
    .. math:: C[\\mathbf i, \\mathbf j] = \\sum_{\\mathbf m \\equiv \\mathbf i - \\mathbf j
              \\ (\\mathrm{mod}\\ \\mathbf n)} k[\\mathbf m]

    It is ``convolution_matrix(kernel, shape, 'same', boundary='wrap', center=0)``.  The
    DFT diagonalizes it: ``C = F^{-1} diag(lambda) F`` with ``F`` the N-D DFT and
    ``lambda`` = :func:`circulant_eigenvalues`.  For a kernel centred on its middle tap,
    use ``convolution_matrix(..., 'same', boundary='wrap')`` instead.

    Examples
    --------
    >>> from sigconv.matrices import block_circulant
    >>> block_circulant([[1, 2]], (1, 3), format='dense')
    array([[1, 0, 2],
           [2, 1, 0],
           [0, 2, 1]])
    """
    return _periodic("block_circulant", kernel, shape, op, format, max_bytes)


def circulant(kernel, n=None, *, op="convolve", format="sparse", max_bytes=None):
    """The circulant matrix of 1-D periodic convolution (length ``n``, default ``len(kernel)``).

    Equal to ``scipy.linalg.circulant(kernel)`` when ``n == len(kernel)``.

    Parameters
    ----------
    kernel : array_like, 1-D
    n : int, optional
    op, format, max_bytes
        As in :func:`block_circulant`.

    Returns
    -------
    scipy.sparse.csr_array or ndarray or ConvolutionOperator

    Notes
    -----
    .. math:: C[i, j] = \\sum_{m \\equiv i - j \\ (\\mathrm{mod}\\ n)} k[m]

    Examples
    --------
    >>> from sigconv.matrices import circulant
    >>> circulant([1, 2, 3], format='dense')
    array([[1, 3, 2],
           [2, 1, 3],
           [3, 2, 1]])
    """
    k = kernel_arg(kernel, "circulant", ndim=1)
    return _periodic("circulant", k, k.shape if n is None else n, op, format, max_bytes,
                     ndim=1)


def doubly_block_circulant(kernel, shape, *, op="convolve", format="sparse", max_bytes=None):
    """The doubly-block circulant matrix of 2-D periodic convolution on ``shape`` arrays.

    Parameters
    ----------
    kernel : array_like, 2-D
    shape : tuple of two ints
    op, format, max_bytes
        As in :func:`block_circulant`.

    Returns
    -------
    scipy.sparse.csr_array or ndarray or ConvolutionOperator

    Notes
    -----
    Block circulant with circulant blocks: ``C = sum_r P_r (x) C_r``, ``P_r`` the cyclic
    shift by ``r`` rows and ``C_r`` the circulant of kernel row ``r``; diagonalized by the
    2-D DFT, ``F = F_{n0} (x) F_{n1}``.

    Examples
    --------
    >>> from sigconv.matrices import doubly_block_circulant
    >>> doubly_block_circulant([[1, 2], [3, 4]], (2, 2), format='dense')
    array([[1, 2, 3, 4],
           [2, 1, 4, 3],
           [3, 4, 1, 2],
           [4, 3, 2, 1]])
    """
    return _periodic("doubly_block_circulant", kernel, shape, op, format, max_bytes, ndim=2)


def _periodic(func, kernel, shape, op, format, max_bytes, ndim=None):
    """Periodic convolution with tap 0 on each output: 'same', 'wrap', centre 0."""
    return _matrix(func, kernel, shape, "same", op, "wrap", 0, 0, 1, 1, format, max_bytes,
                   ndim)


def circulant_eigenvalues(kernel, shape=None, *, op="convolve"):
    """Eigenvalues of the (block-)circulant matrix: the DFT of the wrapped kernel.

    Parameters
    ----------
    kernel : array_like
    shape : int or tuple of int, optional
        Shape of the periodic signal (default the kernel's shape).  The kernel is
        zero-padded to it, or wrapped (taps added modulo ``shape``) where larger.
    op : {'convolve', 'correlate'}
        Correlation conjugates the eigenvalues.

    Returns
    -------
    ndarray, complex, of shape ``shape``
        ``lambda`` with ``C = F^{-1} diag(lambda.ravel()) F``, ``F`` the N-D DFT of
        C-order ravelled arrays: the eigenvector of ``lambda[f]`` is the Fourier mode
        ``exp(2j*pi*sum(f*j/n))``.

    Notes
    -----
    .. math:: \\lambda[\\mathbf f] = \\sum_{\\mathbf m} k[\\mathbf m]\\,
              e^{-2\\pi i \\sum_a f_a m_a / n_a}

    Examples
    --------
    >>> from sigconv.matrices import circulant_eigenvalues
    >>> circulant_eigenvalues([1, 1], 4)
    array([2.+0.j, 1.-1.j, 0.+0.j, 1.+1.j])
    """
    func = "circulant_eigenvalues"
    k = kernel_arg(kernel, func)
    shape = k.shape if shape is None else shape_arg(shape, "shape", func)
    op = V.one_of(op, OPS, "op", func)
    if len(shape) != k.ndim:
        raise ShapeError(f"{func}: kernel and shape must have the same number of dimensions; "
                         f"got kernel shape {k.shape} and shape {shape}")
    wrapped = np.zeros(shape, dtype=np.result_type(k.dtype, np.float64))
    if all(shape):
        np.add.at(wrapped, np.ix_(*(np.arange(m) % n for m, n in zip(k.shape, shape))), k)
    eig = scipy.fft.fftn(wrapped)
    return np.conj(eig) if op == "correlate" else eig


"""Hypothesis strategies for property tests of convolution code (yours and sigconv's).

Needs the optional dependency hypothesis (``pip install sigconv[test]``)::

    from hypothesis import given
    from sigconv.testing import convolution_pairs
    from sigconv.properties import check_commutative

    @given(convolution_pairs(ndim=2, dtype="float32"))
    def test_commutes(pair):
        assert check_commutative(*pair).holds

Dtypes are named by family or given as numpy dtypes: ``'int'`` (int64), ``'float32'``,
``'float64'``, ``'complex'`` (complex128), or anything ``numpy.dtype`` accepts among
bool, integer, float and complex.  Elements are finite and bounded (``|x| <= bound``, 8 for
integers by default and 100 for floats) so that products neither overflow nor cancel
catastrophically; shapes have 1 to ``max_side`` samples per axis.
"""

try:
    import hypothesis.strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as exc:  # pragma: no cover - exercised with hypothesis hidden
    raise ImportError(
        "sigconv.testing needs the optional dependency hypothesis; install it with "
        "`pip install sigconv[test]` or `pip install hypothesis`") from exc

import numpy as np

__all__ = ["arrays", "kernels", "convolution_pairs", "dtypes", "DTYPE_FAMILIES"]

DTYPE_FAMILIES = {"int": np.int64, "float32": np.float32, "float64": np.float64,
                  "complex": np.complex128}


def _dtype(dtype):
    if isinstance(dtype, str) and dtype in DTYPE_FAMILIES:
        return np.dtype(DTYPE_FAMILIES[dtype])
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"sigconv.testing: dtype must be one of {sorted(DTYPE_FAMILIES)} or "
                         f"a numeric numpy dtype; got {dtype!r}") from None
    if dt.kind not in "biufc":
        raise ValueError(f"sigconv.testing: dtype must be numeric; got {dt}")
    return dt


def _check_sides(func, min_side, max_side, ndim):
    if not (isinstance(ndim, int) and ndim >= 1):
        raise ValueError(f"sigconv.testing.{func}: ndim must be an int >= 1; got {ndim!r}")
    if not (isinstance(min_side, int) and isinstance(max_side, int) and 1 <= min_side <= max_side):
        raise ValueError(f"sigconv.testing.{func}: need 1 <= min_side <= max_side; got "
                         f"{min_side!r} and {max_side!r}")


def _elements(dt, bound):
    if dt.kind == "b":
        return st.booleans()
    if dt.kind in "iu":
        info = np.iinfo(dt)
        b = 8 if bound is None else int(bound)
        return st.integers(max(info.min, -b), min(info.max, b))
    b = 100.0 if bound is None else float(bound)
    real_size = dt.itemsize // 2 if dt.kind == "c" else dt.itemsize
    width = {2: 16, 4: 32}.get(real_size, 64)
    real = st.floats(-b, b, allow_nan=False, allow_infinity=False, width=width)
    if dt.kind == "c":
        return st.builds(complex, real, real)
    return real


def dtypes():
    """Strategy over the dtype families: int64, float32, float64, complex128.

    Returns
    -------
    hypothesis strategy of numpy.dtype

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(dtypes())
    ... def test(dt):
    ...     assert dt.kind in 'ifc'
    >>> test()
    """
    return st.sampled_from([np.dtype(v) for v in DTYPE_FAMILIES.values()])


def arrays(*, ndim=1, dtype="float64", min_side=1, max_side=16, bound=None):
    """Strategy for finite, bounded arrays with ``ndim`` axes of 1..``max_side`` samples.

    Parameters
    ----------
    ndim : int
    dtype : str or dtype
        A family name (``'int'``, ``'float32'``, ``'float64'``, ``'complex'``) or a numeric
        numpy dtype.
    min_side, max_side : int
        Range of the length of each axis.
    bound : float, optional
        Largest magnitude of the real (and imaginary) parts.

    Returns
    -------
    hypothesis strategy of ndarray

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(arrays(ndim=2, dtype='int', max_side=4))
    ... def test(a):
    ...     assert a.ndim == 2 and a.dtype == np.int64 and abs(a).max() <= 8
    >>> test()
    """
    _check_sides("arrays", min_side, max_side, ndim)
    dt = _dtype(dtype)
    shape = hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side, max_side=max_side)
    return hnp.arrays(dt, shape, elements=_elements(dt, bound))


def kernels(*, ndim=1, dtype="float64", max_side=5, bound=None):
    """Strategy for small kernels: like :func:`arrays` with sides 1..``max_side`` (5).

    Parameters
    ----------
    ndim : int
    dtype : str or dtype
        A family name or a numeric numpy dtype.
    max_side : int
        Longest side.
    bound : float, optional
        Largest magnitude of the real (and imaginary) parts.

    Returns
    -------
    hypothesis strategy of ndarray

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(kernels(dtype='complex'))
    ... def test(k):
    ...     assert k.dtype == np.complex128 and 1 <= k.size <= 5
    >>> test()
    """
    return arrays(ndim=ndim, dtype=dtype, min_side=1, max_side=max_side, bound=bound)


def convolution_pairs(*, ndim=1, dtype="float64", max_side=16, max_kernel_side=5, bound=None):
    """Strategy for ``(in1, in2)``: a signal and a kernel of the same dimensionality.

    Parameters
    ----------
    ndim : int
        Dimensionality of both arrays.
    dtype : str or dtype, or a pair of them
        One dtype for both, or ``(dtype1, dtype2)`` for mixed-dtype pairs.
    max_side, max_kernel_side : int
        Longest side of the signal and of the kernel.
    bound : float, optional
        Largest magnitude of the real (and imaginary) parts.

    Returns
    -------
    hypothesis strategy of tuple (ndarray, ndarray)

    Examples
    --------
    >>> from hypothesis import given
    >>> import sigconv
    >>> @given(convolution_pairs(ndim=2, dtype='int'))
    ... def test(pair):
    ...     a, b = pair
    ...     assert sigconv.convolve(a, b).shape == tuple(np.add(a.shape, b.shape) - 1)
    >>> test()
    """
    d1, d2 = (dtype, dtype) if isinstance(dtype, (str, np.dtype, type)) else tuple(dtype)
    return st.tuples(arrays(ndim=ndim, dtype=d1, max_side=max_side, bound=bound),
                     kernels(ndim=ndim, dtype=d2, max_side=max_kernel_side, bound=bound))

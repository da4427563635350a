"""Parameter descriptions shared by the docstrings of sigconv.ndimage (one copy each).

A docstring names a fragment as ``%(mode)s``; :func:`fill` substitutes it, indented to
the parameter list.
"""

import textwrap

_FRAGMENTS = {
    "input": """\
input : array_like
    The input array (bool, integer, float or complex).""",
    "axis": """\
axis : int, optional
    The axis of `input` along which to filter. Default is -1.""",
    "output": """\
output : array or dtype, optional
    The array in which to place the output (of the input's shape; it may be the input
    itself), or the dtype of the returned array. By default the input's dtype.
    Integer outputs are truncated toward zero as in scipy.ndimage; values outside
    their range saturate (scipy.ndimage wraps around).""",
    "mode": """\
mode : {'reflect', 'constant', 'nearest', 'mirror', 'wrap', 'grid-mirror', \
'grid-constant', 'grid-wrap'}, optional
    How `input` is extended beyond its edges: 'reflect' (d c b a | a b c d), 'constant'
    (k k k k | a b c d, with k = `cval`), 'nearest' (a a a a | a b c d), 'mirror'
    (d c b | a b c d), 'wrap' (a b c d | a b c d); 'grid-mirror', 'grid-constant' and
    'grid-wrap' are synonyms of 'reflect', 'constant' and 'wrap'. Default 'reflect'.""",
    "mode_multiple": """\
mode : str or sequence of str, optional
    How `input` is extended beyond its edges, one of 'reflect' (default), 'constant',
    'nearest', 'mirror', 'wrap', 'grid-mirror', 'grid-constant', 'grid-wrap' (see
    :func:`correlate1d`); a sequence gives one mode per filtered axis.""",
    "cval": """\
cval : scalar, optional
    The value beyond the edges for mode 'constant'. Default 0.0.""",
    "origin": """\
origin : int, optional
    Shift of the filter: the tap ``size // 2 + origin`` sits on each output sample.
    ``-(size // 2) <= origin <= (size - 1) // 2``. Default 0.""",
    "origin_multiple": """\
origin : int or sequence of int, optional
    Shift of the filter per filtered axis: the tap ``size // 2 + origin`` of that axis
    sits on each output sample. Default 0.""",
    "axes": """\
axes : int or tuple of int, optional
    The axes to filter (default all); sequences given for the other arguments have
    one entry per axis in this order.""",
    "sigma_multiple": """\
sigma : scalar or sequence of scalars
    Standard deviation of the Gaussian per filtered axis.""",
    "gaussian_kwargs": """\
**kwargs
    ``truncate`` and ``radius``, passed to :func:`gaussian_filter`.""",
    "missing": """\
mask : array_like of bool, optional
    True marks a missing sample of `input` (as numpy.ma and astropy). Keyword only, like
    the three below, which scipy.ndimage does not have.
nan_policy : {'propagate', 'raise', 'interpolate', 'fill'}, optional
    'interpolate' and 'fill' make non-finite samples missing; missing samples are
    interpolated by normalized convolution (or replaced by `cval` with 'fill'), as in
    :func:`sigconv.convolve`. Default 'propagate'.
preserve_nan : bool, optional
    NaN at the missing samples in the result.
min_weight : float, optional
    NaN where the weight (the kernel's mass on valid samples) is below it. With
    missing data the default output dtype is the input's float dtype (float64 for
    integers).""",
    "returns": """\
ndarray
    The filtered array, of the input's shape (the `output` array when one is given).""",
}


def fill(func):
    """Substitute the ``%(name)s`` fragments of ``func``'s docstring."""
    doc = func.__doc__
    indent = "    "
    func.__doc__ = doc % {k: textwrap.indent(v, indent).lstrip()
                          for k, v in _FRAGMENTS.items()}
    return func

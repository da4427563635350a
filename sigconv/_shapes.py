"""Output shapes per mode, anchors (centering), padding and stride/dilation arithmetic.

Everything here is pure integer arithmetic on shapes.  Internally sigconv computes every
convolution as a *valid cross-correlation of a padded input*:

    out[i] = sum_m  xp[i*stride + m*dilation] * kc[m],    xp = pad(x, (before, after))

where ``kc`` is the kernel in correlation orientation (flipped for convolution, conjugated
for correlation).  A mode, a centre and a boundary only decide ``before``/``after``.
"""

import numpy as np

from ._errors import ShapeError


def effective_size(k, dilation):
    """Extent of a kernel of ``k`` taps spaced ``dilation`` apart: ``dilation*(k-1)+1``."""
    return dilation * (k - 1) + 1


def output_length(n, before, after, ke, stride):
    """``floor((n + before + after - ke) / stride) + 1``, clipped at 0."""
    span = n + before + after - ke
    return span // stride + 1 if span >= 0 else 0


def anchor(center, op, k, dilation, axis_pos, func):
    """Index, in the dilated kernel, of the tap that sits on each output sample.

    ``'scipy'``: ``(ke-1)//2`` for convolve and ``ke//2`` for correlate (scipy.signal and
    numpy ``'same'``).  ``'ndimage'``: ``ke//2`` for both (scipy.ndimage with origin 0,
    MATLAB ``conv(..., 'same')``).  An int (or one int per axis) names the kernel tap itself.
    """
    ke = effective_size(k, dilation)
    if center == "scipy":
        return (ke - 1) // 2 if op == "convolve" else ke // 2
    if center == "ndimage":
        return ke // 2
    tap = center[axis_pos]
    if not 0 <= tap < k:
        raise ValueError(f"{func}: center tap {tap} is outside a kernel of {k} taps on "
                         f"convolution axis {axis_pos}")
    return tap * dilation


def mode_pads(mode, op, ke, anchor_index):
    """(before, after) padding that turns ``mode`` into a valid correlation."""
    if mode == "full":
        return ke - 1, ke - 1
    if mode == "valid":
        return 0, 0
    if op == "convolve":
        return ke - 1 - anchor_index, anchor_index
    return anchor_index, ke - 1 - anchor_index


def valid_swap_needed(shape1, shape2, axes, func):
    """scipy's rule for ``mode='valid'``: swap when in2 is at least as large everywhere.

    Raises ShapeError when neither input is at least as large as the other on every
    convolution axis.
    """
    ok1 = all(shape1[a] >= shape2[a] for a in axes)
    ok2 = all(shape2[a] >= shape1[a] for a in axes)
    if not (ok1 or ok2):
        raise ShapeError(
            f"{func}: for 'valid' mode, one must be at least as large as the other in every "
            f"dimension; got shapes {tuple(shape1)} and {tuple(shape2)}")
    return not ok1


def full_length(n, k):
    """Length of the full convolution of lengths ``n`` and ``k`` (0 if either is empty)."""
    return n + k - 1 if n and k else 0


def broadcast(a, b):
    """``np.broadcast_shapes(a, b)`` of two shape tuples, without its cost in the common
    cases (equal shapes, or one of them empty), which every transform call meets.

    >>> broadcast((3, 1), (4,)), broadcast((), (2,)), broadcast((5,), (5,))
    ((3, 4), (2,), (5,))
    """
    if a == b or not b:
        return a
    if not a:
        return b
    return np.broadcast_shapes(a, b)


def as_plane(spatial):
    """A 1-D spatial tuple (a shape, strides or dilations) as that of a plane of one row,
    as OpenCV's filters take 1-D rows; other tuples as they are.

    Examples
    --------
    >>> as_plane((1000,)), as_plane((3, 3))
    ((1, 1000), (3, 3))
    """
    return (1, *spatial) if len(spatial) == 1 else tuple(spatial)

"""Chunked convolution of dask arrays (the optional ``dask`` extra).

``sigconv.distributed.convolve(x, kernel, ...)`` returns a lazy dask array equal to
``sigconv.convolve(x.compute(), kernel, ...)`` for every mode, boundary, centre, stride and
dilation, on any chunking.  Each output block is one task that receives its own input
block and thin *halo* slices of its neighbours (cut by slicing tasks in the graph, as
``dask.array.map_overlap`` does, so only the halos move between workers), sized per side
from the kernel and its anchor; it assembles them, with the boundary rule of the *whole*
array at the edges, and runs the in-memory :func:`sigconv.convolve` in ``'valid'`` mode
(which picks direct or FFT per block).

Halos are computed from global indices (:mod:`sigconv._halo`): output sample ``i`` of an
axis reads the padded input at ``i*stride + m*dilation``, that is the global input index
``g = i*stride + m*dilation - before``, and ``g`` is mapped into ``[0, n)`` by the
boundary rule of ``sigconv._padding``.  So ``wrap`` reads the far end of the array (a
global periodic halo), ``reflect``/``mirror``/``nearest`` read the array's own edges, and
``constant`` uses ``fillvalue`` -- never the value of a neighbouring chunk.

dask is imported lazily: importing this module does not need dask; calling it does.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import _blocks, _halo, _missing, _plan, _shapes, _validate as V
from ._convolve import convolve as _convolve, correlate as _correlate
from ._errors import ResourceLimitError, ShapeError

__all__ = ["convolve", "correlate", "estimate_task_bytes", "DEFAULT_MAX_TASK_BYTES"]

DEFAULT_MAX_TASK_BYTES = 2 ** 30
"""Default per-task memory budget (1 GiB): a graph whose largest task needs more is refused."""

_OPS = {"convolve": _convolve, "correlate": _correlate}


def _dask_array():
    try:
        import dask.array as da
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "sigconv.distributed needs dask; install it with `pip install sigconv[dask]` "
            "(or `pip install 'dask[array,distributed]'`)") from None
    return da


def convolve(x: Any, kernel: Any, mode: str = "same", *, axes: int | Sequence[int] | None = None,
             boundary: str = "constant", fillvalue: Any = 0,
             center: str | int | Sequence[int] = "scipy", method: str = "auto",
             stride: int | Sequence[int] = 1, dilation: int | Sequence[int] = 1,
             out_dtype: Any = None, nan_policy: str = "propagate", workers: int | None = 1,
             max_task_bytes: int | None = DEFAULT_MAX_TASK_BYTES, mask: Any = None,
             preserve_nan: bool = False, min_weight: float | None = None,
             return_weights: bool = False) -> Any:
    """Convolve a dask array with an in-memory kernel, block by block.

    Parameters
    ----------
    x : dask.array.Array or array_like
        The (large) input; a numpy array is wrapped with ``dask.array.asarray``.
    kernel : array_like
        The kernel, held in memory, with ``x.ndim`` dimensions (size 1 on axes that are
        not convolved).
    mode : {'same', 'full', 'valid'}
        Output extent, as in :func:`sigconv.convolve`.  Output chunks follow the input
        chunks; in 'full' mode the last block grows by ``k - 1``, in 'valid' mode the
        last blocks shrink (empty blocks are dropped).
    axes : int or sequence of int, optional
        Axes to convolve (default all).
    boundary : str
        ``'constant'``, ``'reflect'``, ``'mirror'``, ``'nearest'``, ``'wrap'`` (or an alias),
        applied to the edges of the *whole* array.
    fillvalue : scalar
        Value outside the array for ``boundary='constant'``.
    center : {'scipy', 'ndimage'} or int or tuple of int
        Anchor of 'same' mode, as in :func:`sigconv.convolve`.
    method : {'auto', 'direct', 'fft'}
        Method of each block's in-memory convolution (``'auto'`` decides per block).
    stride, dilation : int or tuple of int
        Per convolution axis.
    out_dtype : dtype, optional
        dtype of the result, as in :func:`sigconv.convolve` (by default scipy's result
        dtype; an integer block result that does not fit it raises
        ``IntegerOverflowError`` when the block is computed).
    nan_policy : {'propagate', 'raise', 'interpolate', 'fill'}
    workers : int or None
        Threads per task (default 1: dask already runs tasks in parallel).
    max_task_bytes : int or None
        Refuse to build a graph whose largest task is estimated to need more memory
        (default 1 GiB); ``None`` disables the check.
    mask : dask.array.Array or array_like of bool, optional
        True marks a missing sample of ``x``; ``preserve_nan``, ``min_weight`` and
        ``return_weights`` as in :func:`sigconv.convolve`: missing data gives the
        in-memory result on any chunking (each block gathers its mask with its halo).

    Returns
    -------
    dask.array.Array
        Lazy result whose ``shape``, ``chunks`` and ``dtype`` equal the computed ones
        (and the lazy weights, with ``return_weights=True``).

    Raises
    ------
    ResourceLimitError
        When the estimated memory of one task exceeds ``max_task_bytes``.

    Notes
    -----
    The result equals the in-memory convolution

    .. math:: s[\\mathbf t] = \\sum_{\\mathbf m} \\tilde x[\\mathbf t \\cdot \\mathrm{stride}
              + \\mathbf m \\cdot \\mathrm{dilation}]\\, \\tilde k[\\mathbf m]

    where :math:`\\tilde x` is ``x`` extended by the boundary rule and :math:`\\tilde k`
    the flipped kernel.  Each output block reads its own input block plus a halo of
    ``before`` samples on the left and ``after`` on the right of each axis (``before =
    k-1-anchor``, ``after = anchor`` for a convolution in 'same' mode, so even kernels
    and explicit centres get asymmetric halos).

    *'valid' mode* follows scipy: when the kernel is at least as large as ``x`` on every
    axis the inputs swap; ``x`` is then small and is computed as a single block.

    *Rechunking.*  When a chunk is smaller than the halo on its axis (a kernel wider
    than a chunk), neighbouring chunks of that axis are merged until every chunk is at
    least as large as the halo, so each task reads slices of at most three blocks per
    axis (more only where the halo is longer than the whole array).

    *Memory.*  The per-task estimate (:func:`estimate_task_bytes`) counts the received
    pieces (the block and its halos), the assembled region, the output block and, for
    FFT-capable methods, the transform buffers.

    *Non-finite values.*  With ``method='auto'`` a block containing NaN or inf is
    computed directly, so the NaN reaches exactly the outputs the defining sum gives.

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from sigconv import distributed
    >>> x = da.from_array(np.arange(10), chunks=4)
    >>> y = distributed.convolve(x, np.array([1, 1, 1]), boundary='wrap')
    >>> y.chunks
    ((4, 4, 2),)
    >>> y.compute()
    array([10,  3,  6,  9, 12, 15, 18, 21, 24, 17])
    """
    missing = dict(mask=mask, preserve_nan=preserve_nan, min_weight=min_weight,
                   return_weights=return_weights)
    return _run("convolve", x, kernel, mode, axes, boundary, fillvalue, center, method,
                stride, dilation, out_dtype, nan_policy, workers, max_task_bytes, missing)


def correlate(x: Any, kernel: Any, mode: str = "same", *, axes: int | Sequence[int] | None = None,
              boundary: str = "constant", fillvalue: Any = 0,
              center: str | int | Sequence[int] = "scipy", method: str = "auto",
              stride: int | Sequence[int] = 1, dilation: int | Sequence[int] = 1,
              out_dtype: Any = None, nan_policy: str = "propagate", workers: int | None = 1,
              max_task_bytes: int | None = DEFAULT_MAX_TASK_BYTES, mask: Any = None,
              preserve_nan: bool = False, min_weight: float | None = None,
              return_weights: bool = False) -> Any:
    """Cross-correlate a dask array with an in-memory kernel, block by block.

    Takes the same arguments as :func:`convolve` and equals
    ``sigconv.correlate(x.compute(), kernel, ...)``.

    Parameters
    ----------
    x : dask.array.Array or array_like
    kernel : array_like
    mode, axes, boundary, fillvalue, center, method, stride, dilation, out_dtype : optional
        As in :func:`convolve`.
    nan_policy, workers, max_task_bytes, mask, preserve_nan, min_weight, return_weights
        As in :func:`convolve`.

    Returns
    -------
    dask.array.Array

    Notes
    -----
    .. math:: c[\\mathbf t] = \\sum_{\\mathbf m} \\tilde x[\\mathbf t + \\mathbf m]\\,
              \\overline{k[\\mathbf m]}

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from sigconv import distributed
    >>> x = da.from_array(np.array([1, -3, 4, 4, 2]), chunks=2)
    >>> distributed.correlate(x, [-1, 1, 2]).compute()
    array([-5,  4, 15,  4, -2])
    """
    missing = dict(mask=mask, preserve_nan=preserve_nan, min_weight=min_weight,
                   return_weights=return_weights)
    return _run("correlate", x, kernel, mode, axes, boundary, fillvalue, center, method,
                stride, dilation, out_dtype, nan_policy, workers, max_task_bytes, missing)


def estimate_task_bytes(block_shape: Sequence[int], region_shape: Sequence[int],
                        out_shape: Sequence[int], in_itemsize: int, compute_itemsize: int,
                        *, transform: bool = True) -> int:
    """Estimated peak memory of one block task, in bytes.

    Parameters
    ----------
    block_shape : sequence of int
        Extent of the input a task receives (its block and the halo slices) on each axis.
    region_shape : sequence of int
        Extent of the boundary-extended region the block convolution reads.
    out_shape : sequence of int
        Extent of the output block.
    in_itemsize, compute_itemsize : int
        Bytes per input element and per computed element.
    transform : bool
        Count the FFT buffers (two complex spectra and one real inverse of the region's
        fast transform length).

    Returns
    -------
    int

    Notes
    -----
    .. math:: B = \\prod b_j\\, s_{in} + \\prod r_j\\, s_c + \\prod o_j\\, s_c
              + [\\text{transform}]\\,(2 \\cdot 2 s_c + s_c) \\prod \\mathrm{fast}(r_j)

    Examples
    --------
    >>> estimate_task_bytes((10,), (12,), (10,), 8, 8, transform=False)
    256
    """
    import scipy.fft as sfft
    total = math.prod(block_shape) * in_itemsize
    total += (math.prod(region_shape) + math.prod(out_shape)) * compute_itemsize
    if transform:
        fast = math.prod(sfft.next_fast_len(max(int(r), 1), real=True) for r in region_shape)
        total += fast * 5 * compute_itemsize
    return int(total)


# --------------------------------------------------------------------------- validation

def _run(op, x, kernel, mode, axes, boundary, fillvalue, center, method, stride, dilation,
         out_dtype, nan_policy, workers, max_task_bytes, missing):
    """validate -> choose the graph's shape -> build it (nothing is computed here)."""
    da = _dask_array()
    func = f"distributed.{op}"
    x = x if isinstance(x, da.Array) else da.asarray(x)
    a = _arguments(func, x, kernel, mode, axes, boundary, fillvalue, center, method, stride,
                   dilation, out_dtype, nan_policy, workers, max_task_bytes)
    a = _missing_arguments(func, x, a, mode, nan_policy, missing)
    k = a["kernel"]
    swap = (mode == "valid" and all(d == 1 for d in a["dilations"]) and x.size and k.size
            and _shapes.valid_swap_needed(x.shape, k.shape, a["axes"], func))
    if a["missing"] is not None and (x.ndim == 0 or swap):
        raise ShapeError(f"{func}: missing data needs an array x at least as large as the "
                         f"kernel in 'valid' mode; got shapes {x.shape} and {k.shape}")
    if x.ndim == 0:
        return _scalar(op, x, a)
    if swap:
        return _swapped_valid(op, x, a)
    kspatial = tuple(k.shape[ax] for ax in a["axes"])
    xspatial = tuple(x.shape[ax] for ax in a["axes"])
    pads, spatial = _plan.geometry(op, mode, a["center"], xspatial, kspatial, a["strides"],
                                    a["dilations"], func)
    out_shape = list(x.shape)
    for ax, n in zip(a["axes"], spatial):
        out_shape[ax] = n
    if 0 in out_shape or x.size == 0 or k.size == 0:
        zeros = da.zeros(tuple(out_shape), dtype=a["result"])
        return (zeros, zeros) if a["missing"] and a["missing"]["return_weights"] else zeros
    geo = _halo.geometry(x.shape, x.chunks, k.shape, a["axes"], pads, a["strides"],
                         a["dilations"], a["boundary"])
    x = x.rechunk(tuple(g[0] for g in geo))
    axes_geo = [_halo.axis_pieces(x.chunks[i], *g[1:]) for i, g in enumerate(geo)]
    _check_memory(func, x, axes_geo, a["compute"], method, a["max_task_bytes"])
    if a["missing"] is not None:
        a["missing"]["mask"] = _mask_like(a["missing"]["mask"], x, func)
        a["missing"]["before"] = tuple(pads[a["axes"].index(ax)][0] if ax in a["axes"] else 0
                                       for ax in range(x.ndim))
    return _blocks.graph(x, axes_geo, dict(a, op=op))


def _missing_arguments(func, x, a, mode, nan_policy, missing):
    """``a`` with the missing-data options checked as the in-memory call checks them
    (``a['missing']``: None or the options for the blocks) and the result dtype."""
    some = None if missing["mask"] is None else np.zeros((), bool)   # its shape: _mask_like
    spec = _missing.arguments(None, _Shape(x.shape), a["kernel"], a["axes"], mode, nan_policy,
                              some, missing["preserve_nan"], missing["min_weight"],
                              missing["return_weights"], a["boundary"], a["fillvalue"],
                              a["strides"], None, func)
    if spec is None:
        return dict(a, missing=None)
    dt = _missing.input_dtype(x.dtype)
    _, a["compute"], result = _plan.dtype_policy(dt, a["kernel"].dtype, a["fillvalue"],
                                                 a["boundary"], func)
    a["result"] = result if a["out_dtype"] is None else a["out_dtype"]
    return dict(a, missing=dict(missing, nonfinite=nan_policy in _missing.TREATING))


def _mask_like(mask, x, func):
    """The mask as a dask array of x's shape and chunks (True = missing), or None."""
    if mask is None:
        return None
    da = _dask_array()
    m = mask if isinstance(mask, da.Array) else da.asarray(np.asarray(mask))
    if m.dtype.kind not in "biu":
        raise V.DTypeError(f"{func}: mask must be boolean (True = missing); got dtype "
                           f"{m.dtype}")
    if m.shape != x.shape:
        raise ShapeError(f"{func}: mask must have the shape of x {x.shape}; got {m.shape}")
    return (m != 0).rechunk(x.chunks)


def _arguments(func, x, kernel, mode, axes, boundary, fillvalue, center, method, stride,
               dilation, out_dtype, nan_policy, workers, max_task_bytes):
    """Every argument checked (before any work) and normalized, as a dict."""
    if any(math.isnan(c) for cs in x.chunks for c in cs):
        raise ValueError(f"{func}: x has unknown chunk sizes {x.chunks}; call "
                         "x.compute_chunk_sizes() first")
    if x.dtype.kind not in "biufc":
        raise V.DTypeError(f"{func}: unsupported dtype {x.dtype} for x; convert to a numeric "
                           "(bool, integer, float or complex) dtype")
    k = V.as_numeric_array(kernel, "kernel", func)
    V.one_of(mode, V.MODES, "mode", func)
    a = dict(kernel=k, method=V.one_of(method, V.METHODS, "method", func),
             boundary=V.boundary_name(boundary, func),
             nan_policy=V.one_of(nan_policy, V.NAN_POLICIES, "nan_policy", func),
             fillvalue=_plan.fillvalue_arg(fillvalue, func), workers=workers,
             max_task_bytes=max_task_bytes,
             out_dtype=V.dtype_arg(out_dtype, "out_dtype", func))
    if workers is not None:
        _plan.workers_arg(workers, func)
    if max_task_bytes is not None:
        a["max_task_bytes"] = V.positive_int(max_task_bytes, "max_task_bytes", func)
    V.same_ndim(_Shape(x.shape), k, func)
    a["axes"] = V.axes_tuple(axes, x.ndim, func) if x.ndim else ()
    for ax in range(x.ndim):
        if ax not in a["axes"] and k.shape[ax] != 1:
            raise ShapeError(f"{func}: kernel must have size 1 on axis {ax}, which is not "
                             f"convolved; got kernel shape {k.shape}")
    naxes = len(a["axes"])
    a["strides"] = V.per_axis(stride, naxes, "stride", func)
    a["dilations"] = V.per_axis(dilation, naxes, "dilation", func)
    a["center"] = _plan.center_arg(center, naxes, func)
    _, a["compute"], result = _plan.dtype_policy(x.dtype, k.dtype, a["fillvalue"],
                                                 a["boundary"], func)
    a["result"] = result if a["out_dtype"] is None else a["out_dtype"]
    a["inputs"] = (x.dtype, k.dtype)
    return a


class _Shape:
    """Something with ``.ndim`` and ``.shape``, for the shared dimensionality check."""

    def __init__(self, shape):
        self.shape, self.ndim = tuple(shape), len(shape)


def _swapped_valid(op, x, a):
    """scipy's 'valid' swap: the in-memory kernel is the larger input, so x is small
    enough for one task; the output, smaller than the kernel, is one block."""
    fn, k = _OPS[op], a["kernel"]
    run = dict(method=a["method"], axes=a["axes"], stride=a["strides"],
               out_dtype=a["out_dtype"], nan_policy=a["nan_policy"], workers=a["workers"])
    shape = fn(np.zeros(x.shape, x.dtype), np.zeros(k.shape, k.dtype), "valid", **run).shape
    return x.rechunk(x.shape).map_blocks(lambda b: fn(b, k, "valid", **run), dtype=a["result"],
                                         chunks=tuple((n,) for n in shape))


def _scalar(op, x, a):
    fn, k = _OPS[op], a["kernel"]
    run = dict(method=a["method"], out_dtype=a["out_dtype"])
    return x.map_blocks(lambda b: np.asarray(fn(b, k, **run)), dtype=a["result"])


# --------------------------------------------------------------------------- memory

def _check_memory(func, x, axes_geo, compute, method, limit):
    if limit is None:
        return
    region = [max(sum(p.length for p in ps) for ps in g.pieces) for g in axes_geo]
    outb = [max(g.out_chunks) for g in axes_geo]
    need = estimate_task_bytes(region, region, outb, x.dtype.itemsize, compute.itemsize,
                               transform=method != "direct")
    if need > limit:
        raise ResourceLimitError(
            f"{func}: one task would need ~{need / 2**20:.1f} MiB (block with its halo "
            f"{tuple(region)}), over max_task_bytes={limit / 2**20:.1f} MiB; rechunk x "
            "to smaller chunks or raise max_task_bytes")

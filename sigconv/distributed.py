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

import itertools
import math
import operator
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from . import _halo, _plan, _shapes, _validate as V
from ._convolve import convolve as _convolve, correlate as _correlate
from ._errors import IntegerOverflowError, ResourceLimitError, ShapeError

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
             nan_policy: str = "propagate", workers: int | None = 1,
             max_task_bytes: int | None = DEFAULT_MAX_TASK_BYTES) -> Any:
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
    nan_policy : {'propagate', 'raise'}
    workers : int or None
        Threads per task (default 1: dask already runs tasks in parallel).
    max_task_bytes : int or None
        Refuse to build a graph whose largest task is estimated to need more memory
        (default 1 GiB); ``None`` disables the check.

    Returns
    -------
    dask.array.Array
        Lazy result whose ``shape``, ``chunks`` and ``dtype`` equal the computed ones.

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
    return _run("convolve", x, kernel, mode, axes, boundary, fillvalue, center, method,
                stride, dilation, nan_policy, workers, max_task_bytes)


def correlate(x: Any, kernel: Any, mode: str = "same", *, axes: int | Sequence[int] | None = None,
              boundary: str = "constant", fillvalue: Any = 0,
              center: str | int | Sequence[int] = "scipy", method: str = "auto",
              stride: int | Sequence[int] = 1, dilation: int | Sequence[int] = 1,
              nan_policy: str = "propagate", workers: int | None = 1,
              max_task_bytes: int | None = DEFAULT_MAX_TASK_BYTES) -> Any:
    """Cross-correlate a dask array with an in-memory kernel, block by block.

    Takes the same arguments as :func:`convolve` and equals
    ``sigconv.correlate(x.compute(), kernel, ...)``.

    Parameters
    ----------
    x : dask.array.Array or array_like
    kernel : array_like
    mode, axes, boundary, fillvalue, center, method, stride, dilation : optional
        As in :func:`convolve`.
    nan_policy, workers, max_task_bytes : optional
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
    return _run("correlate", x, kernel, mode, axes, boundary, fillvalue, center, method,
                stride, dilation, nan_policy, workers, max_task_bytes)


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
         nan_policy, workers, max_task_bytes):
    """validate -> choose the graph's shape -> build it (nothing is computed here)."""
    da = _dask_array()
    func = f"distributed.{op}"
    x = x if isinstance(x, da.Array) else da.asarray(x)
    a = _arguments(func, x, kernel, mode, axes, boundary, fillvalue, center, method, stride,
                   dilation, nan_policy, workers, max_task_bytes)
    if x.ndim == 0:
        return _scalar(op, x, a["kernel"], method)
    k = a["kernel"]
    if mode == "valid" and all(d == 1 for d in a["dilations"]) and x.size and k.size \
            and _shapes.valid_swap_needed(x.shape, k.shape, a["axes"], func):
        return _swapped_valid(op, x, a)
    kspatial = tuple(k.shape[ax] for ax in a["axes"])
    xspatial = tuple(x.shape[ax] for ax in a["axes"])
    pads, spatial = _plan.geometry(op, mode, a["center"], xspatial, kspatial, a["strides"],
                                    a["dilations"], func)
    out_shape = list(x.shape)
    for ax, n in zip(a["axes"], spatial):
        out_shape[ax] = n
    if 0 in out_shape or x.size == 0 or k.size == 0:
        return da.zeros(tuple(out_shape), dtype=a["result"])
    geo = _geometry(x, k, a["axes"], pads, a["strides"], a["dilations"], a["boundary"])
    x = x.rechunk(tuple(g[0] for g in geo))
    axes_geo = [_halo.axis_pieces(x.chunks[i], *g[1:]) for i, g in enumerate(geo)]
    _check_memory(func, x, axes_geo, a["compute"], method, a["max_task_bytes"])
    return _graph(x, axes_geo, dict(a, op=op))


def _arguments(func, x, kernel, mode, axes, boundary, fillvalue, center, method, stride,
               dilation, nan_policy, workers, max_task_bytes):
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
             max_task_bytes=max_task_bytes)
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
    _, a["compute"], a["result"] = _plan.dtype_policy(x.dtype, k.dtype, a["fillvalue"],
                                                 a["boundary"], func)
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
               nan_policy=a["nan_policy"], workers=a["workers"])
    shape = fn(np.zeros(x.shape, x.dtype), np.zeros(k.shape, k.dtype), "valid", **run).shape
    return x.rechunk(x.shape).map_blocks(lambda b: fn(b, k, "valid", **run), dtype=a["result"],
                                         chunks=tuple((n,) for n in shape))


def _scalar(op, x, k, method):
    fn = _OPS[op]
    dtype = fn(np.zeros((), x.dtype), np.zeros((), k.dtype), method=method).dtype
    return x.map_blocks(lambda b: fn(b, k, method=method), dtype=dtype)


# --------------------------------------------------------------------------- geometry

def _geometry(x, k, axes, pads, strides, dilations, boundary):
    """Per axis of x: (rechunked input chunks, n, before, ke, stride, out length, boundary)."""
    out = []
    for ax in range(x.ndim):
        n = x.shape[ax]
        if ax in axes:
            i = axes.index(ax)
            (before, after), s, d = pads[i], strides[i], dilations[i]
            ke = _shapes.effective_size(k.shape[ax], d)
            length = _shapes.output_length(n, before, after, ke, s)
            halo = max(before, after, ke - 1 - before, 0)
        else:
            before, s, ke, length, halo = 0, 1, 1, n, 0
        out.append((_min_chunks(x.chunks[ax], halo), n, before, ke, s, length, boundary))
    return out


def _min_chunks(chunks, halo):
    """Merge neighbouring chunks until each is at least ``halo`` long (documented rechunk)."""
    if halo == 0 or min(chunks) >= halo:
        return tuple(chunks)
    merged = []
    for c in chunks:
        if merged and merged[-1] < halo:
            merged[-1] += c
        else:
            merged.append(c)
    if len(merged) > 1 and merged[-1] < halo:
        last = merged.pop()
        merged[-1] += last
    return tuple(merged)


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


# --------------------------------------------------------------------------- graph

@dataclass(frozen=True)
class _Layout:
    """How one task assembles its region: the pieces' lengths per axis (a plain object,
    so that the graph passes it through untouched)."""
    lengths: tuple


def _graph(x, axes_geo, options):
    """One task per output block, fed by its own input block and slicing tasks that cut
    the thin halos out of the neighbouring blocks (only those move between workers)."""
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    da = _dask_array()
    token = tokenize(x, options["kernel"], {k: v for k, v in options.items() if k != "kernel"})
    name = f"sigconv-{options['op']}-{token}"
    halo_name = f"sigconv-halo-{token}"
    kname = f"sigconv-kernel-{token}"
    dsk = {kname: options["kernel"]}
    slices = {}
    spec = {k: options[k] for k in ("op", "method", "axes", "strides", "dilations",
                                    "nan_policy", "workers", "fillvalue", "compute", "result")}
    for out_idx in itertools.product(*(range(len(g.out_chunks)) for g in axes_geo)):
        per_axis = [g.pieces[i] for g, i in zip(axes_geo, out_idx)]
        keys = _piece_keys(x, per_axis, halo_name, dsk, slices)
        layout = _Layout(tuple(tuple(p.length for p in ps) for ps in per_axis))
        dsk[(name,) + out_idx] = (_block, keys, kname, layout, spec)
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=[x])
    chunks = tuple(g.out_chunks for g in axes_geo)
    return da.Array(graph, name, chunks, meta=np.empty((0,) * x.ndim, options["result"]))


def _piece_keys(x, per_axis, halo_name, dsk, slices):
    """The keys of one task's N-D pieces, in ``itertools.product`` order: an input block
    where the piece is the whole block, else a slicing task (added to ``dsk`` once and
    remembered in ``slices``), or None for the fill value."""
    keys = []
    for piece in itertools.product(*per_axis):
        if any(p.block is None for p in piece):
            keys.append(None)
            continue
        block = (x.name,) + tuple(p.block for p in piece)
        index = tuple(p.index for p in piece)
        if all(ix == slice(0, c[p.block]) for ix, c, p in zip(index, x.chunks, piece)):
            keys.append(block)
            continue
        ident = (block, tuple((ix.start, ix.stop, ix.step) for ix in index))
        if ident not in slices:
            slices[ident] = (halo_name, len(slices))
            dsk[slices[ident]] = (operator.getitem, block, index)
        keys.append(slices[ident])
    return keys


def _block(pieces, kernel, layout, spec):
    """One task: assemble the block and its halos (the boundary rule's fill values
    included), then run the in-memory pipeline in 'valid' mode."""
    filled = any(p is None for p in pieces)
    dtype = spec["compute"] if filled else next(p.dtype for p in pieces if p is not None)
    region = _halo.assemble(pieces, layout.lengths, dtype, spec["fillvalue"])
    out = _OPS[spec["op"]](region, kernel, "valid", spec["method"], axes=spec["axes"],
                           stride=spec["strides"], dilation=spec["dilations"],
                           nan_policy=spec["nan_policy"], workers=spec["workers"])
    if out.dtype != spec["result"]:
        raise IntegerOverflowError(
            f"distributed.{spec['op']}: a block result needs dtype {out.dtype}, but the "
            f"graph declared {spec['result']}; convert the inputs to float")
    return out

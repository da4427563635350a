"""The dask graph of a chunked convolution (:mod:`sigconv.distributed`): one task per
output block, fed by its input block and thin halo slices of its neighbours.

:func:`graph` writes, for each output block, a slicing task per halo piece that is not a
whole input block (``operator.getitem`` on the block, as ``dask.array.map_overlap``
does) and one :func:`_block` task that assembles the pieces (:func:`sigconv._halo.assemble`,
the fill value where the boundary rule puts it) and runs the in-memory pipeline in
``'valid'`` mode.  A mask (missing data) is cut and assembled alike.  dask is imported
only when a graph is built.
"""

import itertools
import operator
from dataclasses import dataclass

import numpy as np

from . import _halo, _missing
from ._convolve import convolve, correlate
from ._integers import fit_result

__all__ = ["graph"]

_OPS = {"convolve": convolve, "correlate": correlate}


@dataclass(frozen=True)
class _Layout:
    """How one task assembles its region: the pieces' lengths per axis (a plain object,
    so that the graph passes it through untouched)."""
    lengths: tuple


def graph(x, axes_geo, options):
    """One task per output block, fed by its own input block and slicing tasks that cut
    the thin halos out of the neighbouring blocks (only those move between workers)."""
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    token = tokenize(x, options["kernel"], {k: v for k, v in options.items() if k != "kernel"})
    name = f"sigconv-{options['op']}-{token}"
    halo_name, mask_name = f"sigconv-halo-{token}", f"sigconv-mask-halo-{token}"
    kname = f"sigconv-kernel-{token}"
    dsk = {kname: options["kernel"]}
    slices, mslices = {}, {}
    spec = {k: options[k] for k in ("op", "method", "axes", "strides", "dilations",
                                    "nan_policy", "workers", "fillvalue", "compute", "result",
                                    "missing", "out_dtype", "inputs")}
    missing = options["missing"] or {}
    mask = missing.get("mask")
    if missing:
        spec["missing"] = {k: v for k, v in missing.items() if k != "mask"}
    both = bool(missing.get("return_weights"))
    lead = (0,) if both else ()
    for out_idx in itertools.product(*(range(len(g.out_chunks)) for g in axes_geo)):
        per_axis = [g.pieces[i] for g, i in zip(axes_geo, out_idx)]
        keys = _piece_keys(x, per_axis, halo_name, dsk, slices)
        mkeys = None if mask is None else _piece_keys(mask, per_axis, mask_name, dsk, mslices)
        layout = _Layout(tuple(tuple(p.length for p in ps) for ps in per_axis))
        dsk[(name,) + lead + out_idx] = (_block, keys, mkeys, kname, layout, spec)
    deps = [x] if mask is None else [x, mask]
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=deps)
    chunks = ((2,),) * both + tuple(g.out_chunks for g in axes_geo)
    out = da.Array(graph, name, chunks, meta=np.empty((0,) * len(chunks), options["result"]))
    return (out[0], out[1].astype(np.empty(0, options["result"]).real.dtype)) if both else out


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


def _block(pieces, mask_pieces, kernel, layout, spec):
    """One task: assemble the block and its halos (the boundary rule's fill values
    included), then run the in-memory pipeline in 'valid' mode.  The mask is assembled
    alike: the outside of a constant boundary is valid, or missing when fillvalue is NaN,
    as in memory."""
    filled = any(p is None for p in pieces)
    dtype = spec["compute"] if filled else next(p.dtype for p in pieces if p is not None)
    region = _halo.assemble(pieces, layout.lengths, dtype, spec["fillvalue"])
    mask = None
    if mask_pieces is not None:
        mask = _halo.assemble(mask_pieces, layout.lengths, bool, False)
    missing = spec["missing"] or {}
    extra = {} if not missing else dict(
        mask=mask, min_weight=missing["min_weight"], return_weights=missing["return_weights"])
    if spec["nan_policy"] == "fill":
        extra["fillvalue"] = spec["fillvalue"]        # what missing samples become
    out = _OPS[spec["op"]](region, kernel, "valid", spec["method"], axes=spec["axes"],
                           stride=spec["strides"], dilation=spec["dilations"],
                           out_dtype=spec["out_dtype"], nan_policy=spec["nan_policy"],
                           workers=spec["workers"], **extra)
    if missing:
        return _missing_block(out, region, mask, missing, spec)
    # a region extended by the fill value is computed in the compute dtype (int64 for
    # integers): its exact result goes to the declared dtype as the in-memory one does
    return fit_result(out, spec["result"], spec["inputs"], f"distributed.{spec['op']}")


def _missing_block(out, region, mask, missing, spec):
    """A block's values (and weights), with preserve_nan applied from the block's own
    samples, the centre of its region ('same' mode, stride 1)."""
    values, weights = out if missing["return_weights"] else (out, None)
    values = values.astype(spec["result"], copy=False)
    if missing["preserve_nan"]:
        centre = tuple(slice(b, b + n) for b, n in zip(missing["before"], values.shape))
        holes = _missing.missing_samples(region[centre], None if mask is None else
                                         mask[centre], missing["nonfinite"])
        if holes is not None:
            values = np.where(holes, np.nan, values).astype(spec["result"], copy=False)
    if weights is None:
        return values
    return np.stack([values, weights.astype(spec["result"], copy=False)])

"""``Convolver``: plan once, keep the kernel spectra, apply a bank of kernels many times."""

import math

import numpy as np

from . import _convolve as C
from ._errors import DTypeError, ShapeError
from ._plan import make_plan
from .engines import cost, fft, overlap
from .engines.tiled import TiledBank
from ._padding import padded_shape

__all__ = ["Convolver"]


class Convolver:
    """A planned, reusable convolution of inputs of one shape with one or K kernels.

    Construction validates the arguments, picks the method (as ``method='auto'`` would
    for inputs of this shape) and transforms the kernels once.  Each call then costs one
    forward transform of the input, shared by all K kernels, K spectrum products and K
    inverse transforms (per block, for the overlap methods).  With stride 1, whenever
    'auto' picks a transform method (and for ``method='os'``) the work runs by
    overlap-save in cache-sized tiles (:mod:`sigconv.engines.tiled`), shared among
    ``workers`` threads; ``method`` then reads ``'os'``.

    Parameters
    ----------
    kernels : array_like
        One kernel with ``len(input_shape)`` axes, or a bank of K kernels with one more
        leading axis.
    input_shape : tuple of int
        Shape of the inputs on the convolution axes.  Calls accept inputs of this shape
        or with extra leading batch axes.
    mode : {'full', 'same', 'valid'}
    method : {'auto', 'direct', 'fft', 'os', 'oa'}
    op : {'convolve', 'correlate'}
    boundary, fillvalue, center, stride, dilation, workers
        As in :func:`sigconv.convolve`.
    dtype : dtype
        dtype of the inputs the Convolver is planned for (default float64); inputs of
        another dtype are cast to it.

    Attributes
    ----------
    method : str
        The method every call uses.
    output_shape : tuple of int
        Shape of the result of an unbatched call: ``(K, *spatial)`` for a bank.
    tiles : sigconv.engines.tiled.TiledBank or None
        The overlap-save tiles (their shape is ``tiles.tile``) when they run.

    Notes
    -----
    With the bank ``w_k`` the call returns, for each ``k``,
    ``out[..., k, :] = convolve(x, w_k, mode, ...)``: the same numbers as the one-off
    :func:`sigconv.convolve` (which runs the same engines).  Integer inputs whose exact
    result an FFT could round wrongly, and non-finite inputs, are computed directly.

    Examples
    --------
    >>> import numpy as np, sigconv
    >>> conv = sigconv.Convolver([[1, 1], [1, -1]], (4,))
    >>> conv.output_shape
    (2, 5)
    >>> conv(np.array([1., 2., 3., 4.]))
    array([[ 1.,  3.,  5.,  7.,  4.],
           [ 1.,  1.,  1.,  1., -4.]])
    """

    def __init__(self, kernels, input_shape, mode="full", method="auto", *, op="convolve",
                 boundary="constant", fillvalue=0, center="scipy", stride=1, dilation=1,
                 dtype=np.float64, workers=None):
        func = "Convolver"
        bank = np.asarray(kernels)
        input_shape = _shape(input_shape, func)
        nsp = len(input_shape)
        if bank.ndim not in (nsp, nsp + 1):
            raise ShapeError(f"{func}: kernels need {nsp} axes (one kernel) or {nsp + 1} "
                             f"(a bank) for input_shape {input_shape}; got shape {bank.shape}")
        self.single = bank.ndim == nsp
        bank = bank[None] if self.single else bank
        dummy = np.broadcast_to(np.zeros((), dtype=dtype), (1,) + input_shape)
        axes = tuple(range(1, nsp + 1))
        plan = make_plan(op, dummy, bank, mode, method, axes, boundary, fillvalue, center,
                         stride, dilation, None, "propagate", workers, func=func)
        if plan.x.shape[1:] != input_shape:
            raise ShapeError(f"{func}: in 'valid' mode the kernels {bank.shape[1:]} must "
                             f"not be larger than input_shape {input_shape}")
        self.plan, self.input_shape, self.nsp, self.dtype = plan, input_shape, nsp, np.dtype(dtype)
        self.method = _auto_method(plan) if plan.method == "auto" else plan.method
        self.output_shape = plan.out_shape[1:] if self.single else plan.out_shape
        self._build(tiles=_tiles_apply(plan, self.method))

    def _build(self, tiles):
        """Transform the kernels for the chosen method and block (or tile) sizes."""
        plan = self.plan
        self.work_dtype = plan.compute_dtype if not plan.integer else np.dtype(np.float64)
        self.kernel = plan.kernel.astype(self.work_dtype)   # (K, *k)
        self.tiles = None
        if tiles:
            self.method, self.extra = "os", {}
            padded = plan.boundary != "constant" or plan.fillvalue != 0
            shape = padded_shape(self.input_shape, plan.pads) \
                if padded else self.input_shape
            pads = ((0, 0),) * self.nsp if padded else plan.pads
            self.tiles = TiledBank(self.kernel, shape, pads, plan.dilations,
                                   dtype=self.work_dtype)
            return
        name = self.method
        self.extra = C._memory_check(plan, name)
        if name == "direct":
            return
        real = self.work_dtype.kind != "c"
        p = cost.problem(plan)
        if name == "fft":
            sizes = [N for N, _ in cost.single_sizes(p)]
            ks = fft.KernelSpectrum(self.kernel, sizes, plan.strides, plan.dilations,
                                    [b for b, _ in p.pads], real=real, workers=plan.workers)
        else:
            ks = overlap.block_spectrum(self.kernel, self.extra["blocks"], plan.strides,
                                        plan.dilations, real=real, workers=plan.workers)
        self.extra["spectrum"] = ks

    def __call__(self, x, *, out=None):
        """Apply the kernels to ``x`` (shape ``input_shape`` or ``(*batch, *input_shape)``).

        Parameters
        ----------
        x : array_like
        out : ndarray, optional
            An array of the result's shape and dtype to write into (reusing one buffer
            for many inputs saves allocating, and first touching, a large result).

        Returns
        -------
        ndarray
            ``(*batch, K, *out)`` for a bank, ``(*batch, *out)`` for one kernel; ``out``
            if it was given.
        """
        x = np.asarray(x)
        nsp, plan = self.nsp, self.plan
        if x.shape[x.ndim - nsp:] != self.input_shape or x.ndim < nsp:
            raise ShapeError(f"Convolver: input must end with shape {self.input_shape}; "
                             f"got {x.shape}")
        if x.dtype.kind not in "biufc":
            raise DTypeError(f"Convolver: input must be numeric; got dtype {x.dtype}")
        batch = x.shape[:x.ndim - nsp]
        self._check_out(out, batch)
        name = self.method
        if name != "direct" and not self._transform_ok(x):
            name = "direct"
        if self.tiles is not None and name != "direct":
            if out is not None and out.dtype == self.tiles.out_dtype and not plan.integer \
                    and not np.may_share_memory(out, x):
                self._apply_tiles(x, batch, np.expand_dims(out, len(batch))
                                  if self.single else out)
                return out
            return _into(out, self._finish(self._apply_tiles(x, batch), batch))
        dt = self.work_dtype if name != "direct" else plan.compute_dtype
        xb = x.astype(dt, copy=False).reshape(batch + (1,) + self.input_shape)
        pads = plan.pads
        if plan.boundary != "constant" or plan.fillvalue != 0:
            xb = C.pad(xb, pads, plan.boundary, plan.fillvalue, dtype=dt)
            pads = ((0, 0),) * nsp
        kernel = self.kernel if name != "direct" else \
            plan.kernel.astype(dt).reshape((1,) * len(batch) + plan.kernel.shape)
        out_shape = batch + plan.out_shape
        extra = self.extra if name == self.method else {}
        result = C.ENGINES[name](xb, kernel, out_shape, plan.strides, plan.dilations, pads,
                                 workers=plan.workers, **extra)
        return _into(out, self._finish(result, batch))

    def _check_out(self, out, batch):
        if out is None:
            return
        shape, dtype = batch + self.output_shape, self.plan.result_dtype
        if not isinstance(out, np.ndarray) or out.shape != shape:
            got = getattr(out, "shape", type(out).__name__)
            raise ShapeError(f"Convolver: out must be an ndarray of shape {shape}; got {got}")
        if out.dtype != dtype:
            raise DTypeError(f"Convolver: out must have dtype {dtype}; got {out.dtype}")
        if not out.flags.writeable:
            raise ValueError("Convolver: out must be writeable; got a read-only array")

    def _apply_tiles(self, x, batch, out=None):
        """The overlap-save tiles: real inputs stay real (complex kernels or not)."""
        plan, dt = self.plan, self.work_dtype
        if x.dtype.kind != "c" and not np.iscomplexobj(plan.fillvalue):
            dt = np.dtype(dt.char.lower())
        xb = x.astype(dt, copy=False)
        if plan.boundary != "constant" or plan.fillvalue != 0:
            xb = C.pad(xb, plan.pads, plan.boundary, plan.fillvalue, dtype=dt)
        return self.tiles.apply(xb, out=out, workers=plan.workers)

    def _finish(self, out, batch):
        plan = self.plan
        if plan.integer and out.dtype != plan.compute_dtype:
            out = np.rint(out).astype(plan.compute_dtype)
        out = out.astype(plan.result_dtype, copy=False)
        return out.reshape(batch + self.output_shape)

    def _transform_ok(self, x):
        """Transforms keep non-finite values local only by luck, integers only when small."""
        if x.dtype.kind in "fc" and not np.all(np.isfinite(x)):
            return False
        if self.plan.integer:
            m1 = max(abs(int(np.max(x))), abs(int(np.min(x))), 1) if x.size else 0
            m2 = max(abs(int(np.max(self.plan.kernel))), abs(int(np.min(self.plan.kernel))))
            return cost.fft_exact_for_integers(m1, m2, math.prod(self.input_shape),
                                               math.prod(self.plan.kernel_spatial))
        return True

    def __repr__(self):
        return (f"Convolver(kernels={self.plan.kernel.shape[1:]}, input_shape="
                f"{self.input_shape}, method={self.method!r})")


def _into(out, result):
    if out is None:
        return result
    out[...] = result
    return out


def _tiles_apply(plan, method):
    """Overlap-save tiles serve every transform method 'auto' picks (and 'os' asked for)
    when the stride is 1 and the dtype one the transforms compute in."""
    if method == "direct" or (plan.method != "auto" and method != "os"):
        return False
    work = np.dtype(np.float64) if plan.integer else np.dtype(plan.compute_dtype)
    return all(s == 1 for s in plan.strides) and work.char in "fdFD"


def _auto_method(plan):
    """The cost model's choice for inputs of the planned shape (data not yet known)."""
    dt = plan.compute_dtype
    if dt.kind == "f" and dt.itemsize > 8 or dt.kind == "c" and dt.itemsize > 16:
        return "direct"
    estimates = C._estimates(plan)
    return min(estimates, key=estimates.get)


def _shape(value, func):
    try:
        shape = tuple(int(v) for v in value)
    except TypeError:
        raise ShapeError(f"Convolver: input_shape must be a tuple of ints; got {value!r}") from None
    if not shape or any(v < 1 for v in shape):
        raise ShapeError(f"{func}: input_shape must be non-empty with positive sizes; "
                         f"got {value!r}")
    return shape

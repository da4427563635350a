"""``Convolver``: plan once, keep the kernel spectra, apply a bank of kernels many times."""

import numpy as np

from . import _missing, _pipeline as P, _runtime
from ._errors import DTypeError, ShapeError
from ._plan import make_plan

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
    boundary, fillvalue, center, stride, dilation, out_dtype, workers
        As in :func:`sigconv.convolve`.
    nan_policy, preserve_nan, min_weight, return_weights
        Missing data, as in :func:`sigconv.convolve`; each call may also pass a ``mask``.
    dtype : dtype
        dtype of the inputs the Convolver is planned for (default float64); inputs of
        another dtype are cast to it.  The result has :func:`sigconv.convolve`'s dtype
        for inputs of this dtype and the kernels' (or ``out_dtype``): integers are
        exact, and a result that does not fit raises ``IntegerOverflowError``.

    Attributes
    ----------
    method : str
        The method every call uses (inputs whose values rule transforms out -- non-finite
        values, integers too large for an exact FFT -- are computed directly).
    output_shape : tuple of int
        Shape of the result of an unbatched call: ``(K, *spatial)`` for a bank.
    tiles : sigconv.engines.tiled.TiledBank or None
        The overlap-save tiles (their shape is ``tiles.tile``) when they run.

    Notes
    -----
    With the bank ``w_k`` the call returns, for each ``k``,
    ``out[..., k, :] = convolve(x, w_k, mode, ...)``: a plan of the one-off pipeline
    (:mod:`sigconv._pipeline`), made once and applied to each input.

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
                 dtype=np.float64, out_dtype=None, workers=None, nan_policy="propagate",
                 preserve_nan=False, min_weight=None, return_weights=False):
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
        args = (op, dummy, bank, mode, method, axes, boundary, fillvalue, center, stride,
                dilation, out_dtype, nan_policy, workers)
        missing = dict(preserve_nan=preserve_nan, min_weight=min_weight,
                       return_weights=return_weights)
        plan = make_plan(*args, func=func, **missing)
        if plan.x.shape[1:] != input_shape:
            raise ShapeError(f"{func}: in 'valid' mode the kernels {bank.shape[1:]} must "
                             f"not be larger than input_shape {input_shape}")
        self.input_shape, self.nsp, self.dtype = input_shape, nsp, np.dtype(dtype)
        self.res = _runtime.resources(plan.workers)
        self._masked = lambda: make_plan(*args, func=func, mask=np.zeros((1,) + input_shape,
                                                                          bool), **missing)
        self._setups = {}
        self.plan, self.method, self.prepared = self._setup(plan)
        self.tiles = self.prepared.get("bank")
        self.output_shape = plan.out_shape[1:] if self.single else plan.out_shape

    def _setup(self, plan):
        """(plan, method, what the method precomputes) for ``plan``."""
        method = P.choose(plan).method if plan.method == "auto" else plan.method
        tiles = method != "direct" and (plan.method == "auto" or method == "os") \
            and all(s == 1 for s in plan.strides) \
            and P.work_dtype(plan, method).char in "fdFD"
        method = "os" if tiles else method
        return plan, method, P.prepare(plan, method, self.res, kernel=True, tiles=tiles)

    def __call__(self, x, *, mask=None, out=None):
        """Apply the kernels to ``x`` (shape ``input_shape`` or ``(*batch, *input_shape)``).

        Parameters
        ----------
        x : array_like
        mask : array_like of bool, optional
            True marks a missing sample of ``x`` (as in :func:`sigconv.convolve`).
        out : ndarray, optional
            An array of the result's shape and dtype to write into (reusing one buffer
            for many inputs saves allocating, and first touching, a large result).

        Returns
        -------
        ndarray
            ``(*batch, K, *out)`` for a bank, ``(*batch, *out)`` for one kernel; ``out``
            if it was given.  With ``return_weights``, also the weights, shaped alike.
        """
        x = np.asarray(x)
        nsp = self.nsp
        if x.shape[x.ndim - nsp:] != self.input_shape or x.ndim < nsp:
            raise ShapeError(f"Convolver: input must end with shape {self.input_shape}; "
                             f"got {x.shape}")
        if x.dtype.kind not in "biufc":
            raise DTypeError(f"Convolver: input must be numeric; got dtype {x.dtype}")
        batch = x.shape[:x.ndim - nsp]
        self._check_out(out, batch)
        xb = x.astype(self.dtype, copy=False).reshape(batch + (1,) + self.input_shape)
        template, method, prepared = self.plan, self.method, self.prepared
        if mask is not None and template.missing is None:
            if "masked" not in self._setups:
                self._setups["masked"] = self._setup(self._masked())
            template, method, prepared = self._setups["masked"]
        plan = P.with_input(template, xb, batch + template.out_shape)

        def compute(p):
            m, prep = method, prepared
            if m != "direct" and P.transforms_refused(p):
                m, prep = "direct", {}
            elif not P.same_extension(p, template):   # the weights' plan extends by zeros
                prep = None
            return P.execute(p, m, prepared=prep, res=self.res)

        if plan.missing is None:
            result = P.finish(plan, compute(plan))
        else:
            plan = _missing.with_mask(plan, mask, x.shape, "Convolver")
            result = _missing.run(plan, compute, P.finish)
        if isinstance(result, tuple):
            return tuple(r.reshape(batch + self.output_shape) for r in result)
        result = result.reshape(batch + self.output_shape)
        if out is None:
            return result
        out[...] = result
        return out

    def _check_out(self, out, batch):
        if out is None:
            return
        shape = batch + self.output_shape
        dtype = self.plan.result_dtype if self.plan.out_dtype is None else self.plan.out_dtype
        if not isinstance(out, np.ndarray) or out.shape != shape:
            got = getattr(out, "shape", type(out).__name__)
            raise ShapeError(f"Convolver: out must be an ndarray of shape {shape}; got {got}")
        if out.dtype != dtype:
            raise DTypeError(f"Convolver: out must have dtype {dtype}; got {out.dtype}")
        if not out.flags.writeable:
            raise ValueError("Convolver: out must be writeable; got a read-only array")

    def __repr__(self):
        return (f"Convolver(kernels={self.plan.kernel.shape[1:]}, input_shape="
                f"{self.input_shape}, method={self.method!r})")


def _shape(value, func):
    try:
        shape = tuple(int(v) for v in value)
    except TypeError:
        raise ShapeError(f"{func}: input_shape must be a tuple of ints; got {value!r}") from None
    if not shape or any(v < 1 for v in shape):
        raise ShapeError(f"{func}: input_shape must be non-empty with positive sizes; "
                         f"got {value!r}")
    return shape

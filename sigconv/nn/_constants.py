"""The nn layers' cost-model constants, measured for :func:`sigconv.tune`.

Each function times one kind of layer work on this machine, one BLAS thread (the layers
thread over batch chunks), and returns seconds per unit: ``gemm_mac`` per multiply-add of
im2col's matrix products, ``gather`` per element of its column matrix, ``im2col_sample``
(``im2col_sample_single`` with one input channel per group) per sample beyond those, ``winograd_mac``/``winograd_point``/``winograd_call`` per
transform-domain multiply-add, per transformed value and per call
(:func:`sigconv.engines.layer_cost.layer_method` weighs them).
"""

import numpy as np

from .. import _runtime
from . import _winograd as winograd, functional

__all__ = ["gemm_mac", "gather", "im2col_sample", "im2col_sample_single", "winograd_mac", "winograd_call",
           "winograd_point"]


def gemm_mac(repeats):
    """Seconds per multiply-add of a float32 matrix product of im2col's shape, on one
    BLAS thread (the nn layers run one per batch chunk and thread over chunks)."""
    a = np.ones((64, 9 * 32), np.float32)
    b = np.ones((9 * 32, 28 * 28), np.float32)
    out = np.empty((64, 28 * 28), np.float32)
    with _runtime.single_threaded_blas():
        t = _runtime.median_time(lambda: np.matmul(a, b, out=out), repeats)
    return t / (a.shape[0] * a.shape[1] * b.shape[1])


def gather(repeats):
    """Seconds per element gathered into an im2col column matrix (a strided copy)."""
    x = np.ones((32, 30, 30), np.float32)
    cols = np.empty((32, 9, 28, 28), np.float32)

    def fill():
        for t in range(9):
            i, j = divmod(t, 3)
            cols[:, t] = x[:, i:i + 28, j:j + 28]
    return _runtime.median_time(fill, repeats) / cols.size


def im2col_sample(gemm_mac, gather, repeats):
    """Seconds per sample an im2col layer costs beyond its gathers and products (its
    per-sample matrix products and copies): a float32 32-sample 4x4, 16->32 3x3 layer."""
    return _per_sample(32, 16, 32, 4, gemm_mac, gather, repeats)


def im2col_sample_single(gemm_mac, gather, repeats):
    """:func:`im2col_sample` of layers with one input channel per group, whose columns
    are one index take per batch chunk (a few times cheaper per sample): a float32
    32-sample 8x8, 1->16 3x3 layer."""
    return _per_sample(32, 1, 16, 8, gemm_mac, gather, repeats)


def _per_sample(n, c, o, side, gemm_mac, gather, repeats):
    x = np.ones((n, c, side, side), np.float32)
    w = np.ones((o, c, 3, 3), np.float32)
    work = n * c * 9 * side * side * (gather + o * gemm_mac)
    with _runtime.single_threaded_blas():
        t = _runtime.median_time(
            lambda: functional.conv(x, w, padding=1, method="im2col"), repeats)
    return max(t - work, 0.1 * t) / n


def winograd_mac(repeats):
    """Seconds per multiply-add of the Winograd layers' transform-domain products: 36
    float32 products ``(P x C) @ (C x O)`` of a 28x28, 32->64 layer's chunk of 4 samples,
    on one BLAS thread."""
    v = np.ones((36, 4 * 49, 32), np.float32)
    u = np.ones((36, 32, 64), np.float32)
    out = np.empty((36, 4 * 49, 64), np.float32)
    with _runtime.single_threaded_blas():
        t = _runtime.median_time(lambda: np.matmul(v, u, out=out), repeats)
    return t / (v.size * u.shape[2])


def _layer(n, c, o, side):
    """A float32 Winograd F(4x4, 3x3) 'same' forward pass of ``(n, c, side, side)``, its
    buffers kept from call to call as a layer keeps them."""
    x = np.ones((n, c, side, side), np.float32)
    w = np.ones((o, c, 3, 3), np.float32)
    ws = winograd.Workspace()
    return lambda: winograd.forward(x, w, ((1, 1), (1, 1)), (side, side), 4, workspace=ws)


def winograd_call(repeats):
    """Seconds a Winograd layer call costs beyond its work (a one-sample 4x4 layer)."""
    with _runtime.single_threaded_blas():
        return _runtime.median_time(_layer(1, 1, 1, 4), 5 * repeats)


def winograd_point(mac, call, repeats):
    """Seconds per transformed value (input and output channels at each transform point
    of each tile, layout changes included): a 28x28, 32->64 forward pass of 2 samples on
    one thread, less its products and fixed cost (the fastest of the repeats: a run of
    milliseconds on a busy machine is often descheduled)."""
    n, c, o = 2, 32, 64
    points = 36 * n * 49
    layer = _layer(n, c, o, 28)
    with _runtime.single_threaded_blas():
        t = min(_runtime.median_time(layer, 1) for _ in range(2 * repeats))
    return max(t - call - points * c * o * mac, 0.1 * t) / (points * (c + o))

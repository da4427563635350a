"""The pipeline's first pass, made while sigconv is imported.

A process's first call runs each stage's Python for the first time (validation, layout,
the cost model, an engine, the route table), and that first pass costs more than the
work: in a fresh process ``convolve`` of 1000 x 3 float32 took 267 us, and the next new
shape 100 us.  The 2-D small-kernel path has first costs of its own: OpenCV's first
filter call of a process and LAPACK's first SVD (the low-rank split) made the first
256^2 x 3x3 float64 call take 1.4-5.7 ms, and 0.65-0.72 ms after this pass.
:func:`warm_up` makes that pass on tiny problems while the package is imported (3.4 ms
of an import of ~650 ms, 1.6 ms of it the 2-D part), so a user's first call costs what
a new shape costs later.  It computes no transform: FFTW's plans are per length and are
made where a length is first used; but it reads the index of the record of their
searches (0.1-0.15 ms, once per process), which a first transform read before.  Before
all that, it faults in the heap reserve (:func:`sigconv._runtime.reserve_heap`), so that a
first call's buffers do not each pay a page fault per 4 KiB: first, because zeroing its
pages evicts from the caches what the pass brings in (benchmarks/README.md).
"""

import numpy as np


def warm_up():
    """Fault in the heap reserve (:func:`sigconv._runtime.reserve_heap`), then run the
    direct pipeline of ``convolve`` and ``correlate`` on tiny float64 and float32
    signals, of ``convolve`` on a 24 x 24 image with 3 x 3 kernels of rank one and three
    (the low-rank split's SVD, OpenCV's two filter calls), and the cost model's choice
    for a 1-D problem large enough for it to weigh every method; then read the
    index of the shipped plan record (:func:`sigconv.fft.plan_record.load`; no plan is
    made).  The results are dropped, and so are the routes and lanes those calls left
    (:mod:`sigconv._routes`: a lane of 3-tap signals would serve a user's first 3-tap
    call of any length); what stays is the model's cached answers for that problem and
    the calibration, which a process reads once (:func:`sigconv._runtime.calibration`):
    from the cache folder the environment names at import.

    Examples
    --------
    >>> from sigconv._warm import warm_up
    >>> warm_up()
    """
    from . import _routes, _runtime
    from ._convolve import choose_method, convolve, correlate
    from .fft import plan_record
    _runtime.reserve_heap()        # first: its page zeroing evicts the caches
    for dtype, mode in ((np.float64, "full"), (np.float32, "same")):
        x, k = np.zeros(16, dtype), np.ones(3, dtype)
        convolve(x, k, mode)
        correlate(x, k, mode)
    image = np.zeros((24, 24))     # (more outputs than the direct engine's windows take)
    ranked = np.logspace(0, -32, 9).reshape(3, 3)   # rank one; no exact (dyadic) split
    for kernel in (ranked, ranked + np.eye(3)):     # both take the SVD
        convolve(image, kernel, "same")
    choose_method(np.zeros(4096), np.ones(65))
    _routes.clear()
    plan_record.load()

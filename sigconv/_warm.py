"""The pipeline's first pass, made while sigconv is imported.

A process's first call runs each stage's Python for the first time (validation, layout,
the cost model, an engine, the route table), and that first pass costs more than the
work: in a fresh process ``convolve`` of 1000 x 3 float32 took 267 us, and the next new
shape 100 us.  :func:`warm_up` makes that pass on tiny problems while the package is
imported (about 1 ms of an import of ~550 ms), so a user's first call costs what a new
shape costs later.  It computes no transform: FFTW's plans are per length and are made
where a length is first used.
"""

import numpy as np


def warm_up():
    """Run the direct pipeline of ``convolve`` and ``correlate`` on tiny float64 and
    float32 signals, and the cost model's choice for a 1-D problem large enough for it
    to weigh every method.  The results are dropped, and so are the routes and lanes
    those calls left (:mod:`sigconv._routes`: a lane of 3-tap signals would serve a
    user's first 3-tap call of any length); what stays is the model's cached answers for
    that problem and the calibration, which a process reads once
    (:func:`sigconv._runtime.calibration`): from the cache folder the environment names
    at import.

    Examples
    --------
    >>> from sigconv._warm import warm_up
    >>> warm_up()
    """
    from . import _routes
    from ._convolve import choose_method, convolve, correlate
    for dtype, mode in ((np.float64, "full"), (np.float32, "same")):
        x, k = np.zeros(16, dtype), np.ones(3, dtype)
        convolve(x, k, mode)
        correlate(x, k, mode)
    choose_method(np.zeros(4096), np.ones(65))
    _routes.clear()

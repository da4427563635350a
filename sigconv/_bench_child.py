"""One side of one benchmark case, run in a fresh Python process by :mod:`sigconv._bench`.

The parent runs this file's source with ``python -c SOURCE SPEC``, where ``SPEC`` is a JSON
object (see :func:`sigconv._bench.child_spec`).  The child generates the seeded inputs
(untimed), imports the library of its side (timed on its own: sigconv, or scipy.signal),
times calls 1 to 10 one by one, then the steady state, and prints one JSON line: ``side``,
``import`` (seconds), ``pid``, ``cache_dir`` (the ``SIGCONV_CACHE_DIR`` it saw), ``calls``
(ten seconds), ``steady`` (seconds) and ``steady_calls``; the scipy side adds
``alternatives`` (see :func:`scipy_alternatives`), and ``checksum`` (see :func:`checksum`)
when asked.  Nothing of sigconv or scipy is imported before the library import is timed;
only numpy, which both sides need to make their inputs.
"""

import json
import os
import statistics
import sys
from time import perf_counter


def inputs(spec):
    """The seeded ``(x, k)`` of ``spec``: standard normal values (real and imaginary parts
    for a complex dtype) cast to ``spec['dtype']``, x drawn first from one generator.

    Examples
    --------
    >>> x, k = inputs({"seed": 0, "x": [4], "k": [2], "dtype": "float32"})
    >>> x.shape, k.shape, x.dtype
    ((4,), (2,), dtype('float32'))
    """
    import numpy as np
    rng = np.random.default_rng(spec["seed"])
    out = []
    for shape in (spec["x"], spec["k"]):
        a = rng.standard_normal(shape)
        if np.dtype(spec["dtype"]).kind == "c":
            a = a + 1j * rng.standard_normal(shape)
        out.append(a.astype(spec["dtype"]))
    return out


def call_time(fn):
    """Seconds taken by one call of ``fn`` (its result is dropped after the clock stops)."""
    t0 = perf_counter()
    fn()
    return perf_counter() - t0


def steady(fn, spec):
    """The median seconds of further calls of ``fn``, made until there are at least
    ``spec['steady_calls']`` of them and ``spec['steady_seconds']`` have passed, or
    ``spec['steady_cap']`` calls; and the number of calls."""
    times, start = [], perf_counter()
    while len(times) < spec["steady_cap"] and (
            len(times) < spec["steady_calls"] or perf_counter() - start < spec["steady_seconds"]):
        times.append(call_time(fn))
    return statistics.median(times), len(times)


def checksum(result):
    """``[sum of real parts, sum of imaginary parts, sum of magnitudes]`` of ``result`` in
    float64, its shape and its dtype: enough to tell whether two sides computed the same
    convolution of the same inputs."""
    import numpy as np
    r = np.asarray(result)
    wide = r.astype(np.complex128)
    sums = [float(wide.real.sum()), float(wide.imag.sum()), float(np.abs(wide).sum())]
    return {"sums": sums, "shape": list(r.shape), "dtype": r.dtype.str}


def scipy_alternatives(x, k, mode, spec, convolve_steady):
    """Steady seconds of scipy.signal's methods: convolve(method='auto'), fftconvolve and
    oaconvolve, each with scipy.fft workers 1 and ``spec['workers']`` (the first one is
    ``convolve_steady``, already measured); each after one untimed call."""
    import scipy.fft
    import scipy.signal as ss
    out = {"convolve": convolve_steady}
    for name in ("convolve", "fftconvolve", "oaconvolve"):
        f = getattr(ss, name)
        kw = {"method": "auto"} if name == "convolve" else {}
        for w in sorted({1, spec["workers"]}):
            label = name if w == 1 else f"{name}[w={w}]"
            if label in out:
                continue

            def fn(f=f, w=w, kw=kw):
                with scipy.fft.set_workers(w):
                    return f(x, k, mode, **kw)
            fn()
            out[label] = steady(fn, spec)[0]
    return out


def main(argv):
    spec = json.loads(argv[1])
    x, k = inputs(spec)
    mode = spec["mode"]
    t0 = perf_counter()
    if spec["side"] == "sigconv":
        import sigconv
        fn = lambda: sigconv.convolve(x, k, mode)                    # noqa: E731
    else:
        import scipy.signal
        fn = lambda: scipy.signal.convolve(x, k, mode)               # noqa: E731
    out = {"side": spec["side"], "import": perf_counter() - t0, "pid": os.getpid(),
           "cache_dir": os.environ.get("SIGCONV_CACHE_DIR")}
    t0 = perf_counter()
    first = fn()
    calls = [perf_counter() - t0]
    if spec["checksum"]:
        out["checksum"] = checksum(first)
    del first
    calls += [call_time(fn) for _ in range(9)]
    out["calls"] = calls
    out["steady"], out["steady_calls"] = steady(fn, spec)
    if spec["side"] == "scipy" and spec["alternatives"]:
        out["alternatives"] = scipy_alternatives(x, k, mode, spec, out["steady"])
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv)

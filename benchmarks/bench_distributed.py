"""sigconv.distributed against dask-image and one in-memory call, on a LocalCluster.

    python benchmarks/bench_distributed.py                  # 8192² float32, 2048² chunks
    python benchmarks/bench_distributed.py --size 4096 --chunk 1024 --kernels 3 --workers 2

For each cluster (``--workers``: 1 and 2 worker processes, one thread each) the input is
made on the workers (``dask.array.random``, seeded) and kept there (``persist``), so no
candidate pays for shipping it.  Each kernel (``--kernels``: 3x3 and 31x31, float32,
seeded) is applied in 'same' mode with scipy.ndimage's centring and the reflect boundary
by

* ``sigconv.distributed.convolve(x, k, boundary='reflect', center='ndimage')``,
* ``dask_image.ndfilters.convolve(x, k, mode='reflect')`` (``map_overlap`` over
  ``scipy.ndimage.convolve``), when dask-image is installed,

each timed as ``persist()`` of the result and a wait for every block (the result stays
on the workers), and one in-memory ``sigconv.convolve`` of the whole array in this
process (all cores), for scale.  The two dask results are checked against each other
first, on three windows (two corners and one across four blocks).  Times are medians of
``--rounds`` rounds after one warm-up round, the candidates interleaved round by round (a
candidate whose warm-up run took over 30 s is timed by that run alone, marked "one run");
the ratio is dask-image / sigconv (> 1: sigconv faster).
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import sigconv  # noqa: E402
from sigconv import distributed as sd  # noqa: E402


def timed_persist(client, make):
    """Seconds to build the graph of ``make()``, persist it and wait for every block."""
    from distributed import wait
    t0 = time.perf_counter()
    y = client.persist(make())
    wait(y)
    seconds = time.perf_counter() - t0
    del y
    return seconds


def kernel(size):
    return np.random.default_rng(size).standard_normal((size, size)).astype(np.float32)


def candidates(x, k, dask_image):
    fns = {"sigconv": lambda: sd.convolve(x, k, boundary="reflect", center="ndimage")}
    if dask_image is not None:
        fns["dask-image"] = lambda: dask_image.convolve(x, k, mode="reflect")
    return fns


def check(client, fns):
    """The dask-image and sigconv results agree (float32 tolerance) on three windows:
    two corners (the boundary rule) and one across four blocks (the halos)."""
    if len(fns) < 2:
        return
    n, c = fns["sigconv"]().shape[0], fns["sigconv"]().chunks[0][0]
    windows = [np.s_[:64, :64], np.s_[-64:, -64:], np.s_[c - 32:c + 32, c - 32:c + 32]]
    for w in windows:
        a, b = client.compute([fns["sigconv"]()[w], fns["dask-image"]()[w]], sync=True)
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * float(np.abs(b).max()))


def run_cluster(nworkers, args, dask_image):
    import dask.array as da
    from distributed import Client, LocalCluster, wait

    with LocalCluster(n_workers=nworkers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        rng = da.random.default_rng(0)
        x = rng.random((args.size, args.size), dtype=np.float32, chunks=args.chunk)
        x = client.persist(x)
        wait(x)
        xn = x.compute()
        rows = []
        for size in args.kernels:
            k = kernel(size)
            fns = candidates(x, k, dask_image)
            check(client, fns)
            timers = {name: (lambda f=f: timed_persist(client, f)) for name, f in fns.items()}
            timers["in-memory"] = lambda: _seconds(
                lambda: sigconv.convolve(xn, k, "same", boundary="reflect", center="ndimage"))
            t, ones = interleave(timers, args.rounds)
            rows.append((size, t))
            mark = {name: " (one run)" if name in ones else "" for name in t}
            line = (f"workers={nworkers} {size}x{size}: sigconv {t['sigconv']:.3f} s"
                    f"{mark['sigconv']}, in-memory {t['in-memory']:.3f} s")
            if "dask-image" in t:
                line += (f", dask-image {t['dask-image']:.3f} s{mark['dask-image']} -> "
                         f"{t['dask-image'] / t['sigconv']:.2f}x")
            print(line, flush=True)
        return rows


def _seconds(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleave(timers, rounds, once_over=30.0):
    """Median seconds of each timer (a function returning its own seconds), in turn
    round by round after one warm-up round.  A timer whose warm-up took more than
    ``once_over`` seconds is not repeated: its time is that run's (``ones`` names them)."""
    times = {name: [] for name in timers}
    ones = set()
    for r in range(rounds + 1):
        for name, timer in timers.items():
            if r and name in ones:
                continue
            seconds = timer()
            if r or seconds > once_over:
                times[name].append(seconds)
            if not r and seconds > once_over:
                ones.add(name)
    return {name: float(np.median(t)) for name, t in times.items()}, ones


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--chunk", type=int, default=2048)
    parser.add_argument("--kernels", type=int, nargs="+", default=[3, 31])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    try:
        import dask_image.ndfilters as dask_image
    except ImportError:
        dask_image = None
        print("dask-image is not installed (pip install dask-image): timing sigconv alone")
    print(f"{args.size}x{args.size} float32 in {args.chunk}x{args.chunk} chunks, 'same', "
          f"reflect; medians of {args.rounds} rounds")
    summary = []
    for n in args.workers:
        summary += [(n, size, t) for size, t in run_cluster(n, args, dask_image)]
    if dask_image is not None:
        worst = min(t["dask-image"] / t["sigconv"] for _, _, t in summary)
        print(f"\nsummary: lowest dask-image / sigconv ratio {worst:.2f}x "
              "(goal >= 1.0x on every kernel size and worker count)")


if __name__ == "__main__":
    main()

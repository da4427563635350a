"""Filter benchmarks: a Gabor bank against looping scipy.signal.fftconvolve, and Canny
against scikit-image, measured in the same run (medians of repeats).

    python benchmarks/bench_filters.py [--quick]

Bank: 16 Gabor kernels of 31x31 (4 frequencies x 4 orientations) on a 2048x2048 float32
image.  The anchor computes the same thing the obvious way: for each kernel,
``fftconvolve(pad(image, 15, 'symmetric'), kernel, 'valid')`` (reflect boundary, 'same'
size), once with the kernels as built (complex128: what a user's loop runs) and once with
complex64 kernels (the precision sigconv uses for a float32 image).
  * "once":   a new FilterBank (no cached spectra) applied once, FFTW wisdom warm;
  * "cold":   the first apply in this process, including FFTW planning;
  * "reused": the same bank applied again (spectra cached);
  * "out= buffer": reused, writing into a preallocated result (as for video frames);
  * "floor": writing the (16, 2048, 2048) complex64 result at all (np.empty + fill, and
    fill of an existing buffer): no implementation returning that array can beat it.
The bank runs by overlap-save in cache-sized tiles (sigconv.engines.tiled): one forward
transform per tile, one product and inverse per kernel and tile.
Canny: 512x512, sigma=1, one thread, on a crop of matplotlib's sample photograph and on
noise (every pixel a candidate for non-maximum suppression: the worst case).
"""

import os
import sys
import time

import numpy as np
from scipy import signal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

from _timing import interleaved  # noqa: E402
from sigconv.filters import FilterBank, canny, gabor_bank  # noqa: E402


def median_time(fn, repeats, clock=time.perf_counter):
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return float(np.median(times))


def scipy_loop(image, kernels):
    padded = np.pad(image, 15, mode="symmetric")
    last = None
    for k in kernels:
        last = signal.fftconvolve(padded, k, mode="valid")
    return last


def bench_bank(n, repeats):
    rng = np.random.default_rng(0)
    image = rng.random((n, n), dtype=np.float32)
    bank = gabor_bank([0.05, 0.1, 0.2, 0.3], 4, size=31)
    kernels = bank.kernels
    k64 = [k.astype(np.complex64) for k in kernels]
    tile = bank._applier.spectra(tuple(n + 30 for n in image.shape), np.float32).tile
    print(f"Gabor bank: {len(kernels)} kernels {kernels[0].shape} on {image.shape} float32 "
          f"(tiles {tile})")

    t0 = time.perf_counter()
    out = FilterBank(kernels).apply(image, workers=1)
    cold = time.perf_counter() - t0
    ref = scipy_loop(image, kernels[-1:])
    err = float(np.max(np.abs(out[-1] - ref)) / np.max(np.abs(ref)))
    del out

    shape, cdt = (len(kernels),) + image.shape, np.complex64
    reused, result = FilterBank(kernels), np.empty(shape, cdt)
    fns = {"scipy loop, complex128 kernels": lambda: scipy_loop(image, kernels),
           "scipy loop, complex64 kernels": lambda: scipy_loop(image, k64)}
    for workers in (1, None):
        label = "1 thread" if workers == 1 else "default threads"
        fns[f"sigconv once ({label})"] = \
            lambda w=workers: FilterBank(kernels).apply(image, workers=w)
        fns[f"sigconv reused ({label})"] = lambda w=workers: reused.apply(image, workers=w)
        fns[f"sigconv reused, out= buffer ({label})"] = \
            lambda w=workers: reused.apply(image, out=result, workers=w)
    fns["floor: np.empty + fill of the result"] = lambda: np.empty(shape, cdt).fill(1)
    fns["floor: fill of an existing result buffer"] = lambda: result.fill(1)
    rows = interleaved(fns, repeats)
    rows["sigconv cold, first call (1 thread)"] = (cold, float("nan"))
    del result
    (w128, c128), (w64, c64) = rows["scipy loop, complex128 kernels"], \
        rows["scipy loop, complex64 kernels"]
    print(f"  {'':46s} {'wall s':>8s} {'cpu s':>7s}   ratios wall (cpu) vs the loop with "
          "c128 | c64 kernels")
    for name, (w, c) in rows.items():
        print(f"  {name:46s} {w:8.3f} {c:7.3f}   x{w128 / w:5.1f} (x{c128 / c:5.1f})   "
              f"x{w64 / w:5.1f} (x{c64 / c:5.1f})")
    print(f"  max relative difference to the float64 anchor: {err:.1e}")
    return rows


def bench_canny(repeats):
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg
    import skimage.feature as skfeature
    rgb = mpimg.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    photo = (rgb[:512, :512].astype(float) @ [0.2125, 0.7154, 0.0721]) / 255
    noise = np.random.default_rng(1).random((512, 512))
    print("Canny 512x512, sigma=1 (scikit-image with mode='reflect')")
    for name, img in (("photo", photo), ("noise", noise)):
        sk = median_time(lambda: skfeature.canny(img, 1.0, mode="reflect"), repeats)
        ours = median_time(lambda: canny(img, 1.0, gradient="gaussian", workers=1), repeats)
        sob = median_time(lambda: canny(img, 1.0, mode="reflect", workers=1), repeats)
        print(f"  {name:6s} skimage {sk * 1e3:7.1f} ms   sigconv {ours * 1e3:7.1f} ms "
              f"(x{ours / sk:4.2f} of skimage's time)   gradient='sobel' {sob * 1e3:7.1f} ms "
              f"(x{sob / sk:4.2f})")


def main(argv):
    quick = "--quick" in argv
    bench_bank(1024 if quick else 2048, 1 if quick else 5)
    bench_canny(3 if quick else 11)


if __name__ == "__main__":
    main(sys.argv[1:])

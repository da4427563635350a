"""Building convolution matrices: sigconv.matrices beside the scipy recipes, same run.

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_matrices.py [--repeat N]

Prints medians of repeats (seconds) and ratios anchor / sigconv (> 1: sigconv faster).

* 2-D sparse, 7x7 kernel on 512x512 (the issue's goal: well under 1 s), every mode and two
  boundaries.  Anchor, 'full' mode only (scipy has no 2-D builder): the block-Toeplitz sum
  ``sum_r kron(shift_r, csr(scipy.linalg.convolution_matrix(k[r], n1)))``.
* 1-D dense, ``scipy.linalg.convolution_matrix`` (the anchor) for every mode.
* Applying the matrix once: sparse ``M @ x``, the operator's matvec and rmatvec, beside one
  ``sigconv.convolve`` call.
"""

import argparse
import statistics
import time

import numpy as np
import scipy.linalg
from scipy import sparse

import sigconv
from sigconv.matrices import convolution_matrix


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def scipy_block_toeplitz(k, shape):
    """'full' 2-D convolution matrix from scipy pieces: sum_r S_r (x) T_r."""
    (n0, n1), (k0, _) = shape, k.shape
    total = None
    for r in range(k0):
        shift = sparse.eye(n0 + k0 - 1, n0, k=-r, format="csr")
        block = sparse.csr_array(scipy.linalg.convolution_matrix(k[r], n1, "full"))
        term = sparse.kron(shift, block, format="csr")
        total = term if total is None else total + term
    return total


def bench_2d(repeat):
    rng = np.random.default_rng(0)
    k, shape = rng.standard_normal((7, 7)), (512, 512)
    print("2-D sparse build, 7x7 kernel, 512x512 input (median of", repeat, "runs)")
    print(f"{'mode':6} {'boundary':9} {'nnz':>10} {'sigconv s':>10} {'scipy s':>9} {'ratio':>6}")
    for mode in ("full", "same", "valid"):
        for boundary in ("constant", "reflect"):
            ours = median_time(lambda: convolution_matrix(k, shape, mode, boundary=boundary),
                               repeat)
            nnz = convolution_matrix(k, shape, mode, boundary=boundary).nnz
            anchor = ratio = ""
            if mode == "full" and boundary == "constant":
                ref = scipy_block_toeplitz(k, shape)
                mine = convolution_matrix(k, shape, mode)
                assert abs(ref - mine).max() < 1e-12, "anchor and sigconv disagree"
                t = median_time(lambda: scipy_block_toeplitz(k, shape), repeat)
                anchor, ratio = f"{t:9.3f}", f"{t / ours:6.1f}"
            print(f"{mode:6} {boundary:9} {nnz:>10,} {ours:10.3f} {anchor:>9} {ratio:>6}")


def bench_1d(repeat):
    rng = np.random.default_rng(1)
    a, n = rng.standard_normal(31), 4000
    print("\n1-D dense, 31 taps, n = 4000: sigconv vs scipy.linalg.convolution_matrix")
    print(f"{'mode':6} {'sigconv s':>10} {'scipy s':>9} {'ratio':>6}")
    for mode in ("full", "same", "valid"):
        ours = median_time(lambda: convolution_matrix(a, n, mode, format="dense"), repeat)
        theirs = median_time(lambda: scipy.linalg.convolution_matrix(a, n, mode), repeat)
        print(f"{mode:6} {ours:10.4f} {theirs:9.4f} {theirs / ours:6.1f}")


def bench_apply(repeat):
    rng = np.random.default_rng(2)
    k, x = rng.standard_normal((7, 7)), rng.standard_normal((512, 512))
    M = convolution_matrix(k, x.shape, "same", boundary="reflect")
    A = convolution_matrix(k, x.shape, "same", boundary="reflect", format="operator")
    y = rng.standard_normal(M.shape[0])
    runs = (("sigconv.convolve", lambda: sigconv.convolve(x, k, "same", boundary="reflect")),
            ("sparse M @ x", lambda: M @ x.ravel()),
            ("operator matvec", lambda: A.matvec(x.ravel())),
            ("sparse M.T @ y", lambda: M.T @ y),
            ("operator rmatvec", lambda: A.rmatvec(y)))
    times = {name: median_time(fn, repeat) for name, fn in runs}
    print("\nApplying once, 7x7 on 512x512, 'same', reflect (seconds; ratio = t / convolve)")
    for name, t in times.items():
        print(f"{name:18} {t:8.4f} {t / times['sigconv.convolve']:6.2f}")

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    bench_2d(args.repeat)
    bench_1d(args.repeat)
    bench_apply(args.repeat)


if __name__ == "__main__":
    main()

"""Deterministic by default: the same inputs and options give the same bits on every call,
from any thread, and in every process with the same calibration and wisdom."""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import sigconv

from helpers import random_array

METHODS = ["auto", "direct", "fft", "os", "oa"]
#: (input shape, kernel shape, mode): 1-D rows, 2-D tiles, a 3-D single transform
SHAPES = [((30_000,), (257,), "full"), ((300, 280), (31, 31), "same"),
          ((40, 36, 30), (7, 7, 7), "same")]


def _pair(shape, kshape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return random_array(rng, shape, dtype), random_array(rng, kshape, dtype)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "int32"])
@pytest.mark.parametrize("case", range(len(SHAPES)))
def test_repeated_calls_give_the_same_bits(case, dtype, method):
    shape, kshape, mode = SHAPES[case]
    x, k = _pair(shape, kshape, dtype, case)
    first = sigconv.convolve(x, k, mode, method)
    for _ in range(5):
        np.testing.assert_array_equal(sigconv.convolve(x, k, mode, method), first)
    np.testing.assert_allclose(first, sigconv.convolve(x, k, mode, "direct"),
                               rtol=1e-3 if dtype == "float32" else 1e-9,
                               atol=(1e-3 if dtype == "float32" else 1e-9) * np.sqrt(k.size))


def test_a_bank_reapplied_gives_the_same_bits():
    rng = np.random.default_rng(4)
    bank = sigconv.filters.gabor_bank([0.1, 0.2], 4, sigma=3.0)
    img = rng.random((200, 210)).astype(np.float32)
    first = bank.apply(img)
    for _ in range(3):
        np.testing.assert_array_equal(bank.apply(img), first)


def test_sixteen_threads_with_default_workers_get_the_serial_bits():
    """16 user threads, each call also threading inside (default workers), on 12 fixed
    pairs across methods and dtypes: every result equals the serial one bit for bit."""
    rng = np.random.default_rng(16)
    jobs = []
    for i in range(12):
        shape, kshape, mode = SHAPES[i % len(SHAPES)]
        dtype = ("float64", "float32", "complex128")[i % 3]
        x, k = _pair(shape, kshape, dtype, 100 + i)
        jobs.append((x, k, mode, ("auto", "fft", "os", "oa")[i % 4]))
    serial = [sigconv.convolve(x, k, mode, m) for x, k, mode, m in jobs]
    start = threading.Barrier(16)

    def run(t):
        start.wait()
        order = [(t + j) % 12 for j in range(12)]
        return [(i, sigconv.convolve(*jobs[i])) for i in order]

    with ThreadPoolExecutor(16) as pool:
        results = [r for part in pool.map(run, range(16)) for r in part]
    assert len(results) == 16 * 12
    for i, out in results:
        np.testing.assert_array_equal(out, serial[i], err_msg=f"job {i}")


def test_sixteen_threads_on_routed_small_calls_get_the_serial_bits():
    """Small 1-D and 2-D calls that take routes (remembered per call signature), made
    by 16 threads at once from an empty route table, each thread 5 times: every result
    equals the serial one bit for bit."""
    from sigconv import _routes
    rng = np.random.default_rng(61)
    jobs = []
    for i in range(8):
        dtype = ("float64", "float32")[i % 2]
        op = ("convolve", "correlate")[(i // 2) % 2]
        if i < 4:
            shape, kshape = (1000 + 7 * i,), (3 + 2 * i,)
        else:
            shape, kshape = (60 + i, 70), (3 + 2 * (i % 3),) * 2
        x, k = random_array(rng, shape, dtype), random_array(rng, kshape, dtype)
        jobs.append((getattr(sigconv, op), x, k))
    serial = [f(x, k, "same") for f, x, k in jobs]
    _routes.clear()
    start = threading.Barrier(16)

    def run(t):
        start.wait()
        return [(i, jobs[i][0](jobs[i][1], jobs[i][2], "same"))
                for _ in range(5) for i in [(t + j) % 8 for j in range(8)]]

    with ThreadPoolExecutor(16) as pool:
        results = [r for part in pool.map(run, range(16)) for r in part]
    assert len(results) == 16 * 5 * 8 and len(_routes._routes) == 8
    assert len(_routes._lanes) == 4                     # the 1-D signatures
    for i, out in results:
        np.testing.assert_array_equal(out, serial[i], err_msg=f"job {i}")


_CHILD = """
import hashlib, sys, numpy as np, sigconv
rng = np.random.default_rng(7)
out = []
for shape, kshape, mode in [((30000,), (257,), 'full'), ((300, 280), (31, 31), 'same'),
                            ((40, 36, 30), (7, 7, 7), 'same')]:
    x, k = rng.standard_normal(shape), rng.standard_normal(kshape)
    for method in ('auto', 'fft', 'os', 'oa'):
        out.append(hashlib.sha256(sigconv.convolve(x, k, mode, method).tobytes()).hexdigest())
print(' '.join(out))
"""


def test_fresh_processes_with_the_same_cache_give_the_same_bits(tmp_path):
    env = dict(os.environ, SIGCONV_CACHE_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")]))
    digests = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        digests.append(proc.stdout.split())
    assert len(digests[0]) == 12 and digests[0] == digests[1]

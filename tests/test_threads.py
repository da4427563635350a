"""C1: many threads convolving at once get exactly the serial results."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import sigconv
import sigconv.fft as sfw
from sigconv import _threads


def _jobs(rng, count):
    """(x, k, method) triples: a repeated shape plus shapes planned concurrently."""
    shared_k = rng.standard_normal(17)
    jobs = []
    for i in range(count):
        if i % 4 == 3:      # a shape of its own: planning while others execute
            x = rng.standard_normal(200 + i)
            k = rng.standard_normal(5 + i % 7)
        else:
            x, k = rng.standard_normal(512), shared_k
        jobs.append((x, k, ("fft", "os", "oa")[i % 3]))
    return jobs


def test_sixteen_threads_match_serial_results():
    """Threads planning new shapes while others execute, and threads needing a second
    plan of a shape in use, all get the serial bits."""
    rng = np.random.default_rng(2024)
    jobs = _jobs(rng, 192)
    sfw.clear_cache()
    serial = [sigconv.convolve(x, k, method=m, workers=1) for x, k, m in jobs]
    start = threading.Barrier(16)

    def run(chunk):
        start.wait()
        return [(i, sigconv.convolve(jobs[i][0], jobs[i][1], method=jobs[i][2],
                                     workers=1)) for i in chunk]

    chunks = [range(t, len(jobs), 16) for t in range(16)]
    with ThreadPoolExecutor(16) as pool:
        results = [r for part in pool.map(run, chunks) for r in part]
    assert len(results) == len(jobs)
    for i, out in results:
        np.testing.assert_array_equal(out, serial[i], err_msg=f"job {i}")


def test_threads_sharing_a_convolver_get_serial_results():
    rng = np.random.default_rng(7)
    conv = sigconv.Convolver(rng.standard_normal((4, 5, 5)), (48, 48), "same", method="fft")
    inputs = [rng.standard_normal((48, 48)) for _ in range(64)]
    for x in inputs[:4]:        # let 'auto' planner effort settle on its measured plans
        conv(x)
    serial = [conv(x) for x in inputs]
    with ThreadPoolExecutor(16) as pool:
        outs = list(pool.map(conv, inputs))
    for a, b in zip(outs, serial):
        np.testing.assert_array_equal(a, b)
    assert len({id(o) for o in outs}) == len(outs)


def test_share_runs_every_task_once_on_the_caller_and_the_workers():
    """Two participants meet at a barrier on their first tasks, so both threads run;
    every task runs exactly once."""
    barrier = threading.Barrier(2, timeout=10)
    ran, lock = [], threading.Lock()

    def participant(take):
        first = True
        for task in iter(take, None):
            if first:
                barrier.wait()
                first = False
            with lock:
                ran.append((task, threading.get_ident()))

    _threads.share(range(50), 2, participant)
    assert sorted(t for t, _ in ran) == list(range(50))
    assert threading.get_ident() in {i for _, i in ran}
    assert len({i for _, i in ran}) == 2


def test_share_alone_when_one_thread_and_no_worker_left_waiting():
    ran = []
    _threads.share(range(7), 1, lambda take: ran.extend(iter(take, None)))
    assert ran == list(range(7))
    ran.clear()
    _threads.share(range(3), 3, lambda take: ran.extend(iter(take, None)))
    assert sorted(ran) == [0, 1, 2]


@pytest.mark.parametrize("where", ["caller", "worker"])
def test_share_raises_a_participants_error_and_stops_handing_out(where):
    """An error in either participant reaches the caller, and the other participant's
    next ``take()`` gives None: of 1000 tasks of 1 ms, few run."""
    caller = threading.get_ident()
    barrier = threading.Barrier(2, timeout=10)
    ran = []

    def participant(take):
        task = take()
        barrier.wait()
        if (threading.get_ident() == caller) == (where == "caller"):
            raise ZeroDivisionError(f"in the {where}")
        while task is not None:
            time.sleep(0.001)
            ran.append(task)
            task = take()

    with pytest.raises(ZeroDivisionError, match=where):
        _threads.share(range(1000), 2, participant)
    assert 1 <= len(ran) < 500


def _worker_count():
    """How many distinct threads took part in a two-thread share of sleeping tasks."""
    seen = set()

    def participant(take):
        for _ in iter(take, None):
            seen.add(threading.get_ident())
            time.sleep(0.002)
    _threads.share(range(40), 2, participant)
    return len(seen)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
def test_a_forked_child_gets_worker_threads_again():
    """A child forked after threaded calls shares work with a worker of its own (the
    parent's executor thread does not exist there)."""
    assert _worker_count() == 2          # the parent's pool now has a started worker
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                          # pragma: no cover - runs in the child
        try:
            os.write(write, str(_worker_count()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        child = fh.read()
    os.waitpid(pid, 0)
    assert child == "2"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
def test_a_forked_child_transforms_after_its_parent_ran_threaded_ones():
    """FFTW's threads are OpenMP's, which cannot run in a child forked after its parent
    ran them: the child's transforms run on one thread instead of waiting forever, and
    give scipy's values."""
    import signal

    from scipy.signal import fftconvolve
    rng = np.random.default_rng(7)
    x, k = rng.standard_normal((64, 64, 64)), rng.standard_normal((3, 3, 3))
    want = fftconvolve(x, k, "same")
    np.testing.assert_allclose(sigconv.convolve(x, k, "same", method="fft", workers=2),
                               want, atol=1e-10)      # threaded plans, run in the parent
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                          # pragma: no cover - runs in the child
        try:
            got = sigconv.convolve(x, k, "same", method="fft", workers=2)
            os.write(write, b"ok" if np.allclose(got, want, atol=1e-10, rtol=0) else b"bad")
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + 30
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        time.sleep(0.05)
    with os.fdopen(read) as fh:
        assert fh.read() == "ok"

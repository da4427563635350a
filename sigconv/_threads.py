"""Work shared between the calling thread and a pool of worker threads.

Every participant, the caller included, pulls work from one queue until it is empty, so
a worker that starts late finds less (or nothing) to do: a woken worker can miss its turn
for the GIL for a whole call (1e6 x 65 float32 overlap-save ran 2.7 ms on one core
without the caller's help, 1.6-1.8 ms with it; benchmarks/README.md).
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

#: seconds the calling thread waits for a worker to start (it needs the GIL to start at
#: all) before going on alone
START_TIMEOUT = 0.002

_pools = {}
_pools_lock = threading.Lock()


def pool(n):
    """The process-wide executor of ``n`` worker threads."""
    with _pools_lock:
        executor = _pools.get(n)
        if executor is None:
            executor = _pools[n] = ThreadPoolExecutor(n, thread_name_prefix="sigconv")
    return executor


def _forget_pools():
    """Start a forked child without its parent's executors.  Their worker threads do not
    exist in the child, yet an executor counts an idle one and starts no other, so every
    shared call waited START_TIMEOUT for a worker and ran alone (1e6 x 65 float32 in a
    child of a process that had convolved: 12.6 ms against 3.2)."""
    global _pools_lock
    _pools.clear()
    _pools_lock = threading.Lock()


if hasattr(os, "register_at_fork"):        # (POSIX)
    os.register_at_fork(after_in_child=_forget_pools)


def share(tasks, threads, participant):
    """Run ``participant(take)`` on ``threads`` threads, the calling thread one of them.

    ``take()`` returns the next of ``tasks`` (in order, each to exactly one caller) or
    None when none are left; a participant calls it until it returns None, so it can set
    up per-thread state (plans, buffers) once, after its first task.  Workers that have
    not started when the caller runs out of tasks are cancelled.  An exception in any
    participant stops the hand-out and is raised here once all participants are done.

    Examples
    --------
    >>> done = []
    >>> def participant(take):
    ...     for task in iter(take, None):
    ...         done.append(task * task)
    >>> share(range(5), 2, participant)
    >>> sorted(done)
    [0, 1, 4, 9, 16]
    """
    queue, lock, stop = iter(tasks), threading.Lock(), []

    def take():
        with lock:
            return None if stop else next(queue, None)

    if threads <= 1:
        participant(take)
        return
    started = threading.Semaphore(0)

    def worker():
        started.release()
        try:
            participant(take)
        except BaseException:
            stop.append(True)
            raise

    futures = [pool(threads - 1).submit(worker) for _ in range(threads - 1)]
    for _ in futures:        # see the module's note: a worker must hold the GIL to start
        if not started.acquire(timeout=START_TIMEOUT):
            break
    try:
        participant(take)
    except BaseException:
        stop.append(True)
        raise
    finally:
        errors = []
        for f in futures:
            if f.cancel():
                continue
            try:
                f.result()
            except BaseException as exc:        # noqa: PERF203 - one per worker
                errors.append(exc)
    if errors:
        raise errors[0]

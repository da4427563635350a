"""sigconv against every installed peer on the grid of compare_scipy.py, in one run.

    python benchmarks/compare_peers.py --quick         # compare_scipy's quick subset
    python benchmarks/compare_peers.py                 # the whole grid (1-D/2-D/3-D,
                                                       # float32/float64/complex128)
    python benchmarks/compare_peers.py --dims 2 --tsv peers.tsv   # every candidate's time

Peers (each where it applies, skipped with a message when missing):
scipy.signal ``convolve(method='auto')``, ``fftconvolve``, ``oaconvolve`` (scipy.fft with 1
and with every core as workers) and ``convolve(method='direct')``; ``numpy.convolve``
(1-D); ``scipy.ndimage.convolve`` ('same'); OpenCV ``filter2D`` (2-D, 'same', real);
PyTorch ``conv1d/2d/3d`` ('full' through padding; install with ``pip install torch``);
a hand-written pyFFTW recipe with cached measured plans (``_peers.FFTWRecipe``).
Direct sums estimated over a few seconds are not timed (the table says which).

Each library runs in its own process (sigconv; scipy with numpy; OpenCV; PyTorch;
pyFFTW), so their thread runtimes (PyTorch's OpenMP, pyFFTW's libgomp, OpenCV's pool)
never share a process, and each process makes the seeded inputs itself.  This process
only directs: per case, every candidate is warmed up (calls until three agree within
25 %, at most 3 s), then timed in rounds of shuffled order (a candidate 10x slower
than the fastest in its warm-up in the first round only), each a batch of calls of at least 2 ms
(one untimed call first when fast), and after each batch its process sleeps until its
threads stop spinning (:func:`settle`) before the next candidate runs; times are medians
of the rounds.
Each peer's result is checked against sigconv's (values at seeded positions) and a peer
that disagrees is left out of the comparison, with a message.

The ratio of a case is the fastest peer's time / sigconv's (> 1: sigconv faster); the
summary gives their geometric mean, the slowest cases, which peer was fastest how often,
and for the small-kernel cases (at most 11 taps per axis) the memory roofline: the bytes
read and written (input, kernel, result) over the memory bandwidth, measured in this run
as the fastest of five large numpy copies on one thread and on every core.  sigconv's plans
come from a fresh cache folder (the shipped defaults) unless ``--tuned``.
"""

import argparse
import math
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, os.pardir))
from _grid import DTYPES, data, grid  # noqa: E402

GOALS = "goals: geometric mean >= 1.5x over the fastest peer of each case, no case below 0.8x"
SMALL_TAPS = 11
SETTLE = 0.005    # seconds of each sleep while a process waits for its threads to idle
SETTLE_MAX = 0.2  # ... and the most it waits (OpenMP runtimes spin up to ~10 ms here)


# --------------------------------------------------------------------------- processes

def fingerprint(result, seed=7):
    """Shape, the values at 32 seeded positions and max |value| of a result."""
    r = np.asarray(result)
    idx = np.random.default_rng(seed).integers(0, max(r.size, 1), 32)
    return r.shape, r.reshape(-1)[idx].astype(np.complex128), float(np.abs(r).max())


def warm(fn):
    """Calls until three consecutive ones agree within 25 % (at most 20 calls or 3 s,
    and at least two); the last call's seconds."""
    times, start = [], time.perf_counter()
    while len(times) < 20 and (len(times) < 2 or time.perf_counter() - start < 3):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 3 and max(times[-3:]) <= 1.25 * min(times[-3:]):
            break
    return times[-1]


def settle():
    """Sleep until this process's threads have stopped spinning: until a SETTLE sleep
    costs it under 10 % of a core (at most SETTLE_MAX).  libgomp's threads (pyFFTW's,
    PyTorch's) spin for about 10 ms of CPU after a parallel region by default; on two
    cores the next candidate would otherwise run beside them."""
    end = time.perf_counter() + SETTLE_MAX
    while time.perf_counter() < end:
        c0 = time.process_time()
        time.sleep(SETTLE)
        if time.process_time() - c0 < 0.1 * SETTLE:
            return


def serve(conn, group, cores):
    """A peer process: answers the director's requests for one group's candidates."""
    import _peers
    fns = {}
    while True:
        try:
            msg = conn.recv()
        except EOFError:        # the director is gone
            return
        try:
            if msg[0] == "case":
                _, xs, ks, dt, mode = msg
                fns = {}
                x, k = data(xs, DTYPES[dt], 1), data(ks, DTYPES[dt], 2)
                fns, skipped = _peers.candidates(group, x, k, mode, cores)
                reply = (list(fns), skipped)
            elif msg[0] == "warm":
                reply = warm(fns[msg[1]])
            elif msg[0] == "time":
                _, name, reps, pre = msg
                fn = fns[name]
                if pre:
                    fn()
                t0 = time.perf_counter()
                for _ in range(reps):
                    fn()
                reply = (time.perf_counter() - t0) / reps
                settle()
            elif msg[0] == "fingerprint":
                reply = fingerprint(fns[msg[1]]())
            else:
                return
        except Exception as exc:       # reported by the director, the run goes on
            reply = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class Peer:
    """The director's handle on one peer process."""

    def __init__(self, ctx, group, cores):
        self.group = group
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(child, group, cores), daemon=True)
        self.proc.start()

    def ask(self, *msg):
        self.post(*msg)
        return self.reply()

    def post(self, *msg):
        self.conn.send(msg)

    def reply(self):
        reply = self.conn.recv()
        if isinstance(reply, tuple) and reply and reply[0] == "error":
            raise RuntimeError(f"{self.group}: {reply[1]}")
        return reply

    def stop(self):
        self.conn.send(("stop",))
        self.proc.join(10)


# --------------------------------------------------------------------------- one case

def measure(cands):
    """``{(peer, name): median seconds per call}``, as the module docstring says.  A
    candidate whose warm-up call took over 10x the fastest one's is timed in one round
    only: it cannot be the fastest, and the rounds stay short."""
    first = {c: c[0].ask("warm", c[1]) for c in cands}
    fastest = min(first.values())
    slow = {c for c, t in first.items() if t > 10 * fastest}
    reps = {c: max(1, min(200, int(2e-3 / max(t, 1e-7)))) for c, t in first.items()}
    per_round = sum(first[c] * (reps[c] + (first[c] < 0.01)) for c in cands if c not in slow)
    rounds = 7 if per_round <= 0.5 else 5 if per_round <= 2 else 3
    times = {c: [] for c in cands}
    order = list(cands)
    for r in range(rounds):
        random.Random(r).shuffle(order)
        for c in order:
            if r == 0 or c not in slow:
                times[c].append(c[0].ask("time", c[1], reps[c], first[c] < 0.01))
    return {c: float(np.median(t)) for c, t in times.items()}


def agrees(fp, ref, dtype):
    """Whether a peer's fingerprint matches sigconv's (tolerance of the dtype)."""
    (shape, vals, top), (rshape, rvals, rtop) = fp, ref
    if shape != rshape:
        return False
    tol = (2e-3 if np.dtype(dtype) == np.float32 else 1e-8) * max(rtop, 1.0)
    return bool(np.all(np.abs(vals - rvals) <= tol)) and abs(top - rtop) <= tol


def run_case(peers, case, notes):
    xs, ks, dt, mode = case
    cands, skipped = [], {}
    for p in peers:             # the processes make their inputs and plans together
        p.post("case", xs, ks, dt, mode)
    for p in peers:
        try:
            names, why = p.reply()
        except RuntimeError as exc:
            notes.setdefault(f"{exc}", []).append(label(case))
            continue
        cands += [(p, n) for n in names]
        skipped.update(why)
    for name, reason in skipped.items():
        notes.setdefault(f"{name}: {reason}", []).append(label(case))
    sig = next(c for c in cands if c[1] == "sigconv")
    ref = sig[0].ask("fingerprint", "sigconv")
    good = [sig]
    for c in cands:
        if c is sig:
            continue
        try:
            ok = agrees(c[0].ask("fingerprint", c[1]), ref, DTYPES[dt])
        except RuntimeError as exc:
            notes.setdefault(f"{c[1]} failed: {exc}", []).append(label(case))
            continue
        if ok:
            good.append(c)
        else:
            notes.setdefault(f"{c[1]} disagrees with sigconv (left out)", []).append(label(case))
    t = measure(good)
    return {name: t[(p, name)] for p, name in good}


def label(case):
    xs, ks, dt, mode = case
    return f"{'x'.join(map(str, xs))} * {'x'.join(map(str, ks))} {dt} {mode}"


def small(case):
    return max(case[1]) <= SMALL_TAPS


def roofline(case, bandwidth):
    """Seconds to read the input and kernel and write the result at ``bandwidth``."""
    xs, ks, dt, mode = case
    out = math.prod(xs) if mode == "same" else math.prod(n + m - 1 for n, m in zip(xs, ks))
    item = np.dtype(DTYPES[dt]).itemsize
    return (math.prod(xs) + math.prod(ks) + out) * item / bandwidth


def bandwidth(cores):
    """Bytes read + written per second by a 256 MB numpy copy: the fastest of 5 copies
    (after a warm-up) on one thread and split over ``cores`` threads."""
    from concurrent.futures import ThreadPoolExecutor
    src = np.ones(2 ** 25)
    dst = np.empty_like(src)
    parts = np.array_split(np.arange(src.size), cores)
    pool = ThreadPoolExecutor(cores)

    def split():
        list(pool.map(lambda p: np.copyto(dst[p[0]:p[-1] + 1], src[p[0]:p[-1] + 1]), parts))

    best = 0.0
    for fn in (lambda: np.copyto(dst, src), split):
        fn()
        ts = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        best = max(best, 2 * src.nbytes / min(ts))
    pool.shutdown()
    return best


# --------------------------------------------------------------------------- report

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="compare_scipy's quick subset")
    parser.add_argument("--dims", type=int, nargs="+", choices=(1, 2, 3),
                        help="only the cases of these dimensionalities")
    parser.add_argument("--dtypes", nargs="+", choices=list(DTYPES), help="only these dtypes")
    parser.add_argument("--tuned", action="store_true",
                        help="use the user's sigconv cache (after `sigconv tune`); default: "
                             "an empty one, the shipped defaults")
    parser.add_argument("--tsv", metavar="FILE", help="write every candidate's time here")
    args = parser.parse_args(argv)
    if not args.tuned:        # inherited by the sigconv process: shipped defaults
        os.environ["SIGCONV_CACHE_DIR"] = tempfile.mkdtemp(prefix="sigconv-untuned-")
    cases = [c for c in grid(args.quick) if (not args.dims or len(c[0]) in args.dims)
             and (not args.dtypes or c[2] in args.dtypes)]
    cores = len(os.sched_getaffinity(0))
    bw = bandwidth(cores)
    ctx = mp.get_context("spawn")
    peers = [Peer(ctx, g, cores) for g in ("sigconv", "scipy", "opencv", "torch", "pyfftw")]
    print(f"{len(cases)} cases, {cores} cores, memory bandwidth {bw / 1e9:.1f} GB/s "
          "(numpy copy); times in ms, ratio = fastest peer / sigconv")
    print(f"{'case':36s} {'sigconv':>9s} {'fastest peer':>22s} {'ms':>9s} {'ratio':>7s} "
          f"{'roofline':>9s} {'sig/roof':>8s}", flush=True)
    rows, notes = [], {}
    tsv = open(args.tsv, "w") if args.tsv else None
    try:
        for case in cases:
            t = run_case(peers, case, notes)
            rows.append(report_case(case, t, bw, tsv))
    finally:
        for p in peers:
            p.stop()
        if tsv:
            tsv.close()
    summary(rows, notes, bw)


def report_case(case, t, bw, tsv):
    peer_t = {n: s for n, s in t.items() if n != "sigconv"}
    best = min(peer_t, key=peer_t.get) if peer_t else None
    ratio = peer_t[best] / t["sigconv"] if best else math.nan
    roof = roofline(case, bw) if small(case) else None
    extra = f"{roof * 1e3:9.3f} {t['sigconv'] / roof:7.1f}x" if roof else ""
    print(f"{label(case):36s} {t['sigconv'] * 1e3:9.3f} {best or '-':>22s} "
          f"{(peer_t.get(best, math.nan)) * 1e3:9.3f} {ratio:6.2f}x {extra}", flush=True)
    if tsv:
        for name, s in sorted(t.items(), key=lambda kv: kv[1]):
            tsv.write(f"{label(case)}\t{name}\t{s:.6g}\n")
        tsv.flush()
    return dict(case=case, ratio=ratio, best=best, sigconv=t["sigconv"], roof=roof,
                opencv=t.get("opencv.filter2D"))


def geomean(values):
    return math.exp(float(np.mean(np.log(values)))) if len(values) else math.nan


def summary(rows, notes, bw):
    rows = [r for r in rows if r["best"]]
    ratios = np.array([r["ratio"] for r in rows])
    print(f"\nsummary ({GOALS})")
    print(f"  cases: {len(rows)}; geometric mean {geomean(ratios):.2f}x (goal >= 1.5x)")
    worst = rows[int(np.argmin(ratios))]
    print(f"  lowest {worst['ratio']:.2f}x at {label(worst['case'])} (goal >= 0.8x); "
          f"slower than some peer in {int(np.sum(ratios < 1))} cases, below 0.8x in "
          f"{int(np.sum(ratios < 0.8))}, below 0.5x in {int(np.sum(ratios < 0.5))}")
    for r in sorted(rows, key=lambda r: r["ratio"]):
        if r["ratio"] < 0.8:
            print(f"    {label(r['case']):36s} {r['ratio']:.2f}x ({r['best']})")
    for nd in (1, 2, 3):
        sel = [r["ratio"] for r in rows if len(r["case"][0]) == nd]
        if sel:
            print(f"  {nd}-D: {len(sel)} cases, geometric mean {geomean(sel):.2f}x")
    counts = {}
    for r in rows:
        counts[r["best"]] = counts.get(r["best"], 0) + 1
    print("  fastest peer: " + ", ".join(f"{n} {c}" for n, c in
                                         sorted(counts.items(), key=lambda kv: -kv[1])))
    smalls = [r for r in rows if r["roof"]]
    if smalls:
        over = np.array([r["sigconv"] / r["roof"] for r in smalls])
        print(f"  small kernels (<= {SMALL_TAPS} taps per axis), {len(smalls)} cases: sigconv "
              f"at {geomean(over):.1f}x the memory roofline (geometric mean; "
              f"{bw / 1e9:.1f} GB/s), from {over.min():.1f}x to {over.max():.1f}x")
        for r in smalls:
            if r["case"][:3] == ((4096, 4096), (3, 3), "f4"):
                print(f"    {label(r['case'])}: {r['sigconv'] * 1e3:.2f} ms, roofline "
                      f"{r['roof'] * 1e3:.2f} ms -> {r['sigconv'] / r['roof']:.1f}x (goal "
                      "within 3x)")
        cv = [(r, r["opencv"] / r["sigconv"]) for r in smalls if r["opencv"]]
        if cv:
            r, low = min(cv, key=lambda rc: rc[1])
            print(f"  against OpenCV filter2D on {len(cv)} small 2-D cases: lowest "
                  f"{low:.2f}x at {label(r['case'])} (goal >= 1.0x on every one)")
    if notes:
        print("  notes:")
        for note, cases in notes.items():
            print(f"    {note} ({len(cases)} case{'s' if len(cases) > 1 else ''})")


if __name__ == "__main__":
    main()

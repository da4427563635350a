"""The shipped record of FFTW_ESTIMATE plans (sigconv.fft.plan_record): it covers the
lengths the engines choose, its plans compute what FFTW's own estimated plans compute, and
it is refused where it does not describe the machine."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import sigconv
from sigconv import _runtime
from sigconv.engines import overlap
from sigconv.fft import cheapest_len, plan_record
from sigconv.fft.plans import clear_cache
from sigconv.fft.wisdom import PLANNER_LOCK

pytestmark = pytest.mark.skipif(_runtime.pyfftw() is None, reason="the record is FFTW's")


@pytest.fixture
def fresh_state(monkeypatch):
    """The record's per-process state, emptied for one test and restored after it, and
    no plan cached (a cached plan is never primed again)."""
    monkeypatch.setattr(plan_record, "_state", {})
    clear_cache()


def test_shipped_record_covers_every_length_the_engines_choose():
    record = plan_record.read(plan_record.SHIPPED)
    assert record is not None, "sigconv/data/fftw_estimates.bin is missing or unreadable"
    wanted = plan_record.lengths()
    assert wanted == sorted({cheapest_len(n) for n in range(2, plan_record.LIMIT)}
                            - set(range(plan_record.LIMIT, 2 * plan_record.LIMIT)))
    for real in plan_record.DTYPES:
        assert record["index"][f"{real} 1"][0].tolist() == wanted, (
            "the record is stale: run `python benchmarks/calibrate.py --plans`")
        assert record["index"][f"{real} 2"][0].tolist() == plan_record.sides()
    from sigconv.fft.lengths import next_fast_len
    for side in (3, 17, 129, 256, 300):        # the squares of 2-D single transforms
        assert next_fast_len(side) in plan_record.sides()
    for taps in (3, 17, 65, 257, 1025, 4097):          # overlap-save's row blocks
        N = overlap.row_block(taps, 1 << 20)[0]
        assert N in wanted
    for real in plan_record.DTYPES:
        text = plan_record.entry(record, real, 1, 480)
        assert text.startswith(b"(fftw-") and text.rstrip().endswith(b")")
        assert text.count(b"(") == text.count(b")")
    assert plan_record.entry(record, "<f8", 1, 481) is None     # not a length it holds
    assert plan_record.entry(record, "<f8", 2, 4096) is None    # nor a square


_SCRIPT = textwrap.dedent("""
    import hashlib, json, sys
    import numpy as np
    from sigconv import _runtime
    from sigconv.fft import plan_record
    from sigconv.fft.wisdom import PLANNER_LOCK
    pyfftw = _runtime.pyfftw()
    use_record = sys.argv[1] == "record"
    out, primed = {}, []
    rng = np.random.default_rng(7)
    for real in ("<f8", "<f4"):
        for shape in [(1, 480), (5, 480), (1, 1000), (5, 1000), (1, 11520), (5, 11520),
                      (384, 384), (273, 273)]:
            n, nsp = shape[-1], 1 if shape[0] <= 5 else 2
            axes = tuple(range(-nsp, 0))
            if use_record:
                with PLANNER_LOCK:
                    primed.append(plan_record.prime(real, nsp, n))
            x = rng.standard_normal(shape).astype(real)
            a = pyfftw.empty_aligned(x.shape, dtype=real)
            b = pyfftw.empty_aligned(shape[:-1] + (n // 2 + 1,),
                                     dtype=np.result_type(real, 1j))
            fwd = pyfftw.FFTW(a, b, axes=axes, threads=1,      # sigconv's flags
                              flags=("FFTW_ESTIMATE", "FFTW_DESTROY_INPUT"))
            a[:] = x
            fwd.execute()
            spectrum = b.copy()
            c = pyfftw.empty_aligned(b.shape, dtype=b.dtype)
            d = pyfftw.empty_aligned(x.shape, dtype=real)
            inv = pyfftw.FFTW(c, d, axes=axes, direction="FFTW_BACKWARD", threads=1,
                              flags=("FFTW_ESTIMATE", "FFTW_DESTROY_INPUT"))
            c[:] = spectrum
            inv.execute()
            back = d.copy()
            key = f"{real} {shape}"
            out[key] = hashlib.sha256(spectrum.tobytes() + back.tobytes()).hexdigest()
            points = n ** nsp
            out[key + " error"] = float(np.abs(back / points - x).max())
    print(json.dumps({"out": out, "primed": primed}))
""")


def _run(mode):
    done = subprocess.run([sys.executable, "-c", _SCRIPT, mode], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_plans_from_the_record_compute_the_bits_of_fftws_own_estimated_plans():
    plain, recorded = _run("plain"), _run("record")
    assert any(recorded["primed"]), "the shipped record was not used on this machine"
    assert recorded["out"] == plain["out"]
    errors = [v for k, v in plain["out"].items() if k.endswith("error")]
    assert max(errors) < 1e-3                 # a round trip (float32 at 11520 points)


def test_a_call_primes_the_lengths_it_transforms(fresh_state, rng):
    x, w = rng.standard_normal(20_000), rng.standard_normal(1025)
    got = sigconv.convolve(x, w, method="fft")
    assert np.allclose(got, np.convolve(x, w), atol=1e-9)
    assert ("<f8", 1, cheapest_len(x.size + w.size - 1)) in plan_record._state["primed"]


def test_record_refused_by_a_processor_without_its_instruction_sets(fresh_state,
                                                                    monkeypatch):
    record = plan_record.read(plan_record.SHIPPED)
    monkeypatch.setattr(_runtime, "simd_flags", lambda: frozenset())
    if record["simd"]:
        with PLANNER_LOCK:
            assert plan_record.prime("<f8", 1, 480) is False
        assert plan_record._state["record"] is None


def test_record_of_another_fftw_build_is_refused_and_left_alone(fresh_state, monkeypatch,
                                                                tmp_path):
    raw = plan_record.SHIPPED.read_bytes()
    head, data = raw.split(b"\n", 1)
    meta = json.loads(head)
    meta["headers"] = [h.split(" #x")[0] + " #x0 #x0 #x0 #x0" for h in meta["headers"]]
    path = tmp_path / "foreign.bin"
    path.write_bytes(json.dumps(meta).encode() + b"\n" + data)
    monkeypatch.setattr(plan_record, "SHIPPED", path)
    with PLANNER_LOCK:
        assert plan_record.prime("<f8", 1, 480) is False    # FFTW refused the header
    assert plan_record._state["record"] is None


@pytest.mark.parametrize("content", [b"", b"not json\n", b'{"format": 99}\n'])
def test_unreadable_record_is_no_record(tmp_path, content):
    path = tmp_path / "r.bin"
    path.write_bytes(content)
    assert plan_record.read(path) is None
    assert plan_record.read(tmp_path / "missing.bin") is None


def test_write_records_every_length_and_keeps_the_process_wisdom(tmp_path):
    pyfftw = _runtime.pyfftw()
    with PLANNER_LOCK:
        before = pyfftw.export_wisdom()
    path = tmp_path / "small.bin"
    entries = plan_record.write(path, limit=64)
    sides = plan_record.sides(64)
    with PLANNER_LOCK:       # the same entries (FFTW may list them in another order)
        after = pyfftw.export_wisdom()
    assert [sorted(a.splitlines()) for a in after] == [sorted(b.splitlines()) for b in before]
    record = plan_record.read(path)
    assert entries == 2 * (len(plan_record.lengths(64)) + len(sides))
    for real in plan_record.DTYPES:
        assert record["index"][f"{real} 1"][0].tolist() == plan_record.lengths(64)
        assert record["index"][f"{real} 2"][0].tolist() == sides
        for nsp, n in [(1, n) for n in plan_record.lengths(64)] + [(2, n) for n in sides]:
            text = plan_record.entry(record, real, nsp, n)
            assert text.count(b"(") == text.count(b")") and b"fftw" in text


_SQUARES = textwrap.dedent("""
    import json
    import numpy as np
    from sigconv.fft import plan_record
    from sigconv.fft.plans import PlanCache
    from sigconv.fft.pocketfft import ScipySlot
    cache = PlanCache(1 << 30)
    kinds = {}
    for kind in ("r2c", "fwd", "inv", "c2r"):
        with cache.slot(kind, (384, 384), 2, np.dtype(np.float64), 1) as slot:
            kinds[kind] = isinstance(slot, ScipySlot)
    print(json.dumps({"scipy": kinds, "primed": sorted(map(list, plan_record._state["primed"]))}))
""")


def test_complex_squares_run_on_scipy_after_the_record_primed_their_size(tmp_path):
    """The record primes a square's real transforms only: FFTW_ESTIMATE's plans of complex
    squares are slow (384^2: 4.7 ms against pocketfft's 1.55 ms), and a complex square
    that wisdom does not hold runs on scipy.fft even after its real one was primed."""
    import os
    env = dict(os.environ, SIGCONV_CACHE_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", _SQUARES], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert ["<f8", 2, 384] in seen["primed"]
    assert seen["scipy"] == {"r2c": False, "fwd": True, "inv": True, "c2r": False}


def test_instruction_sets_are_the_ones_proc_cpuinfo_lists():
    """simd_flags (numpy's detection) names the sets the record's codelets need as the
    kernel's /proc/cpuinfo does, on a Linux machine."""
    listed = set(_runtime._cpuinfo(b"flags").split())
    assert listed, "this test reads /proc/cpuinfo (Linux)"
    for flag in ("sse2", "avx", "fma", "avx2", "avx512f"):
        assert (flag in _runtime.simd_flags()) == (flag in listed), flag


def test_plan_buffers_are_simd_aligned_and_large_ones_start_on_a_huge_page():
    """Every FFTW buffer is SIMD-aligned and C-contiguous; one of 2 MiB or more starts on a
    huge-page boundary where numpy advises huge pages (sigconv._alloc)."""
    from sigconv import _alloc
    pyfftw = _runtime.pyfftw()
    for kind, shape in (("r2c", (8,)), ("fwd", (3, 50)), ("r2c", (72, 72, 72)),
                        ("c2r", (72, 72, 72)), ("inv", (512, 512))):
        a, b, _ = plan_record.aligned_buffers(pyfftw, kind, shape, np.dtype(np.float64))
        for buf in (a, b):
            assert buf.flags.c_contiguous and buf.ctypes.data % pyfftw.simd_alignment == 0
            if buf.nbytes >= _alloc.HUGE_MIN_BYTES and _alloc._get_madvise_hugepage():
                assert buf.ctypes.data % _alloc.HUGE_PAGE == 0

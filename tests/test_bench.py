"""The fresh-process benchmark harness (sigconv._bench, _bench_report, _bench_child).

Timings are never asserted: only their structure, the inputs the children compute on,
and the arithmetic that turns numbers into ratios, medians and geometric means.
"""

import math
import os

import numpy as np
import pytest
import scipy.signal as ss

from sigconv import _bench, _bench_report
from sigconv._bench import Case, CaseResult, Timings

TINY = Case((64,), (3,))
SCIPY_METHODS = {"convolve", "convolve[w=2]", "fftconvolve", "fftconvolve[w=2]",
                 "oaconvolve", "oaconvolve[w=2]"}


def spec(side, case=TINY, **options):
    return _bench.child_spec(case, side, workers=2, steady_cap=5, steady_seconds=0.0,
                             **options)


def child(side, tmp_path, case=TINY, **options):
    return _bench.run_child(spec(side, case, **options),
                            env=_bench.child_env(tmp_path, None), cwd=tmp_path, timeout=120)


# ----------------------------------------------------------------------------- the child

def test_child_prints_the_timings_of_a_fresh_process(tmp_path):
    out = child("scipy", tmp_path, checksum=True)
    assert out["side"] == "scipy" and out["pid"] != os.getpid()
    assert out["cache_dir"] == str(tmp_path)
    assert out["import"] > 0 and out["steady"] > 0
    assert len(out["calls"]) == 10 and all(t > 0 for t in out["calls"])
    assert out["steady_calls"] == 5                       # steady_calls=5, cap 5
    assert set(out["alternatives"]) == SCIPY_METHODS
    assert out["alternatives"]["convolve"] == out["steady"]
    assert all(t > 0 for t in out["alternatives"].values())
    # the inputs: x then k from one seeded generator, standard normal
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal(64), rng.standard_normal(3)
    y = np.convolve(x, k)
    assert out["checksum"]["shape"] == [66] and out["checksum"]["dtype"] == "<f8"
    np.testing.assert_allclose(out["checksum"]["sums"], [y.sum(), 0.0, np.abs(y).sum()],
                               rtol=1e-12, atol=1e-12)


def test_sigconv_child_has_no_alternatives_and_a_checksum_only_when_asked(tmp_path):
    out = child("sigconv", tmp_path)
    assert "alternatives" not in out and "checksum" not in out
    assert len(out["calls"]) == 10 and out["steady"] > 0 and out["import"] > 0


@pytest.mark.parametrize("case", [
    Case((300,), (17,), "float32", "same"),
    Case((12, 10), (5, 3), "complex128", "full"),
    Case((9, 8, 7), (3, 2, 4), "float64", "valid"),
], ids=lambda c: c.label)
def test_both_sides_compute_on_the_same_inputs(case, tmp_path):
    [r] = _bench.run([case], repeats=1, checksum=True, steady_cap=5, steady_seconds=0.0)
    ours, theirs = r.checksums["sigconv"], r.checksums["scipy"]
    assert ours["shape"] == theirs["shape"] and ours["dtype"] == theirs["dtype"]
    # and they are the checksum of scipy's result on inputs made here the documented way
    rng = np.random.default_rng(0)
    x, k = ((rng.standard_normal(s) + 1j * rng.standard_normal(s)
             if case.dtype == "complex128" else rng.standard_normal(s)).astype(case.dtype)
            for s in (case.x, case.k))
    y = ss.convolve(x, k, case.mode)
    expected = [y.real.sum(), y.imag.sum(), np.abs(y).sum()]
    tol = 1e-4 if case.dtype == "float32" else 1e-10
    scale = expected[2]
    for got in (ours["sums"], theirs["sums"]):
        np.testing.assert_allclose(got, expected, rtol=0, atol=tol * scale)


def test_a_failing_child_reports_its_last_error_line(tmp_path):
    bad = {**spec("sigconv"), "mode": "smae"}
    with pytest.raises(_bench.ChildFailed, match=r"exit status 1: .*mode must be one of"):
        _bench.run_child(bad, env=_bench.child_env(tmp_path, None), cwd=tmp_path)


def test_a_child_past_its_timeout_is_killed_and_reported(tmp_path):
    with pytest.raises(_bench.ChildFailed, match=r"timed out after 0\.01 s"):
        _bench.run_child(spec("scipy"), env=_bench.child_env(tmp_path, None), cwd=tmp_path,
                         timeout=0.01)
    seen = []
    [r] = _bench.run([TINY], repeats=2, timeout=0.01,
                     progress=lambda *a: seen.append(a))
    assert not r.ok and r.sigconv is None and r.scipy is None
    assert r.error == "sigconv child 1: timed out after 0.01 s"
    assert [d for d, _, _ in seen] == [0, 1, 2, 3, 4]      # the skipped children count too
    assert "failed: sigconv child 1: timed out" in _bench_report.format_table([r])


# ----------------------------------------------------------------------------- the parent

def fake_output(side, value):
    out = {"side": side, "import": value, "calls": [value * (i + 1) for i in range(10)],
           "steady": value}
    if side == "scipy":
        out["alternatives"] = {"convolve": value, "oaconvolve": value / 2}
    return out


def test_run_interleaves_the_sides_and_gives_each_child_its_environment(monkeypatch, tmp_path):
    calls = []

    def fake_run_child(spec, *, env, cwd, timeout):
        calls.append((spec["side"], env["SIGCONV_CACHE_DIR"], env.get("EXTRA"), env["PYTHONPATH"]))
        return fake_output(spec["side"], 1.0 + len(calls))

    monkeypatch.setattr(_bench, "run_child", fake_run_child)
    seen = []
    results = _bench.run([TINY, Case((8, 8), (3, 3))], repeats=3, env={"EXTRA": "1"},
                         progress=lambda *a: seen.append(a))
    assert [c[0] for c in calls] == ["sigconv", "scipy"] * 6
    assert {c[2] for c in calls} == {"1"}
    fresh = [c[1] for c in calls]
    assert len(set(fresh)) == 12                       # a fresh cache directory per child
    assert all(not os.path.exists(d) for d in fresh)   # removed afterwards
    assert all(c[3].split(os.pathsep)[0] == str(_bench.PACKAGE_ROOT) for c in calls)
    assert seen[0] == (0, 12, "64 * 3 f8 full: sigconv 1/3")
    assert seen[-1] == (12, 12, "done") and len(seen) == 13
    # first case: sigconv got values 2, 4, 6 (medians 4), scipy 3, 5, 7 (median 5)
    r = results[0]
    assert r.sigconv.calls == tuple(4.0 * (i + 1) for i in range(10))
    assert r.scipy.alternatives == {"convolve": 5.0, "oaconvolve": 2.5}
    assert r.first_ratio == 5 / 4 and r.ten_ratio == 5 / 4
    assert r.scipy_fastest == ("oaconvolve", 2.5) and r.steady_ratio == 2.5 / 4
    assert r.stall == 40 / 4

    calls.clear()
    _bench.run([TINY], repeats=1, cache_dir=tmp_path)
    assert [c[1] for c in calls] == [str(tmp_path)] * 2


def test_user_cache_leaves_the_environment_as_it_is(monkeypatch):
    monkeypatch.setenv("SIGCONV_CACHE_DIR", "/somewhere/mine")
    env = _bench.child_env(_bench.USER_CACHE, None)
    assert env["SIGCONV_CACHE_DIR"] == "/somewhere/mine"
    monkeypatch.delenv("SIGCONV_CACHE_DIR")
    assert "SIGCONV_CACHE_DIR" not in _bench.child_env(_bench.USER_CACHE, {"A": "b"})


def test_combine_takes_medians_per_call_index_and_per_method():
    runs = [{"import": 3.0, "calls": [1.0, 9.0, 2.0], "steady": 4.0,
             "alternatives": {"a": 1.0, "b": 7.0}},
            {"import": 1.0, "calls": [5.0, 1.0, 3.0], "steady": 6.0,
             "alternatives": {"a": 2.0, "b": 5.0}},
            {"import": 2.0, "calls": [3.0, 4.0, 8.0], "steady": 5.0,
             "alternatives": {"a": 9.0, "b": 6.0}}]
    t = _bench.combine(runs)
    assert t == Timings(2.0, (3.0, 4.0, 3.0), 5.0, {"a": 2.0, "b": 6.0})
    assert _bench.combine(runs[:2]).calls == (3.0, 5.0, 2.5)   # even count: the mean


def result(first, rest, steady, scipy_calls, scipy_steady, alternatives=None):
    return CaseResult(Case((100,), (5,)),
                      Timings(1.0, (first,) + (rest,) * 9, steady),
                      Timings(1.0, tuple(scipy_calls), scipy_steady, alternatives or {}))


def test_summary_geometric_means_worst_cases_and_misses():
    rs = [result(1.0, 1.0, 1.0, [2.0] * 10, 2.0, {"convolve": 2.0, "fftconvolve": 3.0}),
          result(8.0, 1.0, 0.5, [1.0] * 10, 1.0),
          CaseResult(Case((7,), (2,)), None, None, error="scipy child 1: timed out")]
    s = {m.goal.metric: m for m in _bench_report.summarize(rs)}
    # first call: ratios 2 and 1/8
    assert s["first_ratio"].geomean == pytest.approx(math.sqrt(2 / 8))
    assert (s["first_ratio"].worst, s["first_ratio"].missing) == (1 / 8, 1)
    # first ten: 20/10 and 10/17
    assert s["ten_ratio"].geomean == pytest.approx(math.sqrt(2 * 10 / 17))
    assert s["ten_ratio"].missing == 1                                  # 10/17 below 1.5x
    # stall: 1/1 and 8/0.5 (the highest is the worst)
    assert (s["stall"].worst, s["stall"].missing) == (16.0, 1)
    assert s["steady_ratio"].geomean == pytest.approx(math.sqrt(2 * 2))
    assert s["steady_ratio"].goal.geomean == 2.0
    tuned = {m.goal.metric: m for m in _bench_report.summarize(rs, tuned=True)}
    assert tuned["steady_ratio"].goal.geomean == _bench_report.TUNED_STEADY_GEOMEAN
    text = _bench_report.format_summary(rs)
    assert "summary over 2 of 3 cases, shipped defaults" in text
    assert "first call vs scipy.signal.convolve's first call: geometric mean 0.50x " \
           "(goal >= 1.0x); lowest 0.12x at 100 * 5 f8 full; 1 case(s) below 0.5x " \
           "(goal: none below 0.5x)" in text
    assert "highest 16.00x" in text and "failed: 7 * 2 f8 full: scipy child 1" in text
    assert "(goal >= 2.5x)" in _bench_report.format_summary(rs, tuned=True)


def test_table_rows_print_the_times_and_their_quotients():
    r = result(0.004, 0.001, 0.001, [0.002] * 10, 0.002, {"convolve": 0.002, "oa": 0.0005})
    row = _bench_report.table_row(r, 20).split()
    assert row[5:] == ["4ms", "2ms", "0.50x", "13ms", "20ms", "1.54x", "1ms", "500us", "oa",
                       "0.50x", "4.0x"]


@pytest.mark.parametrize("call, error, match", [
    (lambda: _bench.run([]), TypeError, r"run: cases must be a non-empty sequence of Case"),
    (lambda: _bench.run([(64,)]), TypeError, r"cases must be .* got \[\(64,\)\]"),
    (lambda: _bench.run([TINY], repeats=0), ValueError, r"run: repeats must be >= 1; got 0"),
    (lambda: _bench.run([TINY], timeout=-1), ValueError, r"timeout must be a positive .*-1"),
    (lambda: _bench.run([TINY], cache_dir=3), TypeError, r"cache_dir must be None, a path"),
    (lambda: _bench.run([TINY], progress=5), TypeError, r"progress must be a callable .* 5"),
    (lambda: Case((4, 4), (3,)), ValueError, r"same number of dimensions; got \(4, 4\)"),
    (lambda: Case((4,), (0,)), ValueError, r"k shape must be >= 1; got 0"),
    (lambda: Case((4,), (2,), "U3"), TypeError, r"Case: dtype must be a numeric dtype"),
    (lambda: Case((4,), (2,), mode="smae"), ValueError, r"mode must be one of .*'smae'"),
])
def test_bad_arguments_are_refused_before_any_child_runs(monkeypatch, call, error, match):
    monkeypatch.setattr(_bench, "run_child", lambda *a, **k: pytest.fail("a child ran"))
    with pytest.raises(error, match=match):
        call()

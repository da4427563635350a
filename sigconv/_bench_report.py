"""Judging and printing :mod:`sigconv._bench` results: the goals of issue 26, the
geometric means and worst cases over the cases, and the table.

Every ratio is scipy's seconds over sigconv's (above 1: sigconv is faster).
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from dataclasses import dataclass
from typing import Sequence

from ._bench import CaseResult


@dataclass(frozen=True)
class Goal:
    """A target of issue 26 for one :class:`CaseResult` figure: a floor on the geometric
    mean over the cases (None: no such goal), and a bound that each case must keep (None:
    no such goal): at least ``case_bound``, or at most it where ``higher_is_better`` is
    False."""

    metric: str
    title: str
    geomean: float | None
    case_bound: float | None
    higher_is_better: bool = True

    @property
    def count_bound(self) -> float:
        """The bound by which cases are counted: ``case_bound``, else ``geomean``."""
        return self.geomean if self.case_bound is None else self.case_bound


GOALS = (
    Goal("first_ratio", "first call vs scipy.signal.convolve's first call", 1.0, 0.5),
    Goal("ten_ratio", "sum of the first ten calls vs scipy's first ten", 1.5, None),
    Goal("stall", "sigconv's slowest of its first ten calls / its median call", None, 3.0,
         higher_is_better=False),
    Goal("steady_ratio", "steady state vs scipy's fastest method", 2.0, 1.0),
)
TUNED_STEADY_GEOMEAN = 2.5   # the steady goal after `sigconv tune`; GOALS holds the shipped one


@dataclass(frozen=True)
class MetricSummary:
    """A figure over the cases: its geometric mean, the worst case (lowest, or highest
    for a bound from above), and how many cases miss ``goal.count_bound``."""

    goal: Goal
    geomean: float
    worst: float
    worst_case: str
    missing: int


def geometric_mean(values: Sequence[float]) -> float:
    """``exp(mean(log(values)))``.

    Examples
    --------
    >>> geometric_mean([1.0, 4.0])
    2.0
    """
    return math.exp(statistics.fmean(math.log(v) for v in values))


def summarize(results: Sequence[CaseResult], *, tuned: bool = False) -> list:
    """A :class:`MetricSummary` per goal of :data:`GOALS`, over the cases that ran (the
    steady geometric-mean goal is :data:`TUNED_STEADY_GEOMEAN` when ``tuned``).

    Examples
    --------
    >>> from sigconv._bench import Case, CaseResult, Timings
    >>> def case(first_s):    # scipy's calls take 0.2 s; sigconv's first call first_s
    ...     return CaseResult(Case((100,), (5,)), Timings(1, (first_s,) + (0.1,) * 9, 0.1),
    ...                       Timings(1, (0.2,) * 10, 0.2))
    >>> first = summarize([case(0.05), case(0.8)])[0]
    >>> first.geomean, first.worst, first.missing
    (1.0, 0.25, 1)
    """
    ran = [r for r in results if r.ok]
    out = []
    for goal in GOALS:
        if goal.metric == "steady_ratio" and tuned:
            goal = dataclasses.replace(goal, geomean=TUNED_STEADY_GEOMEAN)
        values = [getattr(r, goal.metric) for r in ran]
        if not values:
            continue
        sign = 1 if goal.higher_is_better else -1
        worst = min(range(len(values)), key=lambda i: sign * values[i])
        missing = sum(sign * v < sign * goal.count_bound for v in values)
        out.append(MetricSummary(goal, geometric_mean(values), values[worst],
                                 ran[worst].case.label, missing))
    return out


def seconds(t: float) -> str:
    """``t`` seconds with three significant digits and a unit.

    Examples
    --------
    >>> seconds(2.0123), seconds(0.0162), seconds(4.2e-5)
    ('2.01s', '16.2ms', '42us')
    """
    unit, scale = next((u, s) for u, s in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6))
                       if t >= s or u == "us")
    return f"{t / scale:.3g}{unit}"


def table_header(width: int) -> str:
    """The two header lines of the table, for case labels of ``width`` characters."""
    return (f"{'':{width}}  {'--- first call ---':^26}  {'--- first ten calls ---':^26}  "
            f"{'--- steady state (scipy: its fastest method) ---':^48}  slowest of ten\n"
            f"{'case':{width}}  {'sigconv':>8} {'scipy':>8} {'ratio':>8}  "
            f"{'sigconv':>8} {'scipy':>8} {'ratio':>8}  {'sigconv':>8} {'scipy':>8} "
            f"{'method':>21} {'ratio':>8}  / its median")


def table_row(r: CaseResult, width: int) -> str:
    """One case: first call, sum of the first ten, steady state (sigconv, scipy, ratio
    each) and sigconv's slowest of the first ten / its median call."""
    if not r.ok:
        return f"{r.case.label:{width}}  failed: {r.error}"
    sc, sp = r.sigconv, r.scipy
    name, fastest = r.scipy_fastest
    return (f"{r.case.label:{width}}  {seconds(sc.calls[0]):>8} {seconds(sp.calls[0]):>8} "
            f"{r.first_ratio:7.2f}x  {seconds(sum(sc.calls)):>8} {seconds(sum(sp.calls)):>8} "
            f"{r.ten_ratio:7.2f}x  {seconds(sc.steady):>8} {seconds(fastest):>8} {name:>21} "
            f"{r.steady_ratio:7.2f}x  {r.stall:7.1f}x")


def format_table(results: Sequence[CaseResult]) -> str:
    """:func:`table_header` and a :func:`table_row` per case."""
    width = max(len(r.case.label) for r in results)
    return "\n".join([table_header(width)] + [table_row(r, width) for r in results])


def format_summary(results: Sequence[CaseResult], *, tuned: bool = False) -> str:
    """The geometric means, worst cases and misses of :func:`summarize`, each beside its
    goal, and the median import times (which the call times leave out)."""
    ran = [r for r in results if r.ok]
    cache = "after `sigconv tune` (the user's cache)" if tuned else "shipped defaults"
    lines = [f"summary over {len(ran)} of {len(results)} cases, {cache}; "
             "ratio = scipy seconds / sigconv seconds (above 1: sigconv is faster)"]
    for m in summarize(results, tuned=tuned):
        g = m.goal
        side = "below" if g.higher_is_better else "above"
        floor = "" if g.geomean is None else f" (goal >= {g.geomean:.1f}x)"
        bound = "" if g.case_bound is None else f" (goal: none {side} {g.case_bound:.1f}x)"
        lines.append(f"  {g.title}: geometric mean {m.geomean:.2f}x{floor}; "
                     f"{'lowest' if g.higher_is_better else 'highest'} {m.worst:.2f}x at "
                     f"{m.worst_case}; {m.missing} case(s) {side} {g.count_bound:.1f}x{bound}")
        if g.metric == "stall":
            lines.append("    (scipy.signal.convolve's own slowest of ten / its median call: "
                         f"geometric mean {geometric_mean([r.scipy_stall for r in ran]):.2f}x)")
    lines += [f"  failed: {r.case.label}: {r.error}" for r in results if not r.ok]
    if ran:
        lines.append("  import time (median over cases, not in the call times): sigconv "
                     f"{seconds(statistics.median(r.sigconv.import_seconds for r in ran))}, "
                     f"scipy.signal "
                     f"{seconds(statistics.median(r.scipy.import_seconds for r in ran))}")
    return "\n".join(lines)

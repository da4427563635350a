"""Every figure sigconv draws passes the reader's audit (tests/figure_audit.py): no clipped
text, labelled axes, colour bars where colour carries a value, no clipped points, whole
epochs.  The examples are audited where they run (tests/test_examples.py)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import figure_audit  # noqa: E402
from sigconv import plotting  # noqa: E402
from sigconv.filters import FilterBank, gabor_bank  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


FIGURES = {
    "bank 3x6": lambda: plotting.plot_bank(gabor_bank([0.05, 0.1, 0.2], 6)),
    "bank 4x6 imag": lambda: plotting.plot_bank(gabor_bank([0.05, 0.1, 0.2, 0.3], 6),
                                                part="imag"),
    "bank of arrays": lambda: plotting.plot_bank([np.ones((3, 3)), np.eye(5)]),
    "bank 3-D abs": lambda: plotting.plot_bank(
        gabor_bank(0.2, [(0.0, 0.0), (1.0, 0.0)], sigma=1.0, ndim=3), part="abs"),
    "responses combined": lambda: plotting.plot_frequency_responses(gabor_bank([0.1, 0.3], 4)),
    "responses per kernel": lambda: plotting.plot_frequency_responses(
        gabor_bank([0.1, 0.2, 0.3], 6), combined=False),
    "responses ncols": lambda: plotting.plot_frequency_responses(
        FilterBank([np.ones((3, 3)), np.eye(3), np.ones((1, 5))]), combined=False, ncols=2),
    "edges": lambda: plotting.plot_edges(np.random.default_rng(0).random((30, 40)),
                                         np.eye(30, 40, dtype=bool), title="edges"),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_plotting_figures_pass_the_audit(name):
    assert figure_audit.problems(FIGURES[name]()) == []


def test_demo_figures_pass_the_audit(tmp_path, monkeypatch):
    from sigconv import _demo
    audited = []
    monkeypatch.setattr(Figure, "savefig",
                        figure_audit._audited_savefig(Figure.savefig, audited))
    assert _demo.run(tmp_path / "demo", force=False, quick=True, say=lambda line: None) == 0
    assert len(audited) == 5


def test_gabor_picture_passes_the_audit(tmp_path, monkeypatch):
    from sigconv import cli
    audited = []
    monkeypatch.setattr(Figure, "savefig",
                        figure_audit._audited_savefig(Figure.savefig, audited))
    assert cli.main(["gabor", "-o", str(tmp_path / "b.npz"), "--picture",
                     str(tmp_path / "b.png"), "-q"]) == 0
    assert len(audited) == 1


# ----------------------------------------------------------------------------- the audit itself

def bad_figures():
    fig1, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_xlabel("time (s)")                         # no y label
    fig2, ax = plt.subplots(figsize=(3, 2))
    ax.set_axis_off()
    fig2.text(0.5, 1.02, "a title above the figure")  # clipped text
    fig3, ax = plt.subplots()
    ax.imshow(np.random.default_rng(0).random((4, 4)), cmap="viridis")
    ax.set_axis_off()                                 # colour with no colour bar
    fig4, ax = plt.subplots()
    ax.plot([1, 2, 3], [0.5, 0.95, 0.97])
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0.9, 1.0))  # first point clipped
    fig5, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 2, 1])
    ax.set(xlabel="epoch", ylabel="loss")             # ticks at 1.0, 1.25, ...
    return {"the y axis has tick labels but no label": fig1,
            "clipped by the figure edge": fig2, "no colour bar": fig3,
            "outside the view": fig4, "fractional ticks": fig5}


@pytest.mark.parametrize("fragment", sorted(bad_figures()))
def test_the_audit_finds_each_problem(fragment):
    found = figure_audit.problems(bad_figures()[fragment])
    assert any(fragment in problem for problem in found), found

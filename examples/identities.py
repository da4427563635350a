"""
Continuous and sampled convolution, and the identities
======================================================

Part 1 evaluates the convolution integral of a Gaussian and a box by quadrature, compares
it with the closed form, and shows the sampled approximation ``dx * sum`` converging to it:
first order with the rectangle rule (the box's end samples get full weight), second order
with the trapezoid rule.  Part 2 prints ``check_all`` for convolve (direct and FFT), for
correlate, and for a deliberately wrong operator whose output is off by one sample.

Run it: ``python examples/identities.py OUTPUT`` saves the figure to ``OUTPUT`` (a ``.png``
path, or a directory that receives ``identities.png``; a temporary directory when
omitted).
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sigconv  # noqa: E402
from sigconv import continuous  # noqa: E402
from sigconv.properties import check_all  # noqa: E402

STEPS = [2.0 ** -k for k in range(2, 8)]

# %%
# Part 1: the integral, its closed form, and the sampled sum
# ----------------------------------------------------------
# :func:`sigconv.continuous.convolve` integrates :math:`(f * g)(t) = \int f(s)\,g(t-s)\,ds`
# by adaptive quadrature; :func:`sigconv.continuous.sampled` approximates it by
# ``dx * sum`` over samples.  For a Gaussian and a box the error falls as ``dx`` with the
# rectangle rule and as ``dx**2`` with the trapezoid rule.


def convergence(pair, f_support):
    """Max error of the sampled approximation per rule and dx."""
    support = (f_support, pair.g_support)
    errors = {rule: [] for rule in continuous.RULES}
    for dx in STEPS:
        for rule in continuous.RULES:
            t, v = continuous.sampled(pair.f, pair.g, dx, support=support, rule=rule)
            errors[rule].append(float(np.max(np.abs(v - pair.s(t)))))
    return errors


def figure(path):
    pair = continuous.pairs.gaussian_box(sigma=0.5, width=2.0)
    f_support = (-5.0, 5.0)  # the Gaussian is below 1e-43 beyond 5 (10 sigma)
    t = np.linspace(-3, 3, 241)
    quad, err = continuous.convolve(pair.f, pair.g, t, support=pair.support, return_error=True)
    print(f"quadrature vs closed form ({pair.name}): max |diff| = "
          f"{np.max(np.abs(quad - pair.s(t))):.2e}, max error estimate {err.max():.2e}")
    errors = convergence(pair, f_support)
    print("max error of the sampled approximation:")
    print("      dx   rectangle   trapezoid")
    for i, dx in enumerate(STEPS):
        print(f"{dx:8.4f}   {errors['rectangle'][i]:9.2e}   {errors['trapezoid'][i]:9.2e}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    ax1.plot(t, quad, "k", lw=2, label="quadrature")
    for dx, style in ((0.5, "o"), (0.25, "s")):
        ts, vs = continuous.sampled(pair.f, pair.g, dx, support=(f_support, pair.g_support))
        keep = (ts >= t[0]) & (ts <= t[-1])
        ax1.plot(ts[keep], vs[keep], style, ms=4, label=f"rectangle, dx={dx}")
    ax1.set(xlabel="t", ylabel="(f * g)(t)", title=pair.name)
    ax1.legend(fontsize=8)
    for rule, style in (("rectangle", "o-"), ("trapezoid", "s-")):
        ax2.loglog(STEPS, errors[rule], style, label=rule)
    ax2.loglog(STEPS, [0.4 * dx for dx in STEPS], "k:", label="O(dx)")
    ax2.loglog(STEPS, [0.08 * dx * dx for dx in STEPS], "k--", label="O(dx^2)")
    ax2.set(xlabel="dx", ylabel="max |sampled - exact|", title="convergence")
    ax2.legend(fontsize=8)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    print(f"figure saved to {path}")


# %%
# Part 2: the identities as checks
# --------------------------------
# :func:`sigconv.properties.check_all` computes both sides of each identity and compares
# them within a floating-point error bound derived from the inputs (0 for integers).
# ``correlate`` is not commutative and has no convolution theorem, and an operator off by
# one sample keeps its linearity but loses the theorem: those rows say ``NO``.


def off_by_one(in1, in2, mode="full", method="auto", **options):
    """A wrong operator: the convolution shifted by one sample (cyclically)."""
    return np.roll(sigconv.convolve(in1, in2, mode, method, **options), 1)


def identities():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(24), rng.standard_normal(7)
    for op, method in ((sigconv.convolve, "direct"), (sigconv.convolve, "fft"),
                       (sigconv.correlate, "auto"), (off_by_one, "auto")):
        print()
        print(check_all(a, b, op=op, method=method))
    print()
    print(check_all(rng.integers(-9, 10, (5, 6)), rng.integers(-9, 10, (3, 2))))


def main(argv):
    if len(argv) > 1:
        path = argv[1]
        if os.path.isdir(path):
            path = os.path.join(path, "identities.png")
    else:
        path = os.path.join(tempfile.mkdtemp(prefix="sigconv-"), "identities.png")
    figure(path)
    identities()


# %%
# Run
# ---

if __name__ == "__main__":
    main(sys.argv)

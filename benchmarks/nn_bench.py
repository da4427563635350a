"""sigconv.nn training speed, with PyTorch (CPU) timed in the same run when installed.

    python benchmarks/nn_bench.py [--repeats N] [--threads T]

Cases (float32, medians of repeats, seconds reported in ms):

* ``digits epoch``: one training epoch (SGD with momentum, batch 32) over 1,437 digits
  (scikit-learn's 8x8 digits, 80 % stratified split) of
  conv3x3(1->16, same)-ReLU-maxpool2-conv3x3(16->32, same)-ReLU-flatten-dense(512->10).
* ``conv 32->64 fwd+bwd``: forward and backward of Conv2D(32->64, 3x3, padding 1) on a
  (64, 32, 28, 28) batch.
* ``28x28 net step``: one batch-64 training step of the PyTorch MNIST-example network
  conv3x3(1->32)-ReLU-conv3x3(32->64)-ReLU-maxpool2-flatten-dense(9216->128)-ReLU-dense(128->10).

The ratio column is sigconv time / PyTorch time (goal <= 1.0, issue 30).  The two are
timed alternately in blocks of BLOCK calls, round by round, so both see the same machine
load; the first call of each block is not counted: PyTorch's OpenMP threads spin for a
while after its call, and on two cores the call that follows a switch, whichever
library's, pays for it (sigconv's conv 32->64 after a PyTorch call: 48.5 ms, within a
block 41.5, with PyTorch at 40-41 ms either way).  The load average is printed before and
after.  Without PyTorch
only sigconv is timed.  ``--threads`` (default 2, as in the issue) sets PyTorch's threads
and, through threadpoolctl when it is installed, numpy's BLAS threads -- which is also
the number of threads sigconv.nn spreads a convolution's batch chunks over.  As in
PyTorch, where the input does not require a gradient, the first layer computes no input
gradient.
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sigconv import nn  # noqa: E402
from sigconv._runtime import median_time  # noqa: E402


#: calls per block of :func:`alternate`; the first of each block is not counted
BLOCK = 3


def alternate(fns, repeats):
    """Median seconds of each function, timed in turn in blocks of BLOCK calls, ``repeats``
    counted calls each (same load; a block's first call, after the switch, uncounted)."""
    times = [[] for _ in fns]
    while len(times[0]) < repeats:
        for fn, ts in zip(fns, times):
            fn()
            for _ in range(BLOCK - 1):
                t0 = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t0)
    return [statistics.median(ts[:repeats]) for ts in times]


def digits_data():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    X = (d.images / 16.0).astype(np.float32)[:, None]
    X_train, _, y_train, _ = train_test_split(X, d.target, test_size=0.2, stratify=d.target,
                                              random_state=0)
    return X_train, y_train


# ---------------------------------------------------------------------- sigconv
def sc_digits_net():
    return nn.Sequential([nn.Conv2D(1, 16, 3, padding="same", seed=0), nn.ReLU(),
                          nn.MaxPool2D(2), nn.Conv2D(16, 32, 3, padding="same", seed=1),
                          nn.ReLU(), nn.Flatten(), nn.Dense(512, 10, seed=2)])


def sc_mnist_net():
    return nn.Sequential([nn.Conv2D(1, 32, 3, seed=0), nn.ReLU(), nn.Conv2D(32, 64, 3, seed=1),
                          nn.ReLU(), nn.MaxPool2D(2), nn.Flatten(),
                          nn.Dense(9216, 128, seed=2), nn.ReLU(), nn.Dense(128, 10, seed=3)])


def sc_cases(X, y):
    model, opt = sc_digits_net(), nn.SGD(0.05, momentum=0.9)
    epoch = lambda: model.fit(X, y, epochs=1, batch_size=32, optimizer=opt,
                              loss=nn.SoftmaxCrossEntropy(), seed=0, verbose=0)
    conv = nn.Conv2D(32, 64, 3, padding=1, seed=0)
    xb = np.random.default_rng(0).standard_normal((64, 32, 28, 28)).astype(np.float32)
    dyb = np.random.default_rng(1).standard_normal((64, 64, 28, 28)).astype(np.float32)
    fwd_bwd = lambda: (conv.forward(xb), conv.backward(dyb))
    net, loss = sc_mnist_net(), nn.SoftmaxCrossEntropy()
    opt2 = nn.SGD(net.parameters(), lr=0.01, momentum=0.9)
    xm = np.random.default_rng(2).standard_normal((64, 1, 28, 28)).astype(np.float32)
    ym = np.random.default_rng(3).integers(0, 10, 64)
    net.layers[0].input_grad = False     # as Sequential.fit does (and PyTorch for xm)

    def step():
        out = net.forward(xm)
        loss.forward(out, ym)
        net.backward(loss.backward().astype(np.float32))
        opt2.step()
    return {"digits epoch": epoch, "conv 32->64 fwd+bwd": fwd_bwd, "28x28 net step": step}


# ---------------------------------------------------------------------- PyTorch
def torch_cases(X, y, threads):
    import torch
    torch.set_num_threads(threads)
    tnn = torch.nn
    torch.manual_seed(0)
    digits = tnn.Sequential(tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                            tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.Flatten(),
                            tnn.Linear(512, 10))
    opt = torch.optim.SGD(digits.parameters(), lr=0.05, momentum=0.9)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    gen = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(len(Xt), generator=gen)
        for i in range(0, len(Xt), 32):
            idx = order[i:i + 32]
            opt.zero_grad()
            tnn.functional.cross_entropy(digits(Xt[idx]), yt[idx]).backward()
            opt.step()
    conv = tnn.Conv2d(32, 64, 3, padding=1)
    xb = torch.from_numpy(np.random.default_rng(0).standard_normal((64, 32, 28, 28))
                          .astype(np.float32)).requires_grad_()
    dyb = torch.from_numpy(np.random.default_rng(1).standard_normal((64, 64, 28, 28))
                           .astype(np.float32))

    def fwd_bwd():
        conv.zero_grad()
        xb.grad = None
        conv(xb).backward(dyb)
    net = tnn.Sequential(tnn.Conv2d(1, 32, 3), tnn.ReLU(), tnn.Conv2d(32, 64, 3), tnn.ReLU(),
                         tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(9216, 128), tnn.ReLU(),
                         tnn.Linear(128, 10))
    opt2 = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    xm = torch.from_numpy(np.random.default_rng(2).standard_normal((64, 1, 28, 28))
                          .astype(np.float32))
    ym = torch.from_numpy(np.random.default_rng(3).integers(0, 10, 64))

    def step():
        opt2.zero_grad()
        tnn.functional.cross_entropy(net(xm), ym).backward()
        opt2.step()
    return {"digits epoch": epoch, "conv 32->64 fwd+bwd": fwd_bwd, "28x28 net step": step}


def crossover(repeats):
    """im2col against FFT (and Winograd for 3x3) for growing kernels, and what
    method='auto' picks (forward passes)."""
    from sigconv.nn import _conv, _winograd, functional as F
    rng = np.random.default_rng(0)
    print(f"{'conv (N, C->O, HxW, k)':<30}{'im2col ms':>11}{'fft ms':>9}{'wino ms':>9}"
          f"{'auto':>10}")
    for n, c, o, h, k in [(32, 1, 16, 8, 3), (32, 16, 32, 4, 3), (16, 8, 16, 64, 3),
                          (64, 32, 64, 28, 3), (16, 8, 16, 64, 5), (16, 8, 16, 64, 7),
                          (8, 4, 8, 64, 11), (4, 1, 4, 256, 31)]:
        x = rng.standard_normal((n, c, h, h)).astype(np.float32)
        w = rng.standard_normal((o, c, k, k)).astype(np.float32)
        wino = _winograd.applies((1, 1), (1, 1), 1, (k, k))
        methods = ("im2col", "fft", "winograd") if wino else ("im2col", "fft")
        t = {m: median_time(lambda: F.conv(x, w, padding="same", method=m), repeats)
             for m in methods}
        pick = _conv.choose((n, c, h + k - 1, h + k - 1), w.shape, (h, h), 1, winograd=wino)
        wt = f"{t['winograd'] * 1e3:>9.1f}" if wino else f"{'-':>9}"
        print(f"{f'({n}, {c}->{o}, {h}x{h}, {k})':<30}{t['im2col'] * 1e3:>11.1f}"
              f"{t['fft'] * 1e3:>9.1f}{wt}{pick:>10}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    X, y = digits_data()
    try:   # numpy's BLAS threads (optional: threadpoolctl comes with scikit-learn)
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(args.threads, user_api="blas")
    except ImportError:
        limiter = None
    ours = sc_cases(X, y)
    try:
        import torch  # noqa: F401
        ref = torch_cases(X, y, args.threads)
    except ImportError:
        ref = None
    blas = "BLAS threads set" if limiter is not None else "BLAS threads as installed"
    print(f"sigconv.nn benchmark: {len(X)} digits, medians of {args.repeats} repeats, "
          f"{args.threads} thread(s) ({blas}), load average {os.getloadavg()[0]:.1f}")
    header = f"{'case':<22}{'sigconv ms':>12}"
    print(header + (f"{'torch ms':>12}{'ratio':>8}  (goal <= 1.0)" if ref
                    else "   (PyTorch not installed)"))
    for case, fn in ours.items():
        if ref:
            t, tr = alternate([fn, ref[case]], args.repeats)
            print(f"{case:<22}{t * 1e3:>12.1f}{tr * 1e3:>12.1f}{t / tr:>8.2f}")
        else:
            print(f"{case:<22}{median_time(fn, args.repeats) * 1e3:>12.1f}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    crossover(max(3, args.repeats // 2))


if __name__ == "__main__":
    main()

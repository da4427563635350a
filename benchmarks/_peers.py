"""The candidates of compare_peers.py, by process group.

Each group runs in its own process (their thread runtimes must not meet: PyTorch's
OpenMP, pyFFTW's libgomp, OpenCV's pool), and imports its library only there.
:func:`candidates` returns ``({name: fn}, {name: why skipped})`` for one case; each ``fn()``
returns the 'full' or 'same' convolution of the case as a numpy array, computed as a user
of that library would write it.
"""

import math

import numpy as np

GROUPS = ("sigconv", "scipy", "opencv", "torch", "pyfftw")

# rough multiply-adds per second of the direct sums, only to skip calls that would run
# for minutes (a peer estimated over MAX_SECONDS is not timed, and says so)
DIRECT_MACS = {"numpy": 1e9, "scipy": 1e9, "ndimage": 1e9, "torch": 5e9}
MAX_SECONDS = 5.0


def direct_seconds(xs, ks, mode, who):
    out = math.prod(n + (k - 1 if mode == "full" else 0) for n, k in zip(xs, ks))
    return out * math.prod(ks) / DIRECT_MACS[who]


def candidates(group, x, k, mode, cores):
    """``({name: fn}, {name: reason})`` of ``group`` for one case."""
    return {"sigconv": _sigconv, "scipy": _scipy, "opencv": _opencv, "torch": _torch,
            "pyfftw": _pyfftw}[group](x, k, mode, cores)


def _too_slow(xs, ks, mode, who):
    if direct_seconds(xs, ks, mode, who) > MAX_SECONDS:
        return f"not timed where its direct sum is estimated over {MAX_SECONDS:.0f} s"
    return None


def _sigconv(x, k, mode, cores):
    import sigconv
    return {"sigconv": lambda: sigconv.convolve(x, k, mode)}, {}


def _scipy(x, k, mode, cores):
    import scipy.fft
    import scipy.ndimage as ndi
    import scipy.signal as ss

    fns, skipped = {}, {}
    methods = {"auto": lambda: ss.convolve(x, k, mode, method="auto"),
               "fft": lambda: ss.fftconvolve(x, k, mode),
               "oa": lambda: ss.oaconvolve(x, k, mode)}
    for name, fn in methods.items():
        fns[f"scipy.{name}"] = fn

        def threaded(fn=fn):
            with scipy.fft.set_workers(cores):
                return fn()
        fns[f"scipy.{name}[w={cores}]"] = threaded
    slow = _too_slow(x.shape, k.shape, mode, "scipy")
    if slow:
        skipped["scipy.direct"] = slow
    else:
        fns["scipy.direct"] = lambda: ss.convolve(x, k, mode, method="direct")
    if x.ndim == 1:
        slow = _too_slow(x.shape, k.shape, mode, "numpy")
        if slow:
            skipped["numpy.convolve"] = slow
        else:
            fns["numpy.convolve"] = lambda: np.convolve(x, k, mode)
    if mode == "same":
        slow = _too_slow(x.shape, k.shape, mode, "ndimage")
        if slow:
            skipped["ndimage.convolve"] = slow
        else:       # odd kernels: ndimage's centre is scipy.signal's
            fns["ndimage.convolve"] = lambda: ndi.convolve(x, k, mode="constant", cval=0.0)
    return fns, skipped


def _opencv(x, k, mode, cores):
    if x.ndim != 2 or mode != "same" or x.dtype.kind == "c":
        return {}, {}
    import cv2
    cv2.setNumThreads(cores)
    flipped = np.ascontiguousarray(k[::-1, ::-1])     # filter2D correlates
    return {"opencv.filter2D": lambda: cv2.filter2D(
        x, -1, flipped, borderType=cv2.BORDER_CONSTANT)}, {}


def _torch(x, k, mode, cores):
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return {}, {"torch": "PyTorch is not installed (pip install torch)"}
    slow = _too_slow(x.shape, k.shape, mode, "torch")
    if slow:
        return {}, {"torch.conv": slow}
    torch.set_num_threads(cores)
    conv = (F.conv1d, F.conv2d, F.conv3d)[x.ndim - 1]
    xt = torch.from_numpy(x)[None, None]
    kt = torch.from_numpy(np.ascontiguousarray(np.flip(k)))[None, None]   # torch correlates
    padding = tuple(m - 1 for m in k.shape) if mode == "full" else "same"

    def run():
        with torch.inference_mode():
            return conv(xt, kt, padding=padding)[0, 0].numpy()
    return {f"torch.conv{x.ndim}d": run}, {}


def _pyfftw(x, k, mode, cores):
    recipe = FFTWRecipe(x.shape, k.shape, x.dtype, mode, cores)
    return {"pyfftw": lambda: recipe(x, k)}, {}


class FFTWRecipe:
    """Convolution as a user writes it with pyFFTW: plans measured once (FFTW_MEASURE,
    at most 10 s each) on aligned, zero-padded buffers of scipy's fast lengths and cached
    here; each call copies the inputs in, transforms both, multiplies, transforms back
    and copies out the 'full' or 'same' crop."""

    def __init__(self, xs, ks, dtype, mode, threads):
        import pyfftw
        import scipy.fft

        real = np.dtype(dtype).kind != "c"
        full = [n + m - 1 for n, m in zip(xs, ks)]
        shape = [scipy.fft.next_fast_len(n, real=real) for n in full]
        spec_shape = shape[:-1] + [shape[-1] // 2 + 1] if real else shape
        cplx = np.result_type(dtype, np.complex64)
        self.xa, self.ka = (pyfftw.empty_aligned(shape, dtype=dtype) for _ in range(2))
        self.xs, self.ks, self.spec = (pyfftw.empty_aligned(spec_shape, dtype=cplx)
                                       for _ in range(3))
        self.res = pyfftw.empty_aligned(shape, dtype=dtype)
        kw = dict(axes=tuple(range(len(shape))), threads=threads, flags=("FFTW_MEASURE",),
                  planning_timelimit=10.0)
        self.fx = pyfftw.FFTW(self.xa, self.xs, **kw)
        self.fk = pyfftw.FFTW(self.ka, self.ks, **kw)
        self.inv = pyfftw.FFTW(self.spec, self.res, direction="FFTW_BACKWARD", **kw)
        self.xa[...], self.ka[...] = 0, 0      # planning wrote over them; the pads stay 0
        self.xin = tuple(slice(0, n) for n in xs)
        self.kin = tuple(slice(0, m) for m in ks)
        start = [(m - 1) // 2 if mode == "same" else 0 for m in ks]
        size = xs if mode == "same" else full
        self.crop = tuple(slice(s, s + n) for s, n in zip(start, size))

    def __call__(self, x, k):
        self.xa[self.xin] = x
        self.ka[self.kin] = k
        self.fx()
        self.fk()
        np.multiply(self.xs, self.ks, out=self.spec)
        self.inv()
        return self.res[self.crop].copy()

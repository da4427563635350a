"""Transform lengths FFTW computes fast: :func:`next_fast_len` and :func:`cheapest_len`.

Pure integer arithmetic on the 7-smooth numbers (times at most one 11 or 13), the sizes
FFTW has codelets for.
"""

import bisect
import functools

import numpy as np

__all__ = ["next_fast_len", "cheapest_len"]


def _smooth_numbers(limit):
    """Sorted 7-smooth numbers times 1, 11 or 13, up to ``limit`` (FFTW's fast sizes), as
    an int64 array."""
    out = np.array([1], dtype=np.int64)
    for p in (2, 3, 5, 7):
        powers = [out]
        while True:
            nxt = powers[-1] * p
            nxt = nxt[nxt <= limit]
            if not nxt.size:
                break
            powers.append(nxt)
        out = np.concatenate(powers)
    out = np.concatenate([out, out[out * 11 <= limit] * 11, out[out * 13 <= limit] * 13])
    return np.sort(out)


#: lengths beyond this run slower with many factors of 2 (see :func:`factor_cost`)
LARGE_LEN = 1 << 18


def factor_cost(n):
    """Relative time per ``n log2 n`` of FFTW transforms of lengths ``n`` (an int array),
    from their factors (measured on 1-D float64/float32 transforms here): odd lengths run
    about twice as slow, a single factor 2 adds a quarter, 11 or 13 a quarter, each 7 a
    tenth, each 3 or 5 a few percent (11025 = 3^2 5^2 7^2 took 99 us against 39 us for
    11200 and 11520); beyond LARGE_LEN each factor 2 past 2^14 adds a tenth (2^21 took
    25 ms against 16 ms for 2000000 = 2^7 5^6).

    Examples
    --------
    >>> from sigconv.fft.lengths import factor_cost
    >>> factor_cost(np.array([1024, 11025, 11520])).round(2).tolist()
    [1.0, 2.32, 1.09]
    """
    n = np.asarray(n, dtype=np.int64)
    twos = np.log2(n & -n).astype(np.int64)
    odd = n >> twos
    cost = 1.0 + np.where((twos == 0) & (n > 2), 1.0, np.where(twos == 1, 0.25, 0.0))
    for p, c in ((3, 0.03), (5, 0.03), (7, 0.1)):
        while True:
            divisible = odd % p == 0
            if not divisible.any():
                break
            odd = np.where(divisible, odd // p, odd)
            cost = cost + c * divisible
    cost = cost + 0.25 * (odd > 1)                              # 11 or 13
    return cost + 0.1 * np.maximum(0, twos - 14) * (n > LARGE_LEN)   # cache-thrashing strides


_FAST = _smooth_numbers(1 << 40)
#: ``n log2 n`` times :func:`factor_cost`: the relative time of each fast length
_WEIGHT = _FAST * np.log2(np.maximum(_FAST, 2)) * factor_cost(_FAST)
# the same as lists: a lookup is a few bisections, not numpy calls (~4 us against ~28 us
# uncached; the cost model looks up dozens of lengths in a shape's first call)
_FAST_LIST, _WEIGHT_LIST = _FAST.tolist(), _WEIGHT.tolist()


#: how far above ``n`` :func:`cheapest_len` looks for a faster length
CHEAPEST_SLACK = 1.25
#: and at most this many fast lengths from the smallest one
CHEAPEST_CANDIDATES = 48


@functools.lru_cache(maxsize=4096)
def cheapest_len(n, *, real=True):
    """The FFTW-friendly length ``>= n`` with the lowest estimated transform time.

    :func:`next_fast_len` gives the smallest friendly length; a slightly longer one is
    often faster (lengths rich in factors of 2 beat those with 7s, 11s or 13s, and odd
    lengths run about twice as slow).  This one weighs ``N log2 N`` by a cost per factor
    over the friendly lengths up to 25 % above ``n``.  Padding to it is free where a
    transform's length can be chosen (zero-padded convolution, overlap blocks).

    Parameters
    ----------
    n : int
    real : bool
        Passed to :func:`next_fast_len` for the smallest candidate.

    Returns
    -------
    int

    Examples
    --------
    >>> from sigconv.fft import cheapest_len, next_fast_len
    >>> next_fast_len(11024), cheapest_len(11024)
    (11088, 11520)
    >>> cheapest_len(1024)
    1024
    """
    first = next_fast_len(n, real=real)
    i = bisect.bisect_left(_FAST_LIST, first)
    j = bisect.bisect_right(_FAST_LIST, max(first, n * CHEAPEST_SLACK))
    j = min(max(j, i + 1), i + CHEAPEST_CANDIDATES)
    weights = _WEIGHT_LIST[i:j]
    return _FAST_LIST[i + weights.index(min(weights))]


def next_fast_len(n, *, real=True):
    """The smallest size ``>= n`` that FFTW transforms fastest.

    Sizes of the form 2^a 3^b 5^c 7^d 11^e 13^f with e + f <= 1 (FFTW's codelets); for a
    real transform an even size is preferred when one lies within 2 % above.

    Parameters
    ----------
    n : int
    real : bool

    Returns
    -------
    int

    Examples
    --------
    >>> from sigconv.fft import next_fast_len
    >>> next_fast_len(10007), next_fast_len(97), next_fast_len(1025)
    (10080, 98, 1040)
    """
    n = max(int(n), 1)
    if n > _FAST_LIST[-1]:
        raise ValueError(f"next_fast_len: n must be <= {_FAST_LIST[-1]}; got {n}")
    i = bisect.bisect_left(_FAST_LIST, n)
    size = _FAST_LIST[i]
    if real and size % 2 and size > 2:
        for even in _FAST_LIST[i + 1:i + 8]:
            if even % 2 == 0 and even <= size * 1.02:
                return even
    return size

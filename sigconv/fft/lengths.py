"""Transform lengths FFTW computes fast: :func:`next_fast_len` and :func:`cheapest_len`.

Pure integer arithmetic on the 7-smooth numbers (times at most one 11 or 13), the sizes
FFTW has codelets for.
"""

import bisect
import functools
import math

__all__ = ["next_fast_len", "cheapest_len"]


def _smooth_numbers(limit):
    """Sorted 7-smooth numbers times 1, 11 or 13, up to ``limit`` (FFTW's fast sizes)."""
    out = []
    p2 = 1
    while p2 <= limit:
        p3 = p2
        while p3 <= limit:
            p5 = p3
            while p5 <= limit:
                p7 = p5
                while p7 <= limit:
                    out.append(p7)
                    for f in (11, 13):
                        if p7 * f <= limit:
                            out.append(p7 * f)
                    p7 *= 7
                p5 *= 5
            p3 *= 3
        p2 *= 2
    return sorted(out)


_FAST = _smooth_numbers(1 << 40)


#: lengths beyond this run slower with many factors of 2 (see :func:`_factor_cost`)
LARGE_LEN = 1 << 18


def _factor_cost(n):
    """Relative time per ``n log2 n`` of an FFTW transform of length ``n``, from its
    factors (measured on 1-D float64/float32 transforms here): odd lengths run about
    twice as slow, a single factor 2 adds a quarter, 11 or 13 a quarter, each 7 a tenth,
    each 3 or 5 a few percent (11025 = 3^2 5^2 7^2 took 99 us against 39 us for 11200
    and 11520); beyond LARGE_LEN each factor 2 past 2^14 adds a tenth (2^21 took 25 ms
    against 16 ms for 2000000 = 2^7 5^6, 2^17 3^2 16 ms against 12.5 ms for 2^13 3^3 5)."""
    twos = (n & -n).bit_length() - 1
    odd = n >> twos
    cost = 1.0 + (1.0 if twos == 0 and n > 2 else 0.25 if twos == 1 else 0.0)
    for p, c in ((3, 0.03), (5, 0.03), (7, 0.1)):
        while odd % p == 0:
            odd //= p
            cost += c
    if odd > 1:                          # 11 or 13
        cost += 0.25
    if n > LARGE_LEN:                    # long power-of-two strides thrash the caches
        cost += 0.1 * max(0, twos - 14)
    return cost


#: how far above ``n`` :func:`cheapest_len` looks for a faster length
CHEAPEST_SLACK = 1.25


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
    i = bisect.bisect_left(_FAST, first)
    best, best_cost = first, math.inf
    for m in _FAST[i:i + 48]:
        if m > max(first, n * CHEAPEST_SLACK):
            break
        cost = m * math.log2(max(m, 2)) * _factor_cost(m)
        if cost < best_cost:
            best, best_cost = m, cost
    return best


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
    if n > _FAST[-1]:
        raise ValueError(f"next_fast_len: n must be <= {_FAST[-1]}; got {n}")
    i = bisect.bisect_left(_FAST, n)
    size = _FAST[i]
    if real and size % 2 and size > 2:
        for even in _FAST[i + 1:i + 8]:
            if even % 2 == 0 and even <= size * 1.02:
                return even
    return size

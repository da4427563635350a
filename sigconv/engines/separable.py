"""Low-rank splitting of kernels: sums of outer products of 1-D factors.

A 2-D kernel of rank ``r`` (its SVD) is ``r`` pairs of 1-D passes, an N-D kernel of rank
one (its unfoldings) one 1-D pass per axis: ``r * sum(k)`` multiply-adds per output
instead of ``prod(k)`` (separable Gaussians, Sobel, box filters).
"""

import functools

import numpy as np

__all__ = ["low_rank_terms"]


def low_rank_terms(w, nsp):
    """Split a float kernel into sums of outer products of 1-D factors, when cheaper.

    Returns a list of terms (each a list of one 1-D factor per spatial axis) or None when
    the kernel is batched, integer, long double, not worth splitting or not low-rank.
    A real kernel of integers times a power of two (box filters, Sobel, ``[1, 2, 1]/4``)
    is split only into such factors, so that its sums stay exact where the direct sum
    is (integer-valued data: scipy's direct results, bit for bit); of rank above one it
    is not split.
    The answer for a small kernel is remembered (its SVD costs more than many a direct
    sum); the factors are read-only.
    """
    if w.size > LOW_RANK_CACHE_KERNEL:
        return _low_rank_terms(w, nsp)
    return _remembered(w.tobytes(), w.shape, w.dtype.str, nsp)


#: kernels of at most this many elements have their low-rank split remembered
LOW_RANK_CACHE_KERNEL = 4096


@functools.lru_cache(maxsize=512)
def _remembered(data, shape, dtype, nsp):
    terms = _low_rank_terms(np.frombuffer(data, dtype).reshape(shape), nsp)
    for term in terms or ():
        for f in term:
            f.flags.writeable = False
    return terms


def _low_rank_terms(w, nsp):
    lead = w.ndim - nsp
    if any(s != 1 for s in w.shape[:lead]) or w.dtype.kind not in "fc":
        return None
    if w.dtype.itemsize > (16 if w.dtype.kind == "c" else 8):
        return None
    k = w.reshape(w.shape[lead:])
    big = [s for s in k.shape if s > 1]
    if len(big) < 2 or not np.all(np.isfinite(k)):
        return None
    direct_cost = np.count_nonzero(k)
    if direct_cost == 0:
        return None
    if k.dtype.kind == "f":
        bits = _dyadic_bits(k)
        if bits is not None:        # split only into exact factors, or not at all
            factors = _integer_rank_one(np.ldexp(k.astype(np.float64), bits))
            if factors is None or sum(k.shape) >= direct_cost:
                return None
            factors[0] = np.ldexp(factors[0].astype(np.float64), -bits)
            return [[f.astype(k.dtype) for f in factors]]
    eps = np.finfo(k.dtype).eps
    k64 = k.astype(np.complex128 if k.dtype.kind == "c" else np.float64)
    if nsp == 2:
        u, s, vh = np.linalg.svd(k64)
        rank = int(np.sum(s > s[0] * eps * max(k.shape) * 4))
        if rank == 0 or rank * sum(k.shape) >= direct_cost:
            return None
        terms = [[(u[:, r] * s[r]).astype(k.dtype), vh[r].astype(k.dtype)] for r in range(rank)]
    else:
        factors = _rank_one_factors(k64, eps)
        if factors is None or sum(k.shape) >= direct_cost:
            return None
        terms = [[f.astype(k.dtype) for f in factors]]
    approx = sum(_outer(t).astype(k64.dtype) for t in terms)
    if np.max(np.abs(approx - k64)) > 8 * eps * max(k.shape) * np.max(np.abs(k64)):
        return None
    return terms


def _dyadic_bits(k):
    """The least ``e >= 0`` making every entry of ``k * 2**e`` an integer below ``2**53``
    (integer kernels: 0; ``[1, 2, 1] / 4``: 2; subnormals too), or None."""
    mantissa, exponent = np.frexp(k.astype(np.float64).reshape(-1))
    digits = (mantissa * 2.0 ** 53).astype(np.int64)        # exact: 53-bit integers
    nonzero = digits != 0
    if not np.any(nonzero):
        return None
    digits, exponent = digits[nonzero], exponent[nonzero]
    trailing = np.log2(digits & -digits).astype(np.int64)   # of the lowest set bit
    bits = max(0, int(np.max(53 - trailing - exponent)))    # binary digits after the point
    if int(np.max(exponent)) + bits > 53:                   # |k| * 2**bits reaches 2**53
        return None
    return bits


def _integer_rank_one(k):
    """Integer 1-D factors (int64) whose outer product is the integer-valued ``k``, or
    None when ``k`` is not of rank one.  Each step divides a pivot row by its gcd (a
    primitive vector: every other row is an integer multiple of it, or the rank is
    higher)."""
    factors = []
    rest = k.astype(np.int64)
    while rest.ndim > 1:
        mat = rest.reshape(rest.shape[0], -1)
        row = mat[np.argmax(np.max(np.abs(mat), axis=1))]
        v = row // np.gcd.reduce(row)
        p = np.argmax(np.abs(v))
        u, rem = np.divmod(mat[:, p], v[p])
        if np.any(rem) or np.any(np.multiply.outer(u, v) != mat):
            return None
        factors.append(u)
        rest = v.reshape(rest.shape[1:])
    factors.append(rest)
    return factors


def _rank_one_factors(k, eps):
    """1-D factors with outer product ``k`` (N-D), or None if ``k`` is not rank one."""
    factors = []
    rest = k
    while rest.ndim > 1:
        mat = rest.reshape(rest.shape[0], -1)
        u, s, vh = np.linalg.svd(mat, full_matrices=False)
        if len(s) > 1 and s[1] > s[0] * eps * max(mat.shape) * 4:
            return None
        factors.append(u[:, 0] * s[0])
        rest = vh[0].reshape(rest.shape[1:])
    factors.append(rest)
    return factors


def _outer(factors):
    out = factors[0]
    for f in factors[1:]:
        out = np.multiply.outer(out, f)
    return out


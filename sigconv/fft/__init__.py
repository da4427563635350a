"""FFTs for sigconv: pyFFTW (FFTW) plans kept in a bounded cache, wisdom files, fast sizes.

``backend()`` says which library computes (pyFFTW, or scipy.fft when pyFFTW is missing);
``next_fast_len`` gives FFTW-friendly sizes and ``cheapest_len`` the fastest of them at or
above a length; ``save_wisdom``/``load_wisdom`` keep FFTW's measured plans between
sessions (``sigconv.tune`` writes the per-user file that every process loads).  The
settings (memory limit, cache bounds, planner effort) are sigconv's:
``set_options``/``get_options``/``options`` here are :func:`sigconv.set_options` and
its companions.
"""

from .._options import get_options, options, set_options
from .._runtime import cores as available_cores
from .backend import backend, set_backend
from .lengths import cheapest_len, next_fast_len
from .plans import PlanCache, cache_info, clear_cache
from .wisdom import load_wisdom, save_wisdom

__all__ = ["backend", "set_backend", "next_fast_len", "cheapest_len", "get_options", "set_options",
           "options", "available_cores", "PlanCache", "cache_info", "clear_cache",
           "save_wisdom", "load_wisdom"]

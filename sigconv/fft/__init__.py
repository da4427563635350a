"""FFTs for sigconv: pyFFTW (FFTW) plans kept in a bounded cache, wisdom files, settings.

``backend()`` says which library computes (pyFFTW, or scipy.fft when pyFFTW is missing);
``next_fast_len`` gives FFTW-friendly sizes and ``cheapest_len`` the fastest of them at or
above a length; ``save_wisdom``/``load_wisdom`` keep FFTW's
planning results between sessions; ``set_options``/``options`` hold the memory limit of
FFT convolutions, the plan-cache bound and the planner effort and time limit.
"""

from .backend import (available_cores, backend, cheapest_len, get_options, next_fast_len,
                      options, set_backend, set_options)
from .plans import PlanCache, cache_info, clear_cache, load_wisdom, save_wisdom

__all__ = ["backend", "set_backend", "next_fast_len", "cheapest_len", "get_options", "set_options",
           "options", "available_cores", "PlanCache", "cache_info", "clear_cache",
           "save_wisdom", "load_wisdom"]

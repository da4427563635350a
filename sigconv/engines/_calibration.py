"""Cost-model constants measured by ``benchmarks/calibrate.py`` (regenerate with --write).

source: defaults entered by hand before the first calibration run
"""

CALIBRATION = {
    "source": "hand-entered defaults (no calibration run yet)",
    # seconds per N*log2(N) of one real transform (r2c or c2r) of N points, one thread
    "fft_real": {4: 0.6e-9, 8: 0.9e-9, 16: 6.0e-9},
    # seconds per N*log2(N) of one complex transform of N points, one thread
    "fft_complex": {4: 1.1e-9, 8: 1.7e-9, 16: 12e-9},
    # fixed seconds per transform call (planning lookup, Python)
    "fft_call": 25e-6,
    # seconds per element for a spectrum product / buffer fill or copy
    "per_element": {4: 0.6e-9, 8: 1.0e-9, 16: 2.0e-9, 32: 4.0e-9},
    # direct engine: seconds per multiply-add (one thread) and per tap per band call
    "direct_mac": {4: 0.45e-9, 8: 0.8e-9, 16: 2.2e-9, 32: 12e-9},
    "direct_tap_call": 3e-6,
    "direct_call": 15e-6,
    # speed-up of the largest transforms / products with every core, and core count
    "thread_speedup": 1.6,
    "cores": 2,
}

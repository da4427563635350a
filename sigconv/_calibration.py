"""Cost-model constants measured by ``benchmarks/calibrate.py`` (regenerate with --write).

source: benchmarks/calibrate.py on vm (x86_64, 2 cores, load 0.8) at 2026-11-22 05:00 UTC; numpy 2.4.6, pyfftw 0.15.1
(the nn layers' constants gemm_mac, gather, im2col_sample and winograd_*: sigconv tune's
steps on the same VM, 2026-12-06, load ~9, read as one thread's CPU time and rounded)

cv_call, cv_pixel, cv_mac (the direct engine on OpenCV 5.1's filters) were added on
2026-12-06 under a load of 9-11, from one-thread process CPU times (3x3 to 17x17 kernels
on 512^2 and 1024^2 planes: 6e-11 s per tap and sample in float32, 2.3e-10 in float64,
about 5e-10 per sample and pass, 3.5e-5 per filter call), divided by 2.7: the factor by
which that load lengthened the numpy sums' and elementwise constants measured beside
them against the figures above.  ``benchmarks/calibrate.py --write --only
cv_call,cv_rates`` measures them on a quiet machine.
"""

CALIBRATION = {'source': 'benchmarks/calibrate.py on vm (x86_64, 2 cores, load 0.8) at 2026-11-22 05:00 '
           'UTC; numpy 2.4.6, pyfftw 0.15.1',
 'fft_real': {4: 1.2002637348236768e-10,
              8: 1.6182789005028587e-10,
              16: 2.246142367042984e-09},
 'fft_complex': {4: 1.8760416942436824e-10,
                 8: 3.3475783453997856e-10,
                 16: 5.1561234018533276e-09},
 'fft_call': 8.59300007505226e-06,
 'per_element': {4: 4.3697452514063206e-10,
                 8: 4.963235855290349e-10,
                 16: 1.1497220992091883e-09,
                 32: 7.202910423057679e-09},
 'direct_mac': {'f': 4.310967612800307e-10,
                'd': 7.498358625177005e-10,
                'l': 8.076319512825034e-10,
                'F': 5.119887338139859e-10,
                'D': 1.5809463355249699e-09,
                'g': 1.2598845471998688e-08},
 'direct_tap_call': 3.0623663369984604e-06,
 'direct_call': 1.5e-05,
 'cv_call': 1.3e-05,
 'cv_pixel': {'f': 2e-10, 'd': 1.9e-10},
 'cv_mac': {'f': 2.2e-11, 'd': 8.5e-11},
 'dot_mac': {'f': 2.2e-10, 'c': 5e-10},
 'dot_call': 2e-06,
 'gemm_mac': 3.5e-11,
 'gather': 3.6e-10,
 'im2col_sample': 5e-06,
 'winograd_mac': 4e-11,
 'winograd_call': 8e-05,
 'winograd_point': 2e-09,
 'thread_speedup': 1.554172968536915,
 'cores': 2}

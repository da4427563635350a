"""The cost model's shipped constants, measured by ``benchmarks/calibrate.py --write``
(``sigconv tune`` measures them again on the user's machine).

source: sigconv tune on AMD EPYC (2 cores), 2026-12-06 10:28 UTC, load 0.3 (per_element,per_element_memory,cache_bytes measured; the rest: sigconv tune on AMD EPYC (2 cores), 2026-12-06 10:27 UTC, load 0.6 (per_element measured; the rest: sigconv tune on AMD EPYC (2 cores), 2026-12-06 09:54 UTC, load 0.4))
"""

CALIBRATION = {'source': 'sigconv tune on AMD EPYC (2 cores), 2026-12-06 10:28 UTC, load 0.3 '
           '(per_element,per_element_memory,cache_bytes measured; the rest: sigconv tune '
           'on AMD EPYC (2 cores), 2026-12-06 10:27 UTC, load 0.6 (per_element measured; '
           'the rest: sigconv tune on AMD EPYC (2 cores), 2026-12-06 09:54 UTC, load 0.4))',
 'fft_real': {4: 2.4839061096444755e-10,
              8: 3.8286203875769094e-10,
              16: 2.984530008877284e-09},
 'fft_complex': {4: 5.083105542773413e-10,
                 8: 7.467831169872707e-10,
                 16: 6.1285078780611065e-09},
 'fft_call': 1.0659998224582523e-05,
 'per_element': {4: 4.778747397793381e-10,
                 8: 4.910278295078285e-10,
                 16: 9.384917842858442e-10,
                 32: 7.830078085913073e-09},
 'per_element_memory': {4: 1.066591977932907e-09,
                        8: 1.0672702790981425e-09,
                        16: 2.105749846194327e-09,
                        32: 9.842741489039797e-09},
 'cache_bytes': 16777216,
 'direct_mac': {'f': 2.605761835397916e-10,
                'd': 5.181299773362659e-10,
                'l': 5.471386838494336e-10,
                'F': 5.136678568653074e-10,
                'D': 1.1256104546805456e-09,
                'g': 7.992584049099122e-09},
 'direct_tap_call': 6.243891085873791e-06,
 'direct_call': 1.5e-05,
 'cv_call': 3.587995310757227e-05,
 'cv_pixel': {'f': 3.3376711880417355e-10, 'd': 3.060484827371868e-10},
 'cv_mac': {'f': 4.1811180212514285e-11, 'd': 1.6936883943940994e-10},
 'dot_mac': {'f': 2.455273378877336e-10, 'c': 6.711262219850125e-10},
 'dot_call': 2.354998287046328e-06,
 'gemm_mac': 2.8456223016648443e-11,
 'gather': 3.4707607108310623e-10,
 'im2col_sample': 8.233816267457602e-06,
 'winograd_mac': 3.0154135424448224e-11,
 'winograd_call': 8.928700117394328e-05,
 'winograd_point': 1.4981841651207571e-09,
 'thread_speedup': 1.3853911045008132,
 'cores': 2,
 'fft_1d': 0.761230960538485}

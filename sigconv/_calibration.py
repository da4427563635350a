"""The cost model's shipped constants, measured by ``benchmarks/calibrate.py --write``
(``sigconv tune`` measures them again on the user's machine).

source: sigconv tune on AMD EPYC (2 cores), 2026-12-06 08:22 UTC, load 0.7
"""

CALIBRATION = {'source': 'sigconv tune on AMD EPYC (2 cores), 2026-12-06 08:22 UTC, load 0.7',
 'fft_real': {4: 2.4821253193116544e-10,
              8: 3.694798286556478e-10,
              16: 2.9337989739881944e-09},
 'fft_complex': {4: 4.807217407505672e-10,
                 8: 7.476393423514171e-10,
                 16: 5.996570227938185e-09},
 'fft_call': 1.0318999557057396e-05,
 'per_element': {4: 1.0817403778284884e-09,
                 8: 1.1149530413506747e-09,
                 16: 2.209286689355827e-09,
                 32: 8.535945892826358e-09},
 'direct_mac': {'f': 2.609849541712398e-10,
                'd': 4.706015580316911e-10,
                'l': 5.325689175499619e-10,
                'F': 4.6116949789650717e-10,
                'D': 1.049640349198516e-09,
                'g': 7.992107364525991e-09},
 'direct_tap_call': 6.137059406881073e-06,
 'direct_call': 1.5e-05,
 'cv_call': 3.656175520442654e-05,
 'cv_pixel': {'f': 3.325871434159411e-10, 'd': 2.413998608646883e-10},
 'cv_mac': {'f': 4.369153979583151e-11, 'd': 1.6988096242231966e-10},
 'dot_mac': {'f': 1.4342556916246004e-10, 'c': 3.296964082779535e-10},
 'dot_call': 2.3240008886205032e-06,
 'gemm_mac': 2.559836595655173e-11,
 'gather': 3.517352254757106e-10,
 'im2col_sample': 8.561535731141888e-06,
 'winograd_mac': 2.8183017899766545e-11,
 'winograd_call': 8.51400000101421e-05,
 'winograd_point': 1.4731109460675765e-09,
 'thread_speedup': 1.8168077422100253,
 'cores': 2}

"""Filter design: N-D Gabor kernels and banks, Gaussian smoothing, edge detectors, Canny."""

from .gaussian import gaussian, gaussian_kernel1d
from .gabor import (bandwidth_to_sigma, degrees_to_radians, frequency_to_wavelength,
                    gabor_direction, gabor_kernel, radians_to_degrees, sigma_to_bandwidth,
                    wavelength_to_frequency)
from .bank import FilterBank, gabor_bank
from .canny import canny
from .edges import edge_factors, farid, prewitt, roberts, scharr, sobel
from .laplacians import difference_of_gaussians, gaussian_laplace, laplace

__all__ = [
    "gabor_kernel", "gabor_bank", "FilterBank", "gabor_direction",
    "frequency_to_wavelength", "wavelength_to_frequency", "bandwidth_to_sigma",
    "sigma_to_bandwidth", "degrees_to_radians", "radians_to_degrees",
    "gaussian", "gaussian_kernel1d", "sobel", "prewitt", "scharr", "farid", "roberts",
    "laplace", "gaussian_laplace", "difference_of_gaussians", "edge_factors", "canny",
]

"""Image files for the ``sigconv`` command line, through Pillow (which matplotlib installs).

Reading checks the declared size before decoding (decompression bombs), converts modes as
documented in :func:`sigconv._io.load_array` and, with ``gray``, computes BT.601 luminance.
Writing scales non-8-bit data to 0..255 (see :func:`to_image_data`), writes the magnitude of
complex data with a :class:`~sigconv.ConversionWarning`, and goes through
:func:`sigconv._io.atomic_write`.
"""

import warnings

import numpy as np

from ._errors import ConversionWarning
from ._files import FileProblem, atomic_write, sniff

LUMA_WEIGHTS = (0.299, 0.587, 0.114)
"""ITU-R BT.601 luma weights of ``--gray`` (Pillow ``convert('L')``, MATLAB ``rgb2gray``,
OpenCV ``COLOR_RGB2GRAY``)."""

__all__ = ["load_image", "save_image", "to_image_data", "luminance", "LUMA_WEIGHTS"]


def _png_size(path):
    """(width, height) declared by a PNG's IHDR chunk, read without Pillow."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise FileProblem(f"'{path}' is a truncated or corrupt PNG (no IHDR header)")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def load_image(path, *, gray, max_pixels):
    """Decode an image file as an array after checking its declared size (see _io)."""
    from PIL import Image
    limit = max_pixels
    if sniff(path) == "png":
        _check_size(path, _png_size(path), limit)
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                img = Image.open(path)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise FileProblem(f"'{path}': image is too large ({exc})") from None
            except (OSError, SyntaxError, ValueError) as exc:
                raise FileProblem(f"'{path}' cannot be decoded as an image ({exc})") from None
            with img:
                _check_size(path, img.size, limit)
                return _image_array(path, img, gray)
    finally:
        Image.MAX_IMAGE_PIXELS = old


def _check_size(path, size, limit):
    width, height = size
    if width <= 0 or height <= 0:
        raise FileProblem(f"'{path}' declares an empty image of {width}x{height} pixels")
    if limit is not None and width * height > limit:
        raise FileProblem(f"'{path}' declares {width}x{height} = {width * height} pixels, over "
                          f"the limit of {limit} (raise it with --max-pixels)")


def _image_array(path, img, gray):
    from PIL import ImageOps
    try:
        img.seek(0)
        img = ImageOps.exif_transpose(img)
        mode = img.mode
        if mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif mode in ("CMYK", "YCbCr", "LAB", "HSV"):
            img = img.convert("RGB")
        arr = np.asarray(img)
    except (OSError, ValueError, SyntaxError) as exc:
        raise FileProblem(f"'{path}' cannot be decoded as an image ({exc})") from None
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if gray and arr.ndim == 3:
        arr = luminance(arr)
    return np.array(arr)


def luminance(arr: np.ndarray) -> np.ndarray:
    """BT.601 luminance (float64) of an ``(H, W, C)`` image: ``0.299 R + 0.587 G + 0.114 B``
    for 3 or 4 channels (alpha dropped), the first channel for grey with alpha.

    Examples
    --------
    >>> luminance(np.array([[[255, 0, 0, 255], [0, 0, 0, 0]]], dtype=np.uint8)).round(3)
    array([[76.245,  0.   ]])
    """
    channels = arr[..., :3] if arr.shape[-1] >= 3 else arr[..., :1]
    weights = np.array(LUMA_WEIGHTS if channels.shape[-1] == 3 else (1.0,))
    return channels.astype(np.float64) @ weights


def save_image(path, arr, fmt):
    """Write ``arr`` atomically as PNG or JPEG (``fmt``), scaled as documented in _io."""
    from PIL import Image
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in (3, 4)):
        raise FileProblem(f"output '{path}': an image needs shape (H, W), (H, W, 3) or "
                          f"(H, W, 4); got {arr.shape}")
    if arr.dtype.kind == "c":
        warnings.warn(f"output '{path}': the array is complex ({arr.dtype}); the image holds "
                      "its magnitude |z| (write .npy to keep the complex values)",
                      ConversionWarning, stacklevel=3)
    img, note = to_image_data(arr)
    if fmt == "jpeg" and img.dtype != np.uint8:
        img, note = to_image_data(img.astype(np.float64))
    if fmt == "jpeg" and img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    pil = Image.fromarray(img)
    atomic_write(path, lambda f: pil.save(f, format="PNG" if fmt == "png" else "JPEG"))
    return note


def to_image_data(arr: np.ndarray) -> tuple[np.ndarray, str]:
    """``arr`` as pixel data Pillow can write, and a note when it had to be scaled.

    Examples
    --------
    >>> to_image_data(np.array([[0.0, 2.0]]))[0]
    array([[  0, 255]], dtype=uint8)
    """
    if arr.dtype == np.uint8:
        return arr, ""
    if arr.dtype == bool:
        return arr.astype(np.uint8) * 255, ""
    if arr.dtype.kind in "iu" and arr.ndim == 2 and arr.size \
            and arr.min() >= 0 and arr.max() <= 65535:
        return arr.astype(np.uint16), ""
    data = np.abs(arr) if arr.dtype.kind == "c" else arr.astype(np.float64)
    finite = data[np.isfinite(data)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    out = np.clip(np.nan_to_num((data - lo) * scale), 0, 255)
    return np.rint(out).astype(np.uint8), f"values {lo:.4g}..{hi:.4g} scaled to 0..255"

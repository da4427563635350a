"""Command-line workflows: bank files, the matrix, exit statuses, conversions that warn."""

import sys

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.sparse
from PIL import Image

import sigconv
from sigconv import cli
from sigconv.filters import gabor_bank

from test_cli import assert_one_line_error, sigconv_cli


def main(*argv):
    """``sigconv ARGV`` in this process: the exit status (argparse's SystemExit included)."""
    try:
        return cli.main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code


@pytest.fixture
def image(tmp_path):
    img = np.random.default_rng(7).integers(0, 256, (40, 36), dtype=np.uint8)
    Image.fromarray(img).save(tmp_path / "img.png")
    return tmp_path, img.astype(np.float64)


def ndimage_same(image, kernel):
    """scipy.ndimage's 'reflect' convolution of a real image with a complex kernel."""
    return (ndi.convolve(image, kernel.real, mode="reflect")
            + 1j * ndi.convolve(image, kernel.imag, mode="reflect"))


# ----------------------------------------------------------------------------- bank files

def test_bank_file_workflow_end_to_end(image):
    d, img = image
    made = sigconv_cli("gabor", "-o", "bank.npz", "--frequencies", "0.1,0.25",
                       "--orientations", "3", cwd=d)
    assert made.returncode == 0, made.stderr
    bank = gabor_bank([0.1, 0.25], 3)
    with np.load(d / "bank.npz", allow_pickle=False) as npz:
        for i, k in enumerate(bank.kernels):
            np.testing.assert_array_equal(npz[f"kernel_{i:03d}"], k)
        np.testing.assert_allclose(npz["param_frequency"], [0.1] * 3 + [0.25] * 3)
        np.testing.assert_allclose(npz["param_theta"], np.tile(np.arange(3) * np.pi / 3, 2))
        np.testing.assert_allclose(npz["param_sigma"], bank.params["sigma"])
        np.testing.assert_allclose(npz["param_bandwidth"], 1.0)

    applied = sigconv_cli("filter", "img.png", "--kernel", "bank.npz", "-o", "out.npy", cwd=d)
    assert applied.returncode == 0, applied.stderr
    out = np.load(d / "out.npy")
    assert out.shape == (6,) + img.shape
    for i, k in enumerate(bank.kernels):
        by_convolve = sigconv.convolve(img, k, "same", boundary="reflect", center="ndimage")
        np.testing.assert_allclose(out[i], by_convolve, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out[i], ndimage_same(img, k), rtol=1e-9, atol=1e-9)
    assert "kernel 4: frequency 0.25 cycles/pixel, theta 1.047 rad (60 deg), sigma" in \
        applied.stderr

    one = sigconv_cli("filter", "img.png", "--kernel", "bank.npz", "--index", "3", "-o",
                      "three.npy", cwd=d)
    assert one.returncode == 0, one.stderr
    np.testing.assert_allclose(np.load(d / "three.npy"), out[3], rtol=1e-12, atol=1e-12)
    assert "kernel 3: frequency 0.25 cycles/pixel, theta 0 rad (0 deg)" in one.stderr
    assert "kernel 4" not in one.stderr


def test_bank_index_out_of_range_is_a_runtime_error(image, capsys):
    d, _ = image
    assert main("gabor", "-o", d / "bank.npz", "-q") == 0
    assert main("filter", d / "img.png", "--kernel", d / "bank.npz", "--index", "8",
                "-o", d / "f.npy") == 1
    assert "holds 8 kernels (indices 0 to 7); got --index 8" in capsys.readouterr().err


def test_gabor_picture_is_a_frequency_by_orientation_grid(tmp_path):
    assert main("gabor", "-o", tmp_path / "b.npz", "--picture", tmp_path / "b.png",
                "--frequencies", "0.05,0.1,0.2", "--orientations", "6", "-q") == 0
    with Image.open(tmp_path / "b.png") as picture:
        width, height = picture.size
    assert width > 1.5 * height            # 3 rows of 6, not 8 per row


# ----------------------------------------------------------------------------- matrix

def test_matrix_writes_a_sparse_matrix_that_reproduces_ndimage(tmp_path, capsys):
    k = np.arange(1.0, 10.0).reshape(3, 3) - 4
    np.save(tmp_path / "k.npy", k)
    assert main("matrix", tmp_path / "k.npy", "--input-shape", "5,6", "--mode", "same",
                "--boundary", "wrap", "-o", tmp_path / "m.npz") == 0
    captured = capsys.readouterr()
    assert "input 5x6, kernel 3x3, mode 'same' -> output 5x6" in captured.out
    m = scipy.sparse.load_npz(tmp_path / "m.npz")
    assert m.shape == (30, 30)
    x = np.random.default_rng(0).standard_normal((5, 6))
    np.testing.assert_allclose(m @ x.ravel(), ndi.convolve(x, k, mode="wrap").ravel(),
                               rtol=1e-12, atol=1e-12)


def test_matrix_table_needs_the_input_shape(capsys):
    assert main("matrix", "--kernel-shape", "2,1") == 2
    assert "the following arguments are required: --input-shape" in capsys.readouterr().err


# ----------------------------------------------------------------------------- exit status

@pytest.mark.parametrize("argv, fragment", [
    (["filter", "img.png", "--gaussian", "-1", "-o", "g.npy"],
     "argument --gaussian: expected a number > 0; got '-1'"),
    (["filter", "img.png", "--gabor", "0.1", "-o", "g.npy"],
     "argument --gabor: expected FREQUENCY,THETA with FREQUENCY > 0; got '0.1'"),
    (["filter", "img.png", "--sobel", "--index", "2", "-o", "g.npy"],
     "--index picks a kernel of a --kernel bank file"),
    (["edges", "img.png", "--method", "sobel", "--low", "0.1", "-o", "e.npy"],
     "--low acts only with --method canny; got --method sobel"),
    (["matrix", "--input-shape", "4,4"], "give a kernel file K or --kernel-shape; got neither"),
    (["matrix", "--kernel-shape", "3", "--input-shape", "4,4"], "need as many axes"),
    (["matrix", "--kernel-shape", "3,3", "--input-shape", "4,4", "-o", "m.npz"],
     "-o writes the matrix of a kernel file K"),
    (["gabor", "-o", "b.npz", "--orientations", "1.5"], "a count >= 1 or several angles"),
    (["gabor", "-o", "b.npz", "--frequencies", "0.1,-0.2"], "frequencies > 0"),
    (["train", "--epochs", "0"], "expected an integer >= 1; got '0'"),
    (["convolve", "img.png", "img.png", "-o", "y.npy", "--stride", "0"],
     "expected comma-separated integers >= 1"),
    (["demo", "-o", "img.png"], "output 'img.png' exists and is not a directory"),
], ids=lambda v: v[0] if isinstance(v, list) else None)
def test_usage_errors_exit_2(image, argv, fragment, capsys, monkeypatch):
    d, _ = image
    monkeypatch.chdir(d)
    assert main(*argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sigconv: error: ") and fragment in err[0]


def test_train_without_scikit_learn_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert main("train", "--epochs", "1") == 1
    err = capsys.readouterr().err
    assert err.strip() == ("sigconv: error: 'sigconv train': the digits data come with "
                           "scikit-learn, which is not installed; install it with: pip "
                           "install 'sigconv[examples]'")


# ----------------------------------------------------------------------------- conversions

def test_colour_image_to_filter_warns_once_unless_gray(tmp_path, capsys):
    rgb = np.random.default_rng(3).integers(0, 256, (9, 8, 3), dtype=np.uint8)
    Image.fromarray(rgb, "RGB").save(tmp_path / "c.png")
    k = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    np.save(tmp_path / "k.npy", k)
    assert main("filter", tmp_path / "c.png", "--kernel", tmp_path / "k.npy",
                "-o", tmp_path / "f.npy") == 0
    err = capsys.readouterr().err
    assert err.count("sigconv: warning:") == 1
    assert "'" + str(tmp_path / "c.png") + "' is a colour image (9, 8, 3); using its " \
        "luminance 0.299 R + 0.587 G + 0.114 B" in err
    luminance = rgb.astype(float) @ [0.299, 0.587, 0.114]
    np.testing.assert_allclose(np.load(tmp_path / "f.npy"),
                               ndi.convolve(luminance, k, mode="reflect"), atol=1e-9)
    assert main("edges", tmp_path / "c.png", "--method", "sobel", "--gray",
                "-o", tmp_path / "e.npy") == 0
    assert "warning" not in capsys.readouterr().err


def test_complex_result_to_png_warns_that_it_writes_the_magnitude(tmp_path, capsys):
    np.save(tmp_path / "z.npy", np.array([[1 + 1j, 3 - 4j], [0, 2j]]))
    np.save(tmp_path / "one.npy", np.ones((1, 1)))
    assert main("convolve", tmp_path / "z.npy", tmp_path / "one.npy",
                "-o", tmp_path / "z.png") == 0
    err = capsys.readouterr().err
    assert "sigconv: warning: output '" in err
    assert "the array is complex (complex128); the image holds its magnitude |z|" in err
    magnitude = np.array([[np.sqrt(2), 5], [0, 2]])
    expected = np.rint(magnitude / 5 * 255).astype(np.uint8)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "z.png")), expected)


def test_old_demo_out_option_still_works_with_a_warning(tmp_path, capsys, monkeypatch):
    from sigconv import _demo
    seen = {}
    monkeypatch.setattr(_demo, "run", lambda out, **kw: seen.setdefault("out", out) and 0)
    assert main("demo", "--out", tmp_path / "d", "-q") == 0
    assert seen["out"] == str(tmp_path / "d")
    assert "sigconv: warning: --out is deprecated; use -o/--output" in capsys.readouterr().err

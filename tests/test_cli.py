"""The ``sigconv`` command driven as a user drives it: subprocess, exit codes, messages, files."""

import importlib.util
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as sig
from PIL import Image

import sigconv
from sigconv import _io

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
    "MPLBACKEND": "Agg"}


def sigconv_cli(*args, cwd, timeout=120):
    """Run ``python -m sigconv.cli ARGS`` in ``cwd``; return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "sigconv.cli", *map(str, args)], cwd=cwd,
                          env=ENV, capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(result, code, *fragments):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sigconv: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def files(tmp_path):
    x = np.arange(24.0).reshape(4, 6) ** 1.5
    np.save(tmp_path / "x.npy", x)
    np.savetxt(tmp_path / "k.csv", [[1, -2, 0.5], [0, 3, 1]], delimiter=",")
    return tmp_path, x, np.array([[1, -2, 0.5], [0, 3, 1]])


# ----------------------------------------------------------------------------- convolve

def test_convolve_writes_the_full_convolution(files):
    d, x, k = files
    result = sigconv_cli("convolve", "x.npy", "k.csv", "-o", "y.npy", cwd=d)
    assert result.returncode == 0, result.stderr
    assert "wrote y.npy (5x8, float64)" in result.stderr
    np.testing.assert_allclose(np.load(d / "y.npy"), sig.convolve(x, k), rtol=1e-12, atol=1e-12)


def test_convolve_options_reproduce_ndimage(files):
    d, x, k = files
    result = sigconv_cli("convolve", "x.npy", "k.csv", "-o", "y.csv", "--mode", "same",
                         "--boundary", "reflect", "--center", "ndimage", cwd=d)
    assert result.returncode == 0, result.stderr
    got = np.loadtxt(d / "y.csv", delimiter=",")
    np.testing.assert_allclose(got, ndi.convolve(x, k, mode="reflect"), rtol=1e-12, atol=1e-12)


def test_correlate_stride_and_axes(files):
    d, x, k = files
    result = sigconv_cli("convolve", "x.npy", "k.csv", "-o", "y.npz", "--correlate",
                         "--mode", "same", "--stride", "2,1", "--boundary", "wrap",
                         "--axes", "0,1", cwd=d)
    assert result.returncode == 0, result.stderr
    expected = sigconv.correlate(x, k, "same", boundary="wrap", stride=(2, 1))
    np.testing.assert_allclose(np.load(d / "y.npz")["arr_0"], expected, rtol=1e-12, atol=1e-12)


def test_output_is_not_overwritten_without_force(files):
    d, x, k = files
    (d / "y.npy").write_bytes(b"precious")
    result = sigconv_cli("convolve", "x.npy", "k.csv", "-o", "y.npy", cwd=d)
    assert_one_line_error(result, 2, "output file 'y.npy' exists; use --force")
    assert (d / "y.npy").read_bytes() == b"precious"
    result = sigconv_cli("convolve", "x.npy", "k.csv", "-o", "y.npy", "--force", cwd=d)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(d / "y.npy"), sig.convolve(x, k), rtol=1e-12, atol=1e-12)
    assert [p.name for p in d.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("args, code, fragments", [
    (["convolve", "missing.npy", "k.csv", "-o", "y.npy"], 2,
     ["input file 'missing.npy' not found"]),
    (["convolve", "sub", "k.csv", "-o", "y.npy"], 2, ["input 'sub' is a directory"]),
    (["convolve", "x.npy", "k.csv", "-o", "nodir/y.npy"], 2,
     ["output directory 'nodir' does not exist"]),
    (["convolve", "x.npy", "k.csv", "-o", "y.xyz"], 2, ["cannot tell the format", ".npy"]),
    (["convolve", "x.npy", "k.csv", "-o", "y.npy", "--mode", "smae"], 2,
     ["invalid choice: 'smae'", "'full', 'same', 'valid'"]),
    (["convolve", "x.npy", "-o", "y.npy"], 2, ["required"]),
    (["convolve", "x.npy", "k.csv", "-o", "y.npy", "--axes", "5"], 1,
     ["convolve 'x.npy' with 'k.csv'", "axis 5 is out of range"]),
    (["frobnicate"], 2, ["invalid choice: 'frobnicate'"]),
], ids=["missing", "directory", "no-dir", "extension", "mode", "arity", "axes", "command"])
def test_usage_and_runtime_errors(files, args, code, fragments):
    d, _, _ = files
    (d / "sub").mkdir()
    assert_one_line_error(sigconv_cli(*args, cwd=d), code, *fragments)


def test_debug_shows_the_traceback(files):
    d, _, _ = files
    result = sigconv_cli("convolve", "missing.npy", "k.csv", "-o", "y.npy", "--debug", cwd=d)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "FileProblem" in result.stderr


# ----------------------------------------------------------------------------- file content

def png_header(width, height):
    """A PNG that declares ``width x height`` pixels and holds no pixel data."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


class Evil:
    def __reduce__(self):
        return (os.system, ("touch SENTINEL",))


def test_png_renamed_npy_is_detected_by_content(files):
    d, _, _ = files
    Image.new("L", (4, 4)).save(d / "fake.png")
    os.rename(d / "fake.png", d / "img.npy")
    result = sigconv_cli("convolve", "img.npy", "k.csv", "-o", "y.npy", cwd=d)
    assert_one_line_error(result, 1, "'img.npy' is not a NPY file", "PNG image", r"\x89PNG")


def test_text_given_as_image(files):
    d, _, _ = files
    (d / "notes.png").write_text("1,2\n3,4\n")
    assert_one_line_error(sigconv_cli("convolve", "notes.png", "k.csv", "-o", "y.npy", cwd=d),
                          1, "'notes.png' is not a PNG file", "text")


def test_pickled_object_array_is_refused_and_never_run(files):
    d, _, _ = files
    np.save(d / "evil.npy", np.array([Evil()], dtype=object), allow_pickle=True)
    result = sigconv_cli("convolve", "evil.npy", "k.csv", "-o", "y.npy", cwd=d)
    assert_one_line_error(result, 1, "'evil.npy'", "dtype object", "pickle")
    np.savez(d / "evil.npz", a=np.array([Evil()], dtype=object))
    result = sigconv_cli("convolve", "evil.npz", "k.csv", "-o", "y.npy", cwd=d)
    assert_one_line_error(result, 1, "'evil.npz'", "pickle")
    assert not (d / "SENTINEL").exists()


def test_truncated_npy(files):
    d, _, _ = files
    data = (d / "x.npy").read_bytes()
    (d / "cut.npy").write_bytes(data[: len(data) // 2])
    assert_one_line_error(sigconv_cli("convolve", "cut.npy", "k.csv", "-o", "y.npy", cwd=d),
                          1, "'cut.npy' is truncated")


@pytest.mark.parametrize("text, where, what", [
    ("1,2,3\n4,5\n", "rag.csv:2:1", "row has 2 values, expected 3 like line 1"),
    ("1,2,3\n4, x5,6\n", "rag.csv:2:4", "cannot read 'x5' as a number"),
    ("# header\n1 2\n3 4 five\n", "rag.csv:3:5", "cannot read 'five'"),
], ids=["ragged", "token", "whitespace"])
def test_csv_errors_name_line_and_column(files, text, where, what):
    d, _, _ = files
    (d / "rag.csv").write_text(text)
    assert_one_line_error(sigconv_cli("convolve", "rag.csv", "k.csv", "-o", "y.npy", cwd=d),
                          1, f"{where}: {what}")


@pytest.mark.parametrize("size, args, fragments", [
    ((50_000, 50_000), [], ["'bomb.png' declares 50000x50000 = 2500000000 pixels, over the "
                            "limit of 89478485"]),
    ((200, 100), ["--max-pixels", "10000"], ["'bomb.png'", "20000 pixels", "limit of 10000"]),
    ((0, 2 ** 31 - 1), [], ["'bomb.png' declares an empty image of 0x2147483647 pixels"]),
], ids=["huge", "limit", "zero-width"])
def test_decompression_bombs_are_refused_before_decoding(files, size, args, fragments):
    d, _, _ = files
    if size == (200, 100):
        Image.new("L", size).save(d / "bomb.png")
    else:
        (d / "bomb.png").write_bytes(png_header(*size))
    result = sigconv_cli("convolve", "bomb.png", "k.csv", "-o", "y.npy", *args, cwd=d)
    assert_one_line_error(result, 1, *fragments)


def identity_convolve(d, name, *extra):
    np.save(d / "one.npy", np.ones((1, 1), dtype=np.int64))
    result = sigconv_cli("convolve", name, "one.npy", "-o", "out.npy", *extra, cwd=d)
    assert result.returncode == 0, result.stderr
    return np.load(d / "out.npy")


def test_gray_is_bt601_luminance_of_rgba(tmp_path):
    rgba = np.random.default_rng(0).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "c.png")
    got = identity_convolve(tmp_path, "c.png", "--gray")
    expected = rgba[..., :3].astype(float) @ [0.299, 0.587, 0.114]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_colour_image_is_convolved_per_channel(tmp_path):
    rgb = np.random.default_rng(1).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    Image.fromarray(rgb, "RGB").save(tmp_path / "c.png")
    got = identity_convolve(tmp_path, "c.png")
    np.testing.assert_array_equal(got, rgb)


def test_sixteen_bit_range_is_kept(tmp_path):
    deep = np.array([[0, 300, 65535], [1000, 40000, 7]], dtype=np.uint16)
    Image.fromarray(deep).save(tmp_path / "d.png")
    assert Image.open(tmp_path / "d.png").mode.startswith("I;16")
    np.testing.assert_array_equal(identity_convolve(tmp_path, "d.png"), deep)


def test_multi_frame_gif_gives_its_first_frame(tmp_path):
    frames = [Image.fromarray(np.full((4, 5), v, np.uint8)) for v in (10, 200)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert Image.open(tmp_path / "anim.gif").n_frames == 2
    got = identity_convolve(tmp_path, "anim.gif", "--gray")
    first = np.asarray(Image.open(tmp_path / "anim.gif").convert("RGB"))
    np.testing.assert_allclose(got, first.astype(float) @ [0.299, 0.587, 0.114])


def test_image_output_scaling_is_reported(files):
    d, x, k = files
    result = sigconv_cli("convolve", "x.npy", "k.csv", "-o", "y.png", "--mode", "same", cwd=d)
    assert result.returncode == 0, result.stderr
    assert "scaled to 0..255" in result.stderr
    img = np.asarray(Image.open(d / "y.png"))
    assert img.shape == x.shape and img.min() == 0 and img.max() == 255


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path):
    target = tmp_path / "old.npy"
    target.write_bytes(b"old")

    def broken(f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        _io.atomic_write(target, broken)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.npy"]


# ----------------------------------------------------------------------------- other commands

def test_filter_with_a_kernel_file(tmp_path):
    img = np.random.default_rng(2).integers(0, 256, (12, 10), dtype=np.uint8)
    Image.fromarray(img).save(tmp_path / "i.png")
    k = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0.0]])
    np.save(tmp_path / "lap.npy", k)
    result = sigconv_cli("filter", "i.png", "--kernel", "lap.npy", "-o", "f.npy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = ndi.convolve(img.astype(float), k, mode="reflect")
    np.testing.assert_allclose(np.load(tmp_path / "f.npy"), expected, atol=1e-9)


def test_filter_needs_exactly_one_filter(tmp_path):
    assert_one_line_error(sigconv_cli("filter", "i.png", "-o", "f.npy", cwd=tmp_path), 2,
                          "one of the arguments --gaussian --sobel --gabor --kernel is required")


def module_available(name):
    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("args, module", [
    (["edges", "i.png", "--method", "sobel", "-o", "e.png"], "sigconv.filters"),
    (["filter", "i.png", "--gaussian", "2", "-o", "g.npy"], "sigconv.filters"),
    (["matrix", "--input-shape", "320,280", "--kernel-shape", "2,1"], "sigconv.matrices"),
    (["check", "a.npy", "b.npy"], "sigconv.properties"),
], ids=["edges", "gaussian", "matrix", "check"])
def test_commands_of_other_modules(tmp_path, args, module):
    """Either the module is installed and the command works, or it says what is missing."""
    img = np.random.default_rng(3).integers(0, 256, (16, 16), dtype=np.uint8)
    Image.fromarray(img).save(tmp_path / "i.png")
    np.save(tmp_path / "a.npy", np.arange(6.0))
    np.save(tmp_path / "b.npy", np.array([1.0, -1.0, 2.0]))
    result = sigconv_cli(*args, cwd=tmp_path)
    if module_available(module):
        assert result.returncode == 0, result.stderr
        assert result.stdout or any(tmp_path.glob("[eg].*"))
    else:
        assert_one_line_error(result, 1, f"needs {module}, which is not available")


def test_bench_prints_first_ten_and_steady_ratios(monkeypatch, capsys):
    """`sigconv bench` on a tiny case list: a row per case whose ratios are the quotients
    of the two sides' timings, and the summary's geometric means."""
    from sigconv import _bench, _demo, cli
    cases = (_bench.Case((64,), (3,)), _bench.Case((6, 5, 4), (2, 2, 2), "float32", "same"))
    monkeypatch.setattr(_demo, "BENCH_CASES", cases)
    results = []
    real_bench = _demo.bench
    monkeypatch.setattr(_demo, "bench", lambda **kw: results.extend(real_bench(**kw)) or results)
    assert cli.main(["bench", "--quick"]) == 0
    out, err = capsys.readouterr()
    assert "[1/4] 64 * 3 f8 full: sigconv 1/1" in err and "[4/4]" in err
    assert [r.case for r in results] == list(cases)
    rows = {line.split("  ")[0].strip(): line for line in out.splitlines()
            if line.startswith(tuple(c.label for c in cases))}
    assert len(rows) == 2
    for r in results:
        for side in (r.sigconv, r.scipy):
            assert side.import_seconds > 0 and side.steady > 0
            assert len(side.calls) == 10 and min(side.calls) > 0
        assert set(r.scipy.alternatives) >= {"convolve", "fftconvolve", "oaconvolve"}
        first = r.scipy.calls[0] / r.sigconv.calls[0]
        ten = sum(r.scipy.calls) / sum(r.sigconv.calls)
        steady = min(r.scipy.alternatives.values()) / r.sigconv.steady
        stall = max(r.sigconv.calls) / r.sigconv.steady
        printed = [field for field in rows[r.case.label].split() if field.endswith("x")]
        assert printed == [f"{first:.2f}x", f"{ten:.2f}x", f"{steady:.2f}x", f"{stall:.1f}x"]
    for title in ("first call vs scipy.signal.convolve's first call: geometric mean",
                  "sum of the first ten calls vs scipy's first ten: geometric mean",
                  "steady state vs scipy's fastest method: geometric mean"):
        assert title in out
    assert "summary over 2 of 2 cases, shipped defaults" in out


def test_bench_refuses_zero_repeats(tmp_path):
    assert_one_line_error(sigconv_cli("bench", "--repeats", "0", cwd=tmp_path), 2,
                          "--repeats must be at least 1; got 0")


def test_demo_writes_pictures_and_a_report_and_can_be_rerun(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "notes.txt").write_text("the user's")
    for run in range(2):                          # the README's set-up command, twice
        result = sigconv_cli("demo", "-o", out, "--quick", cwd=tmp_path, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        for name in ("edges.png", "gabor_bank.png", "identities.png", "matrix.png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        report = (out / "report.txt").read_text()
        assert report.count("[") >= 5 and "FAILED" not in report
        for step in ("edges", "Gabor bank", "identities", "matrix form", "CNN on digits"):
            assert step in result.stdout
        cnn = "ok" if module_available("sigconv.nn") else "skipped (module not available)"
        assert f"CNN on digits: {cnn}" in report
    assert (out / "notes.txt").read_text() == "the user's"
    assert not [p for p in out.iterdir() if p.name.startswith(".sigconv-staging")]
    (out / "edges.png").write_bytes(b"a picture of the user's own")
    again = sigconv_cli("demo", "-o", out, cwd=tmp_path)
    assert_one_line_error(again, 2, "holds edges.png, not written by this command", "--force")
    assert (out / "edges.png").read_bytes() == b"a picture of the user's own"


def test_help_and_missing_command(tmp_path):
    ok = sigconv_cli("--help", cwd=tmp_path)
    assert ok.returncode == 0
    for command in ("convolve", "filter", "edges", "gabor", "matrix", "check", "train",
                    "bench", "demo"):
        assert command in ok.stdout
    assert_one_line_error(sigconv_cli(cwd=tmp_path), 2, "required")


@pytest.mark.parametrize("mode, shape, dtype", [
    ("L", (6, 5), np.uint8),
    ("P", (6, 5, 3), np.uint8),
    ("LA", (6, 5, 2), np.uint8),
    ("RGBA", (6, 5, 4), np.uint8),
    ("1", (6, 5), np.bool_),
    ("I", (6, 5), np.int32),
    ("F", (6, 5), np.float32),
], ids=lambda v: str(v))
def test_image_modes_are_converted_as_documented(tmp_path, mode, shape, dtype):
    Image.new(mode, (5, 6)).save(tmp_path / "m.tif" if mode in "IF" else tmp_path / "m.png")
    path = tmp_path / ("m.tif" if mode in "IF" else "m.png")
    arr = _io.load_array(path)
    assert arr.shape == shape and arr.dtype == dtype


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    Image.new("CMYK", (5, 6), (0, 255, 255, 0)).save(tmp_path / "c.jpg")
    arr = _io.load_array(tmp_path / "c.jpg")
    assert arr.shape == (6, 5, 3)
    np.testing.assert_allclose(arr.mean(axis=(0, 1)), [255, 0, 0], atol=3)   # pure red


def test_exif_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6                        # "rotate 90 CW to display"
    Image.new("L", (8, 4)).save(tmp_path / "r.jpg", exif=exif)
    assert _io.load_array(tmp_path / "r.jpg").shape == (8, 4)   # stored 4x8, shown 8x4


def test_failed_write_names_the_file_and_leaves_nothing(tmp_path):
    def disk_full(f):
        f.write(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(_io.FileProblem, match=r"cannot write '.*y\.npy': No space left on device"):
        _io.atomic_write(tmp_path / "y.npy", disk_full)
    assert list(tmp_path.iterdir()) == []


def test_demo_digits_split_is_stratified():
    from sigconv import _digits
    labels = np.repeat(np.arange(4), [8, 12, 20, 40])
    train, test = _digits.stratified_split(labels, 0.25, seed=0)
    assert np.array_equal(np.bincount(labels[test]), [2, 3, 5, 10])
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(labels.size))


def test_npz_with_several_arrays_needs_a_key(files):
    d, x, k = files
    np.savez(d / "two.npz", a=x, b=2 * x)
    result = sigconv_cli("convolve", "two.npz", "k.csv", "-o", "y.npy", cwd=d)
    assert_one_line_error(result, 1, "'two.npz' holds 2 arrays ['a', 'b']; choose one with --key")
    result = sigconv_cli("convolve", "two.npz", "k.csv", "-o", "y.npy", "--key", "b", cwd=d)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(d / "y.npy"), sig.convolve(2 * x, k), rtol=1e-12, atol=1e-12)


def test_tune_dry_run_measures_and_saves_nothing(tmp_path, monkeypatch, capsys):
    from sigconv import _runtime, _tune, cli
    monkeypatch.setenv("SIGCONV_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_tune, "transform_family",
                        lambda quick=False: [("r2c", (64,), 1, "d", 1)])
    real = _tune.measure_constants
    monkeypatch.setattr(_tune, "measure_constants",
                        lambda step=None, repeats=7: real(step, repeats=1))
    try:
        assert cli.main(["tune", "--dry-run", "--quick"]) == 0
    finally:
        _runtime.set_calibration(None)
    out = capsys.readouterr()
    assert "ns per N log2 N point" in out.out and "not saved (--dry-run)" in out.err
    assert not list(tmp_path.iterdir())
    assert cli.main(["tune", "--seconds-per-plan", "0"]) == 2

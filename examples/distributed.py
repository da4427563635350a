"""
A dask array convolved on a cluster
===================================

Splits matplotlib's sample photograph into uneven chunks, convolves it block by block on a
``dask.distributed`` LocalCluster (two worker processes) with a periodic boundary, checks the
result against the in-memory ``sigconv.convolve`` and draws the chunk grid beside the result.
The same code runs on a real cluster: connect a ``Client`` to its scheduler instead of
starting a LocalCluster (see the guide, "Larger than memory").

Run it: ``python examples/distributed.py OUTPUT_DIR`` writes ``distributed.png`` there (a
temporary directory when omitted).
"""

import sys
import tempfile
from pathlib import Path

# This file is named like the `distributed` package that dask imports: keep its own folder
# off the import path so that `import distributed` finds dask's package, not this script.
HERE = Path(sys.argv[0]).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import cbook  # noqa: E402

import sigconv  # noqa: E402
from sigconv import distributed  # noqa: E402


# %%
# Block by block, with a halo
# ---------------------------
# The kernel has an even width, so the halo each block reads from its neighbours is
# asymmetric; ``boundary='wrap'`` makes the halo of the edge blocks come from the far side
# of the whole image.  The result must equal the in-memory convolution.


def main(out: Path) -> None:
    import dask.array as da
    from dask.distributed import Client, LocalCluster, as_completed, futures_of
    from tqdm import tqdm

    photo = plt.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    image = photo[..., :3].astype(np.float64) @ [0.299, 0.587, 0.114] / 255.0
    kernel = np.outer(np.hanning(15), np.hanning(15))[:, :14]     # even width: asymmetric halo
    kernel /= kernel.sum()
    x = da.from_array(image, chunks=(160, 150))                   # uneven last chunks

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        y = distributed.convolve(x, kernel, "same", boundary="wrap")
        print(f"graph: shape {y.shape}, chunks {y.chunks}, dtype {y.dtype}")
        y = client.persist(y)                       # every block starts on the workers
        blocks = futures_of(y)                      # a bar on a terminal, silent in logs
        for _ in tqdm(as_completed(blocks), total=len(blocks), desc="blocks", unit="block",
                      disable=None):
            pass
        result = client.compute(y, sync=True)
        print(f"computed on {len(client.scheduler_info()['workers'])} worker processes")

    expected = sigconv.convolve(image, kernel, "same", boundary="wrap")
    error = np.max(np.abs(result - expected))
    print(f"max |distributed - in-memory| = {error:.1e}")
    assert error < 1e-10

    fig, axes = plt.subplots(1, 2, figsize=(9, 5), layout="constrained")
    axes[0].imshow(image, cmap="gray")
    for edge in np.cumsum(x.chunks[0])[:-1]:
        axes[0].axhline(edge - 0.5, color="tab:orange")
    for edge in np.cumsum(x.chunks[1])[:-1]:
        axes[0].axvline(edge - 0.5, color="tab:orange")
    axes[0].set_title(f"{x.npartitions} chunks")
    axes[1].imshow(result, cmap="gray")
    axes[1].set_title("convolved block by block (wrap)")
    for ax in axes:
        ax.set_axis_off()
    fig.savefig(out / "distributed.png", dpi=80)
    print("wrote", out / "distributed.png")


# %%
# Run
# ---

if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    target.mkdir(parents=True, exist_ok=True)
    main(target)

"""MNIST and Fashion-MNIST as ct/data loads them: IDX files (gzipped or
not), pixel byte v to v/127.5 - 1, fitted to the run's size by padding
(centered on -1, or a centered crop when smaller) or by resizing (area
averaging when shrinking, bilinear between pixel centers when enlarging,
ct/data/resample.go), then clamped to [-1, 1]. Grayscale only: the
datasets mirrored so far have one channel.
"""

import gzip
import os

import numpy as np

IMAGES = {"train": "train-images-idx3-ubyte", "test": "t10k-images-idx3-ubyte"}


def read_idx_images(data_dir, split="train"):
    """uint8 [N, rows, cols] from data_dir's IDX image file of the split."""
    base = os.path.join(data_dir, IMAGES[split])
    for path in (base, base + ".gz"):
        if os.path.exists(path):
            with open(path, "rb") as f:
                raw = f.read()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
            if magic != 0x803 or len(raw) != 16 + int(n) * rows * cols:
                raise ValueError(f"{path}: not an IDX image file of {n} x {rows} x {cols} bytes")
            return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(int(n), int(rows), int(cols))
    raise FileNotFoundError(f"no {IMAGES[split]}[.gz] in {data_dir!r} ('make data' puts MNIST in the Go module cache; `ict model --json` prints the folder as DataDir)")


def resample_matrix(n_in, n_out):
    """[n_out, n_in] float32 weights of ct/data's resampleTaps."""
    w = np.zeros((n_out, n_in), dtype=np.float32)
    if n_in == n_out:
        return np.eye(n_in, dtype=np.float32)
    if n_in > n_out:  # area averaging in units of 1/n_out source pixels
        for j in range(n_out):
            lo, hi = j * n_in, (j + 1) * n_in
            for i in range(lo // n_out, (hi - 1) // n_out + 1):
                w[j, i] = np.float32((min(hi, (i + 1) * n_out) - max(lo, i * n_out)) / n_in)
        return w
    for j in range(n_out):  # bilinear, clamped to the edge pixels' centers
        x = min(max((j + 0.5) * n_in / n_out - 0.5, 0.0), n_in - 1.0)
        i0 = int(x)
        f = x - i0
        if i0 + 1 < n_in and f > 0:
            w[j, i0], w[j, i0 + 1] = np.float32(1 - f), np.float32(f)
        else:
            w[j, i0] = 1
    return w


def _centered(n, size):
    """(dst offset, src offset, count) of ct/data's centered."""
    return ((size - n) // 2, 0, n) if n <= size else (0, (n - size) // 2, size)


def fit_images(pixels, size, fit):
    """float32 [N, 1, size, size] in [-1, 1] from uint8 [N, h, w]."""
    x = pixels.astype(np.float32) / np.float32(127.5) - np.float32(1)
    n, h, w = x.shape
    if fit == "pad":
        out = np.full((n, size, size), -1, dtype=np.float32)
        dy, sy, rows = _centered(h, size)
        dx, sx, cols = _centered(w, size)
        out[:, dy:dy + rows, dx:dx + cols] = x[:, sy:sy + rows, sx:sx + cols]
    elif fit == "resize":
        side = min(h, w)
        y0, x0 = (h - side) // 2, (w - side) // 2
        m = resample_matrix(side, size)
        x = x[:, y0:y0 + side, x0:x0 + side]
        out = np.clip(np.einsum("ik,nkl,jl->nij", m, x, m, optimize=True), -1, 1).astype(np.float32)
    else:
        raise ValueError(f"fit {fit!r}: want pad or resize")
    return out[:, None]


def load(run, split="train", limit=0):
    """The run's training images as ct/data.Load gives them."""
    if run.dataset not in ("mnist", "fashion-mnist"):
        raise ValueError(f"dataset {run.dataset!r} is not mirrored yet (mnist, fashion-mnist)")
    if run.net.image_channels != 1:
        raise ValueError(f"{run.net.image_channels} channels: the mirror loads grayscale datasets only")
    if not run.data_dir:
        raise ValueError("the config names no data folder: pass --data-dir, or use `ict model --json`, which resolves it")
    pixels = read_idx_images(run.data_dir, split)
    if limit > 0:
        pixels = pixels[:limit]
    return fit_images(pixels, run.net.image_size, run.fit)

"""A PyTorch mirror of ictvk's U-Net (nn/unet) and iCT training step (ct),
built from the JSON that `ict model --json` prints or that `ict train`
writes as a run folder's config.json, for side-by-side comparisons of
speed, memory and sample quality (bench/compare.py).

Modules: config (the JSON), unet (the network, with ictvk's parameter
names), ict (noise grid, curriculum, the training step, EMA, sampling),
data (MNIST and Fashion-MNIST loaded and fitted as ct/data does).

Its only dependency is PyTorch with NumPy (Debian's python3-torch: run
with /usr/bin/python3). It is a benchmark: nothing in the Go build or
tests depends on it.
"""

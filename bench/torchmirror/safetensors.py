"""ictvk's checkpoints (safetensors files) read with NumPy alone.

The format: an 8-byte little-endian header length, a JSON header mapping
each tensor's name to its dtype, shape and [begin, end) byte offsets into
the data that follows (plus an optional "__metadata__" of strings), then
the raw little-endian data. Debian has no python3-safetensors; this is the
part of it the mirror needs.
"""

import json

import numpy as np
import torch

DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I32": "<i4", "I64": "<i8", "U8": "u1", "I8": "i1"}


def read(path):
    """({name: NumPy array}, metadata) of the safetensors file at path."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    n = int.from_bytes(raw[:8], "little")
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header of {n} bytes runs past the file's {len(raw)}")
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, e in header.items():
        if e["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {e['dtype']}, which the reader does not know")
        dt = np.dtype(DTYPES[e["dtype"]])
        begin, end = e["data_offsets"]
        count = int(np.prod(e["shape"], dtype=np.int64))
        if end - begin != count * dt.itemsize or 8 + n + end > len(raw):
            raise ValueError(f"{path}: tensor {name} {e['shape']} has data [{begin}, {end}), which does not fit")
        tensors[name] = np.frombuffer(raw, dtype=dt, count=count, offset=8 + n + begin).reshape(e["shape"])
    return tensors, meta


def load_into(net, tensors, set_name="student"):
    """Copies the network set_name ("student" or "ema") of an ictvk
    checkpoint into a torchmirror UNet: every parameter by its ictvk name,
    and the Fourier frequencies."""
    wanted = [(name, p) for name, p in net.ictvk_params]
    if hasattr(net, "freqs"):
        wanted.append(("embed.freqs", net.freqs))
    missing = [f"{set_name}.{name}" for name, _ in wanted if f"{set_name}.{name}" not in tensors]
    if missing:
        raise ValueError(f"the checkpoint lacks {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    with torch.no_grad():
        for name, p in wanted:
            v = torch.from_numpy(tensors[f"{set_name}.{name}"].astype(np.float32))
            if tuple(v.shape) != tuple(p.shape):
                raise ValueError(f"checkpoint tensor {set_name}.{name} is {tuple(v.shape)}, the mirror's is {tuple(p.shape)}")
            p.copy_(v.to(p.device))

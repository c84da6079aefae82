#!/usr/bin/python3
"""The PyTorch mirror of an ictvk run (bench/torchmirror), from the JSON of
`ict model --json` or a run folder's config.json.

    bin/ict model --preset mnist --json > /tmp/mnist.json
    /usr/bin/python3 bench/mirror.py check --config /tmp/mnist.json
    /usr/bin/python3 bench/mirror.py bench --config /tmp/mnist.json --steps 5
    /usr/bin/python3 bench/mirror.py train --config runs/x/config.json --data-dir DIR --out /tmp/torch --n 1000
    go run bench/datasetnpy.go -config /tmp/mnist.json -n 256 -out /tmp/ictvk-data.npy
    /usr/bin/python3 bench/mirror.py check-data --config /tmp/mnist.json --npy /tmp/ictvk-data.npy

check: builds the network and compares its parameters (names, shapes,
order, count) with the JSON's. bench: times training steps and measures
the step's peak memory, as `ict bench` does, and ends with a line
"RESULT {json}" for bench/compare.py. train: trains for the recipe's
TotalIters on the dataset and writes one- and two-step samples of the EMA
network as .npy (float32 [N, C, H, W] in [-1, 1]) for `ict eval --npy`.
check-data: compares the mirror's training images with ictvk's.

It is a benchmark, not a test: nothing in the Go build depends on it.
"""

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from torchmirror import config, data, ict, safetensors, unet  # noqa: E402


def build(a):
    run = config.load(a.config)
    if getattr(a, "data_dir", None):
        run.data_dir = a.data_dir
    if getattr(a, "batch", 0):
        run.recipe.batch = a.batch
    torch.manual_seed(run.seed)
    net = unet.UNet(run.net)
    diffs = unet.check_tensors(net, run)
    if diffs:
        sys.exit(f"mirror.py: the mirror's network differs from ictvk's ({a.config}):\n  " + "\n  ".join(diffs[:20]))
    return run, net


def maxrss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def profiled_peak_bytes(fn):
    """The most bytes of tensors that fn allocated and held at once on the
    CPU: its activations, temporaries and anything else it allocates,
    from the profiler's allocation events; what existed before (the
    parameters, their gradients, the optimizer state) does not count.
    It is what `ict bench` calls the step tensors' peak."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    live = peak = 0
    events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    for e in sorted(events, key=lambda e: e.start_us()):  # a stable sort keeps the order of events at one microsecond
        live += e.nbytes()
        peak = max(peak, live)
    return peak


def cmd_check(a):
    run, net = build(a)
    count = sum(p.numel() for p in net.parameters())
    what = f"{len(run.tensors)} tensors and the count match" if run.tensors else "(the file lists no tensors: count not checked)"
    print(f"{run.preset}: {count} parameters in {len(net.ictvk_params)} tensors; ictvk: {run.parameters} {what}")


def cmd_bench(a):
    run, net = build(a)
    dev = a.device
    tr = ict.Trainer(net, run, dev)
    shape = (run.net.image_channels, run.net.image_size, run.net.image_size)
    b = run.recipe.batch
    gen = torch.Generator(device=dev).manual_seed(2)
    # Images of a fixed random draw, as ict bench: a step's cost does not depend on them.
    x = torch.rand((b,) + shape, generator=gen, device=dev) * 2 - 1
    cuda = dev != "cpu"
    sync = (lambda: torch.cuda.synchronize(dev)) if cuda else (lambda: None)
    # A step of one image allocates the optimizer state and warms the
    # libraries up, so that what the first full step allocates is the step's own.
    tr.step(x[:1])
    sync()
    if cuda:
        torch.cuda.reset_peak_memory_stats(dev)
        base = torch.cuda.memory_allocated(dev)
    rss0 = maxrss_bytes()
    t0 = time.perf_counter()
    tr.step(x)
    sync()
    first = time.perf_counter() - t0
    rss_growth = maxrss_bytes() - rss0
    if cuda:
        peak = torch.cuda.max_memory_allocated(dev) - base
    for _ in range(a.warmup - 1):
        tr.step(x)
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        tr.step(x)  # ends with loss.item(): the step has run
        sync()
        times.append(time.perf_counter() - t0)
    rss = maxrss_bytes()
    if not cuda:
        # Last, as the profiler's own memory would raise the process's peak.
        peak = profiled_peak_bytes(lambda: tr.step(x))
    mib = lambda v: f"{v / 2**20:.1f} MiB"
    params = sum(p.numel() for p in net.parameters())
    med = statistics.median(times)
    print(f"mirror {run.preset} on {dev} (torch {torch.__version__}, {torch.get_num_threads()} threads): {params} parameters, batch {b} of {shape[0]}x{shape[1]}x{shape[2]}")
    print(f"training: {med:.3f} s per step (median of {a.steps}), {b / med:.1f} images/s; first full step {first:.3f} s")
    print(f"  steps: {' '.join(f'{t:.3f}' for t in times)} s")
    proc = "" if cuda else f"; process peak resident {mib(rss)} (it grew {mib(rss_growth)} in the first full step)"
    print(f"memory: step tensors peak {mib(peak)} ({mib(peak / b)} per image){proc}")
    print("RESULT " + json.dumps({"params": params, "batch": b, "threads": torch.get_num_threads(), "step_seconds": times,
                                  "step_peak_bytes": peak, "process_peak_bytes": None if cuda else rss,
                                  "step_rss_growth_bytes": None if cuda else rss_growth}))


def cmd_train(a):
    run, net = build(a)
    dev = a.device
    r = run.recipe
    total = a.total or r.total_iters
    images = torch.from_numpy(data.load(run)).to(dev)
    n_img = images.shape[0]
    tr = trainer_from(net, run, dev, a.init)
    order = torch.Generator().manual_seed(run.seed ^ 0x5eed)
    perm, pos = torch.randperm(n_img, generator=order), 0
    os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, "metrics.jsonl"), "w")
    t0, window = time.perf_counter(), []
    for k in range(total):
        if pos + r.batch > n_img:  # a new permutation per epoch, as data.Batcher
            perm, pos = torch.randperm(n_img, generator=order), 0
        x = images[perm[pos:pos + r.batch].to(dev)]
        pos += r.batch
        if run.flip:
            flip = torch.rand(r.batch, generator=order) < 0.5
            x = torch.where(flip.to(dev)[:, None, None, None], x.flip(3), x)
        window.append(tr.step(x))
        if (k + 1) % a.log_every == 0 or k + 1 == total:
            s = (time.perf_counter() - t0) / (k + 1)
            line = {"step": k + 1, "loss": sum(window) / len(window), "grid": ict.grid_size(k, r), "seconds_per_step": s}
            log.write(json.dumps(line) + "\n")
            log.flush()
            print(f"step {k + 1}/{total}  loss {line['loss']:.4f}  N {line['grid']}  {s:.3f} s/step", flush=True)
            window = []
    train_s = time.perf_counter() - t0
    torch.save({"student": tr.net.state_dict(), "ema": tr.ema.state_dict(), "step": tr.k}, os.path.join(a.out, "mirror.pt"))
    shape = (run.net.image_channels, run.net.image_size, run.net.image_size)
    for steps in (1, 2):
        s = ict.sample(tr.ema, r, a.n, steps, a.sample_seed, shape, dev)
        path = os.path.join(a.out, f"samples-{steps}step.npy")
        np.save(path, s.numpy().astype(np.float32))
        print(f"wrote {a.n} {steps}-step samples of the EMA network to {path}")
    print(f"trained {total} steps in {train_s:.1f} s ({train_s / total:.3f} s per step)")


def trainer_from(net, run, dev, init=""):
    """A Trainer, its student and EMA taken from the ictvk checkpoint init
    when one is given (an ictvk run's weights, for example at step 0)."""
    tensors = None
    if init:
        tensors, _ = safetensors.read(init)
        safetensors.load_into(net, tensors, "student")
    tr = ict.Trainer(net, run, dev)
    if tensors is not None:
        safetensors.load_into(tr.ema, tensors, "ema")
    return tr


def compare_sets(tensors, init, nets):
    """Per network set, how far the mirror's weights are from ictvk's,
    relative to how far ictvk's moved in training: ||mirror - ictvk|| /
    ||ictvk - ictvk's initial weights|| over all parameters, and the
    largest such ratio of one tensor (with its name)."""
    rows = {}
    for set_name, net in nets.items():
        diff = moved = 0.0
        worst = (0.0, "")
        for name, p in net.ictvk_params:
            theirs = tensors[f"{set_name}.{name}"].astype(np.float64)
            d = float(np.sum((p.detach().cpu().double().numpy() - theirs) ** 2))
            m = float(np.sum((theirs - init[f"{set_name}.{name}"].astype(np.float64)) ** 2))
            diff, moved = diff + d, moved + m
            if m > 0:
                worst = max(worst, (math.sqrt(d / m), name))
        rows[set_name] = (math.sqrt(diff / moved) if moved > 0 else float("inf"), worst)
    return rows


def cmd_replay(a):
    """Replays the steps bench/steptrace.go recorded: ictvk's initial
    weights, images, noise indices and noise z, so that only the step's
    arithmetic differs. Prints both sides' losses step by step and the
    final weights' difference; with --n, writes one- and two-step samples
    of the replayed EMA network and of ictvk's final EMA network, both
    drawn by the mirror's sampler."""
    run, net = build(a)
    dev, r = a.device, run.recipe
    a.out = a.out or a.trace
    if run.net.dropout > 0:
        print(f"note: dropout {run.net.dropout}: the mirror draws its own dropout masks, so the steps differ by more than arithmetic")
    tr = trainer_from(net, run, dev, os.path.join(a.trace, "init.safetensors"))
    arr = {k: np.load(os.path.join(a.trace, k + ".npy")) for k in ("images", "flips", "indices", "grid", "noise", "loss")}
    steps = arr["loss"].shape[0] if a.steps <= 0 else min(a.steps, arr["loss"].shape[0])
    images = torch.from_numpy(data.load(run)).to(dev)
    ours, theirs = [], arr["loss"][:steps].astype(np.float64)
    t0 = time.perf_counter()
    for k in range(steps):
        if ict.grid_size(k, r) != arr["grid"][k]:
            sys.exit(f"mirror.py replay: step {k}: ictvk's N(k) is {arr['grid'][k]}, the mirror's {ict.grid_size(k, r)}")
        x = images[torch.from_numpy(arr["images"][k].astype(np.int64)).to(dev)]
        flip = torch.from_numpy(arr["flips"][k].astype(bool)).to(dev)
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
        z = torch.from_numpy(arr["noise"][k].copy()).to(dev)
        ours.append(tr.step(x, indices=arr["indices"][k], noise=z))
        if k < 10 or (k + 1) % a.log_every == 0 or k + 1 == steps:
            rel = abs(ours[-1] - theirs[k]) / abs(theirs[k])
            print(f"step {k + 1}/{steps}  N {arr['grid'][k]}  loss ictvk {theirs[k]:.6f} mirror {ours[-1]:.6f}  relative difference {rel:.2e}", flush=True)
    ours = np.array(ours)
    rel = np.abs(ours - theirs) / np.abs(theirs)
    print(f"replayed {steps} steps in {time.perf_counter() - t0:.1f} s: loss relative difference median {np.median(rel):.2e}, "
          f"max {rel.max():.2e}; mean loss ictvk {theirs.mean():.5f} mirror {ours.mean():.5f}")
    final = os.path.join(a.trace, "final.safetensors")
    if steps == arr["loss"].shape[0] and os.path.exists(final):
        tensors, _ = safetensors.read(final)
        init, _ = safetensors.read(os.path.join(a.trace, "init.safetensors"))
        for set_name, (d, (w, name)) in compare_sets(tensors, init, {"student": tr.net, "ema": tr.ema}).items():
            print(f"final {set_name}: |mirror - ictvk| / |ictvk's update| = {d:.2e} (largest of a tensor {w:.2e}, {name})")
        if a.n:
            os.makedirs(a.out, exist_ok=True)
            theirs_net = unet.UNet(run.net)
            safetensors.load_into(theirs_net, tensors, "ema")
            theirs_net.to(dev)
            shape = (run.net.image_channels, run.net.image_size, run.net.image_size)
            for who, model in (("mirror", tr.ema), ("ictvk", theirs_net)):
                for st in (1, 2):
                    smp = ict.sample(model, r, a.n, st, a.sample_seed, shape, dev)
                    path = os.path.join(a.out, f"samples-{who}-{st}step.npy")
                    np.save(path, smp.numpy().astype(np.float32))
                    print(f"wrote {a.n} {st}-step samples of the {who} EMA network (mirror's sampler) to {path}")
    np.save(os.path.join(a.trace, "loss-mirror.npy"), ours.astype(np.float32))


def cmd_check_data(a):
    run = config.load(a.config)
    if a.data_dir:
        run.data_dir = a.data_dir
    theirs = np.load(a.npy)
    ours = data.load(run, limit=theirs.shape[0])
    if ours.shape != theirs.shape:
        sys.exit(f"mirror.py: the mirror's images are {ours.shape}, ictvk's {theirs.shape}")
    d = np.abs(ours - theirs)
    print(f"{theirs.shape[0]} images of {run.dataset} ({run.fit} to {run.net.image_size}): max |mirror - ictvk| = {d.max():.3g}, mean {d.mean():.3g}")
    if d.max() > 1e-5:
        sys.exit("mirror.py: the data pipelines differ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--config", required=True, help="`ict model --json` output or a run folder's config.json")
        p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="PyTorch CPU threads (default: the CPUs this process may use)")
        p.add_argument("--device", default="cpu", help="torch device: cpu or cuda[:N]")
        return p

    common(sub.add_parser("check", help="compare the network's parameters with ictvk's"))
    p = common(sub.add_parser("bench", help="time training steps and measure a step's peak memory"))
    p.add_argument("--steps", type=int, default=5, help="timed steps")
    p.add_argument("--warmup", type=int, default=2, help="untimed full steps first")
    p.add_argument("--batch", type=int, default=0, help="images per step (default: the config's)")
    p = common(sub.add_parser("train", help="train on the dataset and write samples as .npy"))
    p.add_argument("--out", required=True, help="folder for samples-1step.npy, samples-2step.npy, metrics.jsonl, mirror.pt")
    p.add_argument("--data-dir", default="", help="the dataset's folder (default: the config's DataDir)")
    p.add_argument("--total", type=int, default=0, help="training steps (default: the recipe's TotalIters)")
    p.add_argument("--n", type=int, default=1000, help="samples to draw")
    p.add_argument("--sample-seed", type=int, default=0, help="seed of the sampling noise")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--init", default="", help="an ictvk checkpoint to start from (its student and EMA networks)")
    p = common(sub.add_parser("replay", help="replay the steps of bench/steptrace.go from ictvk's weights and draws"))
    p.add_argument("--trace", required=True, help="the folder bench/steptrace.go wrote")
    p.add_argument("--data-dir", default="", help="the dataset's folder (default: the config's DataDir)")
    p.add_argument("--steps", type=int, default=0, help="replay only the first steps (default: all)")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--n", type=int, default=0, help="after a whole trace, samples to draw of both EMA networks")
    p.add_argument("--out", default="", help="folder for the samples (default: the trace's)")
    p.add_argument("--sample-seed", type=int, default=0, help="seed of the sampling noise")
    p = common(sub.add_parser("check-data", help="compare the training images with ictvk's (bench/datasetnpy.go)"))
    p.add_argument("--npy", required=True)
    p.add_argument("--data-dir", default="")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    try:
        {"check": cmd_check, "bench": cmd_bench, "train": cmd_train, "replay": cmd_replay, "check-data": cmd_check_data}[a.cmd](a)
    except (config.ConfigError, ValueError, FileNotFoundError) as e:
        sys.exit(f"mirror.py {a.cmd}: {e}")


if __name__ == "__main__":
    main()

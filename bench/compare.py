#!/usr/bin/python3
"""ictvk beside its PyTorch mirror, every figure a ratio measured in one run.

Speed and memory (the default): `ict bench` and `bench/mirror.py bench`
run alternately, in rounds (ictvk first in the first, third, ... round,
PyTorch first in the others), on one network built from one config
(`ict model --json` with the flags given here), so that the noise of a
shared host falls on both.
It prints the median seconds per step over all timed steps of all rounds
for each side, the step's peak tensor memory and the process's peak
resident size, and the ratios ictvk / PyTorch.

    bench/compare.py --preset mnist --steps 5
    bench/compare.py --preset mnist32 --blocks 2 --base-channels 32 --channel-mults 1,2,2 --rounds 2

Quality (--quality): for each seed, `ict train` and `mirror.py train` train
for --total steps from the run folder's own config.json, both draw --n
one- and two-step samples of their EMA networks, and `ict eval --npy`
scores the four .npy files with ictvk's classifier FID (it trains the
classifier first if it is not cached).

    bench/compare.py --quality --preset mnist --total 1400 --n 1000 --seeds 1,2

With --paired, ictvk trains through bench/steptrace.go (ct.Trainer on the
batcher, as ict train, recording every step's images, noise indices and
noise), and the mirror also replays those steps from ictvk's initial
weights (mirror.py replay): the replayed network differs from ictvk's only
by float32 arithmetic, so its FID shows what the independent pair's
difference owes to random streams and seeds. Both EMA networks are then
also sampled by the mirror's sampler.

Run it from the repository root after `make build`; PyTorch is Debian's
python3-torch (/usr/bin/python3). It is a benchmark: no test runs it.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = os.path.join(HERE, "mirror.py")

# Flags of `ict model` / `ict bench` / `ict train` that change the network
# or the step, forwarded to ictvk (and through `ict model --json` to the
# mirror). Bench takes the first group only.
NET_FLAGS = ["image-size", "channels", "batch", "micro-batch", "base-channels", "channel-mults", "blocks", "attention", "dropout"]
RECIPE_FLAGS = ["fourier-scale", "lr", "ema", "s0", "s1"]


def run(cmd, what, capture=True, env=None):
    """Runs cmd; exits with its output when it fails."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None,
                       text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"compare.py: {what} failed (exit {p.returncode}): {' '.join(cmd)}\n{p.stdout or ''}")
    return p.stdout or "", time.perf_counter() - t0


def find(pattern, text, what):
    m = re.search(pattern, text, re.M)
    if not m:
        sys.exit(f"compare.py: no {what} in:\n{text}")
    return m


def go_seconds(d):
    """Seconds of a Go duration string such as 1m23.5s."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}
    return sum(float(v) * units[u] for v, u in re.findall(r"([0-9.]+)(ms|µs|us|ns|h|m|s)", d))


def mib(v):
    return f"{v / 2**20:.1f} MiB"


def forwarded(a, names):
    out = []
    for n in names:
        v = getattr(a, n.replace("-", "_"))
        if v is not None:
            out += ["--" + n, str(v)]
    return out


def model_json(a, out_dir, extra=(), check=True, name="model.json"):
    """Writes `ict model --json` for the flags to out_dir/name and checks
    the mirror's network against it."""
    cfg = os.path.join(out_dir, name)
    text, _ = run([a.ict, "model", "--preset", a.preset, "--json"] + forwarded(a, NET_FLAGS) + list(extra), "ict model --json")
    with open(cfg, "w") as f:
        f.write(text)
    if check:
        out, _ = run([sys.executable, MIRROR, "check", "--config", cfg], "mirror.py check")
        print(out.strip())
    return cfg, json.loads(text)


def ict_bench(a, flags):
    text, _ = run([a.ict, "bench", "--preset", a.preset, "--steps", str(a.steps), "--warmup", str(a.warmup), "--ops=false", "--top", "0"] + flags,
                  "ict bench")
    steps = [float(v) for v in find(r"^  steps: ([0-9. ]+) s$", text, "step times").group(1).split()]
    m = find(r"memory: step tensors peak ([0-9.]+) MiB.*process peak resident ([0-9.]+) MiB", text, "memory line")
    return {"step_seconds": steps, "step_peak_bytes": float(m.group(1)) * 2**20, "process_peak_bytes": float(m.group(2)) * 2**20,
            "device": find(r"^bench \S+ on (.*?): ", text, "device").group(1)}


def mirror_bench(a, cfg):
    text, _ = run([sys.executable, MIRROR, "bench", "--config", cfg, "--steps", str(a.steps), "--warmup", str(a.warmup),
                   "--threads", str(a.threads), "--device", a.torch_device], "mirror.py bench")
    res = json.loads(find(r"^RESULT (.*)$", text, "RESULT line").group(1))
    res["about"] = find(r"^mirror \S+ on (.*?): ", text, "mirror's header").group(1)
    return res


def speed(a):
    out_dir = a.out or os.path.join("runs", "compare-" + time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    flags = forwarded(a, NET_FLAGS)
    cfg, model = model_json(a, out_dir, check=a.micro_batch is not None)
    batch = model["Run"]["Recipe"]["BatchSize"]
    if a.micro_batch is None:
        # One pass per step on both sides: without the flag ict would
        # measure passes to choose a micro-batch before timing.
        flags += ["--micro-batch", str(batch)]
        cfg, model = model_json(a, out_dir, ["--micro-batch", str(batch)])
    sides = {"ictvk": [], "PyTorch": []}
    for r in range(a.rounds):
        order = ["ictvk", "PyTorch"] if r % 2 == 0 else ["PyTorch", "ictvk"]
        for side in order:
            res = ict_bench(a, flags) if side == "ictvk" else mirror_bench(a, cfg)
            sides[side].append(res)
            print(f"round {r + 1}/{a.rounds} {side:8s} steps {' '.join(f'{t:.3f}' for t in res['step_seconds'])} s, "
                  f"step memory {mib(res['step_peak_bytes'])}, process {mib(res['process_peak_bytes'] or 0)}", flush=True)
    med = {s: statistics.median([t for res in rs for t in res["step_seconds"]]) for s, rs in sides.items()}
    mem = {s: statistics.median([res["step_peak_bytes"] for res in rs]) for s, rs in sides.items()}
    proc = {s: max(res["process_peak_bytes"] or 0 for res in rs) for s, rs in sides.items()}
    n = a.rounds * a.steps
    print()
    print(f"{a.preset} {' '.join(flags)}: {model['Parameters']} parameters, batch {batch} of "
          f"{model['Run']['Net']['image_channels']}x{model['Run']['Net']['image_size']}x{model['Run']['Net']['image_size']}")
    print(f"ictvk on {sides['ictvk'][0]['device']}; PyTorch {sides['PyTorch'][0]['about']}")
    print(f"{'':34s} {'ictvk':>12s} {'PyTorch':>12s} {'ictvk/PyTorch':>14s}")
    print(f"{f's/step (median of {n} steps)':34s} {med['ictvk']:12.3f} {med['PyTorch']:12.3f} {med['ictvk'] / med['PyTorch']:13.2f}x")
    for s in sides:
        per_round = [statistics.median(res["step_seconds"]) for res in sides[s]]
        print(f"  {s} per round: {' '.join(f'{v:.3f}' for v in per_round)}")
    # On a shared host another job's burst can stall a side's threads for a
    # whole step; the fastest step is what each side does undisturbed.
    best = {s: min(t for res in rs for t in res["step_seconds"]) for s, rs in sides.items()}
    print(f"{'s/step (fastest step)':34s} {best['ictvk']:12.3f} {best['PyTorch']:12.3f} {best['ictvk'] / best['PyTorch']:13.2f}x")
    print(f"{'step memory (MiB)':34s} {mem['ictvk'] / 2**20:12.1f} {mem['PyTorch'] / 2**20:12.1f} {mem['ictvk'] / mem['PyTorch']:13.2f}x")
    if proc["PyTorch"]:
        print(f"{'process peak resident (MiB)':34s} {proc['ictvk'] / 2**20:12.1f} {proc['PyTorch'] / 2**20:12.1f} {proc['ictvk'] / proc['PyTorch']:13.2f}x")
    print("step memory: the most bytes of tensors a step held at once beyond the parameters, their gradients and the optimizer "
          "state: ictvk's pool (ict bench's step tensors peak), PyTorch's allocations (profiler memory events; on CUDA max_memory_allocated)")
    with open(os.path.join(out_dir, "speed.json"), "w") as f:
        json.dump({"flags": [a.preset] + flags, "median_step_seconds": med, "fastest_step_seconds": best, "step_peak_bytes": mem, "process_peak_bytes": proc,
                   "rounds": sides}, f, indent=1)


def fid(a, npy, model):
    cmd = [a.ict, "eval", "--npy", npy, "--dataset", model["Dataset"], "--fit", model["FitName"]]
    if a.eval_cache:
        cmd += ["--cache", a.eval_cache]
    text, _ = run(cmd, "ict eval --npy")
    return float(find(r"^FID\s+([0-9.]+)", text, "FID").group(1))


def quality(a):
    out_dir = a.out or os.path.join("runs", "quality-" + time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    cfg, model = model_json(a, out_dir, forwarded(a, RECIPE_FLAGS) + ["--total", str(a.total)])
    net = model["Run"]["Net"]
    cache = ["--cache", a.eval_cache] if a.eval_cache else []
    print("the classifier that scores both (trained once, then cached):", flush=True)
    run([a.ict, "classifier", "train", "--dataset", model["Dataset"], "--image-size", str(net["image_size"]),
         "--channels", str(net["image_channels"]), "--fit", model["FitName"], "--if-missing"] + cache, "ict classifier train", capture=False)
    data_npy = os.path.join(out_dir, "ictvk-data.npy")
    if subprocess.run(["go", "run", os.path.join(HERE, "datasetnpy.go"), "-config", cfg, "-n", "512", "-out", data_npy],
                      stdout=subprocess.DEVNULL).returncode == 0:
        text, _ = run([sys.executable, MIRROR, "check-data", "--config", cfg, "--npy", data_npy], "mirror.py check-data")
        print(text.strip())
    rows = []
    steptrace = None
    if a.paired:
        steptrace = os.path.join(out_dir, "steptrace")
        run(["go", "build", "-o", steptrace, os.path.join(HERE, "steptrace.go")], "go build bench/steptrace.go")
    for seed in a.seeds.split(","):
        ours, theirs = os.path.join(out_dir, f"ictvk-seed{seed}"), os.path.join(out_dir, f"torch-seed{seed}")
        if a.paired:
            # ictvk trains through bench/steptrace.go, which runs ct.Trainer
            # on the batcher exactly as ict train does and records the draws.
            seed_cfg, _ = model_json(a, out_dir, forwarded(a, RECIPE_FLAGS) + ["--total", str(a.total), "--seed", seed], check=False,
                                     name=f"model-seed{seed}.json")
            print(f"seed {seed}: steptrace ({a.total} steps, recording the draws) ...", flush=True)
            _, t_ict = run([steptrace, "-config", seed_cfg, "-steps", "0", "-out", ours], "bench/steptrace.go")
            ckpt, mirror_cfg = os.path.join(ours, "final.safetensors"), seed_cfg
        else:
            print(f"seed {seed}: ict train ({a.total} steps) ...", flush=True)
            text, _ = run([a.ict, "train", "--preset", a.preset, "--total", str(a.total), "--seed", seed, "--out", ours, "--quiet"]
                          + forwarded(a, NET_FLAGS + RECIPE_FLAGS), "ict train")
            t_ict = go_seconds(find(r"^done: \d+ steps in (\S+);", text, "ict train's last line").group(1))
            ckpt, mirror_cfg = os.path.join(ours, "checkpoints", "latest.safetensors"), os.path.join(ours, "config.json")
        print(f"seed {seed}: mirror.py train ...", flush=True)
        text, _ = run([sys.executable, MIRROR, "train", "--config", mirror_cfg, "--data-dir", model["DataDir"],
                       "--out", theirs, "--n", str(a.n), "--threads", str(a.threads), "--device", a.torch_device], "mirror.py train")
        t_torch = float(find(r"^trained \d+ steps in ([0-9.]+) s", text, "mirror.py train's last line").group(1))
        row = {"seed": seed, "train_seconds": {"ictvk": t_ict, "PyTorch": t_torch}}
        replay = os.path.join(out_dir, f"replay-seed{seed}")
        if a.paired:
            print(f"seed {seed}: mirror.py replay ...", flush=True)
            text, _ = run([sys.executable, MIRROR, "replay", "--config", mirror_cfg, "--trace", ours, "--out", replay, "--n", str(a.n),
                           "--log-every", "100", "--threads", str(a.threads), "--device", a.torch_device], "mirror.py replay")
            with open(os.path.join(replay, "replay.log"), "w") as f:
                f.write(text)
            row["replay"] = {m: find(p, text, what).group(1) for m, p, what in (
                ("loss", r"^replayed .*: (loss relative difference .*)$", "replay summary"),
                ("student", r"^final student: (.*)$", "final student line"),
                ("ema", r"^final ema: (.*)$", "final ema line"))}
        for steps in (1, 2):
            npy = os.path.join(ours, f"samples-{steps}step.npy")
            run([a.ict, "sample", "--ckpt", ckpt, "--n", str(a.n), "--steps", str(steps),
                 "--seed", "0", "--npy", npy, "--out", os.path.join(ours, f"samples-{steps}step.png"), "--quiet"], "ict sample")
            row[f"{steps}-step"] = {"ictvk": fid(a, npy, model), "PyTorch": fid(a, os.path.join(theirs, f"samples-{steps}step.npy"), model)}
            if a.paired:
                row[f"{steps}-step"]["PyTorch replay"] = fid(a, os.path.join(replay, f"samples-mirror-{steps}step.npy"), model)
                row[f"{steps}-step"]["ictvk, torch sampler"] = fid(a, os.path.join(replay, f"samples-ictvk-{steps}step.npy"), model)
        rows.append(row)
        print(f"seed {seed}: FID one-step " + ", ".join(f"{k} {v:.2f}" for k, v in row["1-step"].items()) +
              "; two-step " + ", ".join(f"{k} {v:.2f}" for k, v in row["2-step"].items()) +
              f"; training took {t_ict:.0f} s and {t_torch:.0f} s", flush=True)
        if a.paired:
            print(f"seed {seed}: replay {row['replay']['loss']}; final weights: student {row['replay']['student']}, ema {row['replay']['ema']}", flush=True)
    print()
    print(f"{a.preset}, {a.total} steps, {a.n} samples, classifier FID ({model['Dataset']}, {model['FitName']}), seeds {a.seeds}")
    print(f"{'':16s} {'ictvk':>10s} {'PyTorch':>10s} {'ictvk/PyTorch':>14s}")
    for k in ("1-step", "2-step"):
        mi = statistics.mean(r[k]["ictvk"] for r in rows)
        mt = statistics.mean(r[k]["PyTorch"] for r in rows)
        print(f"{'FID ' + k + ' (mean)':16s} {mi:10.2f} {mt:10.2f} {mi / mt:13.2f}x")
    if a.paired:
        # The replay trains from ictvk's weights on ictvk's draws: only the
        # arithmetic differs. The torch sampler on ictvk's weights isolates
        # the sampler and the scorer's input.
        for other in ("PyTorch replay", "ictvk, torch sampler"):
            for k in ("1-step", "2-step"):
                mi = statistics.mean(r[k]["ictvk"] for r in rows)
                mt = statistics.mean(r[k][other] for r in rows)
                print(f"{'FID ' + k + ' (mean)':16s} {mi:10.2f} {mt:10.2f} {mi / mt:13.2f}x  (against {other})")
    ti = statistics.mean(r["train_seconds"]["ictvk"] for r in rows)
    tt = statistics.mean(r["train_seconds"]["PyTorch"] for r in rows)
    print(f"{'training (s)':16s} {ti:10.0f} {tt:10.0f} {ti / tt:13.2f}x")
    with open(os.path.join(out_dir, "quality.json"), "w") as f:
        json.dump(rows, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--ict", default="bin/ict", help="the ict binary (make build)")
    ap.add_argument("--preset", default="mnist")
    for f in NET_FLAGS + RECIPE_FLAGS:
        ap.add_argument("--" + f, default=None, help="forwarded to ict (default: the preset's)")
    ap.add_argument("--rounds", type=int, default=3, help="speed: alternating runs of each side")
    ap.add_argument("--steps", type=int, default=5, help="speed: timed steps per run")
    ap.add_argument("--warmup", type=int, default=3, help="speed: untimed steps per run first")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="PyTorch's CPU threads (lavapipe uses one per CPU)")
    ap.add_argument("--torch-device", default="cpu", help="cpu or cuda[:N]")
    ap.add_argument("--quality", action="store_true", help="train both and compare classifier FID instead")
    ap.add_argument("--total", type=int, default=1400, help="quality: training steps")
    ap.add_argument("--n", type=int, default=1000, help="quality: samples scored per side, seed and sampler")
    ap.add_argument("--seeds", default="1", help="quality: comma-separated training seeds")
    ap.add_argument("--paired", action="store_true",
                    help="quality: train ictvk through bench/steptrace.go, which records every step's draws, and also replay them "
                         "in the mirror from ictvk's initial weights (mirror.py replay): a comparison of the arithmetic alone")
    ap.add_argument("--eval-cache", default="", help="quality: folder of cached classifiers (default: ict's)")
    ap.add_argument("--out", default="", help="folder for the configs, runs and results (default: runs/compare-TIME)")
    a = ap.parse_args()
    if not os.path.exists(a.ict):
        sys.exit(f"compare.py: no {a.ict}: run make build (or pass --ict)")
    if a.rounds < 1 or a.steps < 1 or a.warmup < 1:
        sys.exit("compare.py: --rounds, --steps and --warmup must be at least 1")
    quality(a) if a.quality else speed(a)


if __name__ == "__main__":
    main()

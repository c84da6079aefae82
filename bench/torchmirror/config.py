"""The run configuration ictvk writes as JSON, read into plain objects.

Two files share the keys read here: the output of `ict model --json`
(which adds Tensors, Parameters and the dataset's resolved DataDir) and
the config.json of an `ict train` run folder. Field names are Go's
(cmd/ict/modeljson.go, ct.Recipe, unet.Config); a missing one is an error
naming it, so a renamed Go field cannot be silently replaced by a default.
"""

import json
from dataclasses import dataclass

# data.Fit's numbers in config.json.
FITS = {0: "pad", 1: "resize"}


class ConfigError(ValueError):
    pass


@dataclass
class Net:
    image_channels: int
    image_size: int
    base_channels: int
    channel_mults: list
    blocks_per_level: int
    attention_resolutions: list
    attention_heads: int
    dropout: float
    groups: int
    embedding: str  # "fourier" or "positional"
    fourier_scale: float


@dataclass
class Recipe:
    sigma_min: float
    sigma_max: float
    rho: float
    sigma_data: float
    curriculum: str  # "exponential" or "square-root"
    s0: int
    s1: int
    total_iters: int
    noise_distribution: str  # "lognormal" or "uniform"
    p_mean: float
    p_std: float
    weighting: str  # "inverse-gap" or "uniform"
    metric: str  # "pseudo-huber", "squared-l2" or "l1"
    pseudo_huber_factor: float
    teacher_ema_start: float
    c_noise_scale: float
    lr: float
    beta1: float
    beta2: float
    adam_eps: float
    batch: int
    eval_ema_decay: float
    sigma_mid: float


@dataclass
class Run:
    preset: str
    dataset: str
    data_dir: str
    fit: str
    flip: bool
    net: Net
    recipe: Recipe
    seed: int
    warmup_steps: int
    clip_norm: float
    micro_batch: int
    parameters: int  # -1 when the file does not say (a run's config.json)
    tensors: list  # [(name, shape)], empty when the file does not say


# Go field -> Python field, for every field the mirror reads.
NET_FIELDS = {
    "image_channels": "image_channels", "image_size": "image_size", "base_channels": "base_channels",
    "channel_mults": "channel_mults", "blocks_per_level": "blocks_per_level",
    "attention_resolutions": "attention_resolutions", "attention_heads": "attention_heads",
    "dropout": "dropout", "groups": "groups", "embedding": "embedding", "fourier_scale": "fourier_scale",
}
RECIPE_FIELDS = {
    "SigmaMin": "sigma_min", "SigmaMax": "sigma_max", "Rho": "rho", "SigmaData": "sigma_data",
    "CurriculumKind": "curriculum", "S0": "s0", "S1": "s1", "TotalIters": "total_iters",
    "NoiseDistribution": "noise_distribution", "PMean": "p_mean", "PStd": "p_std",
    "Weighting": "weighting", "Metric": "metric", "PseudoHuberFactor": "pseudo_huber_factor",
    "TeacherEMAStart": "teacher_ema_start", "CNoiseScale": "c_noise_scale",
    "LearningRate": "lr", "Beta1": "beta1", "Beta2": "beta2", "AdamEps": "adam_eps", "BatchSize": "batch",
    "EvalEMADecay": "eval_ema_decay", "SigmaMid": "sigma_mid",
}
TOP_FIELDS = ("Preset", "Dataset", "Fit", "Flip", "Run")
RUN_FIELDS = ("Recipe", "Net", "Seed", "WarmupSteps", "ClipNorm", "MicroBatch")


def _take(d, fields, where, path):
    missing = [f for f in fields if f not in d]
    if missing:
        raise ConfigError(f"{path}: {where} lacks {', '.join(missing)} (was the file written by another version of ict?)")


def parse(obj, path="<json>"):
    """Reads a decoded config.json or `ict model --json` object."""
    _take(obj, TOP_FIELDS, "the top level", path)
    run = obj["Run"]
    _take(run, RUN_FIELDS, "Run", path)
    _take(run["Net"], NET_FIELDS, "Run.Net", path)
    _take(run["Recipe"], RECIPE_FIELDS, "Run.Recipe", path)
    net = Net(**{py: run["Net"][go] for go, py in NET_FIELDS.items()})
    net.attention_resolutions = net.attention_resolutions or []  # Go's nil slice is null
    recipe = Recipe(**{py: run["Recipe"][go] for go, py in RECIPE_FIELDS.items()})
    fit = obj["Fit"]
    if isinstance(fit, int):
        if fit not in FITS:
            raise ConfigError(f"{path}: Fit {fit} is neither 0 (pad) nor 1 (resize)")
        fit = FITS[fit]
    return Run(
        preset=obj["Preset"], dataset=obj["Dataset"], data_dir=obj.get("DataDir", ""), fit=fit, flip=obj["Flip"],
        net=net, recipe=recipe, seed=run["Seed"], warmup_steps=run["WarmupSteps"], clip_norm=run["ClipNorm"],
        micro_batch=run["MicroBatch"], parameters=obj.get("Parameters", -1),
        tensors=[(t["Name"], tuple(t["Shape"])) for t in obj.get("Tensors") or []])


def load(path):
    with open(path) as f:
        try:
            obj = json.load(f)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}: not JSON: {e}") from None
    return parse(obj, path)

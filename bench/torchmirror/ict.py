"""iCT in PyTorch as package ct does it: the noise grid, the curriculum,
the training step (ct/trainer.go), the evaluation EMA and sampling
(ct/sampling.go), from a config.Recipe.

The formulas follow the Go code, which cites the paper; where ictvk makes
a choice of its own (the EMA warm-up, the learning-rate warm-up, the
float64 per-sample scalings cast to float32) the mirror makes the same.
The random streams are PyTorch's, so the mirror draws the same
distributions as ictvk, not the same numbers. The original CT's teacher
EMA (TeacherEMAStart > 0) is not mirrored.
"""

import copy
import math

import torch


# --- the noise grid and curriculum (ct/noisegrid.go, ct/curriculum.go) ---

def karras_sigmas(n, r):
    lo, hi = r.sigma_min ** (1 / r.rho), r.sigma_max ** (1 / r.rho)
    s = [(lo + j / (n - 1) * (hi - lo)) ** r.rho for j in range(n)]
    s[0], s[-1] = r.sigma_min, r.sigma_max
    return s


def _erf_difference(a, b):
    """erf(b) - erf(a) without cancellation in the tails (ct.erfDifference)."""
    if a >= 0:
        return math.erfc(a) - math.erfc(b)
    if b <= 0:
        return math.erfc(-b) - math.erfc(-a)
    return math.erf(b) - math.erf(a)


def noise_grid(n, r):
    """The sigmas, the probability of each pair (sigma_i, sigma_i+1) and its loss weight."""
    s = karras_sigmas(n, r)
    if r.noise_distribution == "lognormal":
        z = [(math.log(v) - r.p_mean) / (math.sqrt(2) * r.p_std) for v in s]
        probs = [_erf_difference(z[j], z[j + 1]) for j in range(n - 1)]
    elif r.noise_distribution == "uniform":
        probs = [1.0] * (n - 1)
    else:
        raise ValueError(f"noise distribution {r.noise_distribution!r}")
    total = sum(probs)
    probs = [p / total for p in probs]
    if r.weighting == "inverse-gap":
        weights = [1 / (s[j + 1] - s[j]) for j in range(n - 1)]
    elif r.weighting == "uniform":
        weights = [1.0] * (n - 1)
    else:
        raise ValueError(f"weighting {r.weighting!r}")
    return s, probs, weights


def grid_size(k, r):
    """N(k) of ct.Curriculum.GridSize."""
    if r.curriculum == "exponential":
        doublings = math.log2(r.s1 // r.s0)
        period = max(int(math.floor(r.total_iters / (doublings + 1))), 1)
        d = k // period
        if d >= 62 or r.s0 > r.s1 >> d:
            return r.s1 + 1
        return min(r.s0 << d, r.s1) + 1
    if r.curriculum == "square-root":
        progress = min(k / r.total_iters, 1)
        s0, s1 = float(r.s0), float(r.s1)
        intervals = int(math.ceil(math.sqrt(progress * ((s1 + 1) ** 2 - s0 * s0) + s0 * s0) - 1))
        return min(max(intervals, 1), r.s1) + 1
    raise ValueError(f"curriculum {r.curriculum!r}")


def scalings(sigma, r):
    """c_skip, c_out, c_in and c_noise per sample (ct.Recipe.Scalings), in float64."""
    sd2 = r.sigma_data ** 2
    shifted = sigma - r.sigma_min
    norm = torch.sqrt(sigma * sigma + sd2)
    return sd2 / (shifted * shifted + sd2), r.sigma_data * shifted / norm, 1 / norm, r.c_noise_scale * torch.log(sigma)


def denoise(net, x, sigma, r):
    """f(x, sigma) = c_skip x + c_out F(c_in x, c_noise), sigma float64 [B]."""
    skip, out, cin, cnoise = (v.to(x.dtype) for v in scalings(sigma, r))
    col = lambda v: v[:, None, None, None]
    return col(skip) * x + col(out) * net(col(cin) * x, cnoise)


def distance(pred, target, r):
    """The per-sample metric over all C*H*W values (ct.Metric.Distance)."""
    diff = (pred - target).flatten(1)
    if r.metric == "pseudo-huber":
        c = r.pseudo_huber_factor * math.sqrt(diff.shape[1])
        sq = (diff * diff).sum(1)
        return sq / (torch.sqrt(sq + c * c) + c)
    if r.metric == "squared-l2":
        return (diff * diff).sum(1)
    if r.metric == "l1":
        return diff.abs().sum(1)
    raise ValueError(f"metric {r.metric!r}")


def ema_decay_at(decay, k):
    """ct.EMADecayAt: the evaluation EMA's warm-up."""
    return min(decay, (1 + k) / (10 + k))


class Trainer:
    """The state of a training run: the student, its EMA, RAdam, step k."""

    def __init__(self, net, run, device="cpu", seed=None):
        r = run.recipe
        if r.teacher_ema_start > 0:
            raise ValueError("the mirror implements iCT's teacher (the student under stop-gradient); TeacherEMAStart > 0 is not mirrored")
        self.run, self.r, self.device = run, r, device
        self.net = net.to(device).train()
        self.ema = copy.deepcopy(self.net).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.opt = torch.optim.RAdam(self.net.parameters(), lr=r.lr, betas=(r.beta1, r.beta2), eps=r.adam_eps)
        self.gen = torch.Generator(device=device).manual_seed(run.seed if seed is None else seed)
        self.k = 0
        self._grid = (None, None)

    def _pairs(self, b, indices=None):
        """Draws b noise-index pairs from the grid of N(k), or takes the
        given indices (0-based, [b]): sigma_i, sigma_i+1, lambda."""
        n = grid_size(self.k, self.r)
        if self._grid[0] != n:
            s, probs, weights = noise_grid(n, self.r)
            f64 = lambda v: torch.tensor(v, dtype=torch.float64, device=self.device)
            self._grid = (n, (f64(s), f64(probs), f64(weights)))
        s, probs, weights = self._grid[1]
        if indices is None:
            i = torch.multinomial(probs, b, replacement=True, generator=self.gen)
        else:
            i = torch.as_tensor(indices, dtype=torch.int64, device=self.device)
            if i.shape != (b,) or int(i.min()) < 0 or int(i.max()) >= n - 1:
                raise ValueError(f"step {self.k}: noise indices {tuple(i.shape)} in [{int(i.min())}, {int(i.max())}] for a batch of {b} on a grid of {n}")
        return s[i], s[i + 1], weights[i]

    def _rng_state(self):
        return torch.cuda.get_rng_state(self.device) if self.device != "cpu" else torch.get_rng_state()

    def _set_rng_state(self, st):
        if self.device != "cpu":
            torch.cuda.set_rng_state(st, self.device)
        else:
            torch.set_rng_state(st)

    def _loss(self, x, sig_t, sig_s, lam, z=None):
        """The teacher f(x + sigma_i z, sigma_i) without gradient, the student
        f(x + sigma_i+1 z, sigma_i+1), both with one dropout mask (the
        global generator's state is replayed), and the weighted mean. z is
        drawn unless given."""
        if z is None:
            z = torch.randn(x.shape, generator=self.gen, device=self.device)
        col = lambda v: v.to(x.dtype)[:, None, None, None]
        dropout = self.run.net.dropout > 0
        if dropout:
            st = self._rng_state()
        with torch.no_grad():
            target = denoise(self.net, x + col(sig_t) * z, sig_t, self.r)
        if dropout:
            self._set_rng_state(st)
        pred = denoise(self.net, x + col(sig_s) * z, sig_s, self.r)
        return (lam.to(x.dtype) * distance(pred, target, self.r)).mean()

    def step(self, x, indices=None, noise=None):
        """One training step on the batch x [B, C, H, W]; returns the loss.
        indices ([B] noise indices) and noise (z, x's shape) replay another
        run's draws (mirror.py replay); PyTorch draws them when None."""
        b = x.shape[0]
        m = self.run.micro_batch if 0 < self.run.micro_batch < b else b
        sig_t, sig_s, lam = self._pairs(b, indices)
        self.opt.zero_grad(set_to_none=False)
        total = 0.0
        for f in range(0, b, m):
            sl = slice(f, f + m)
            z = None if noise is None else noise[sl]
            loss = self._loss(x[sl], sig_t[sl], sig_s[sl], lam[sl], z) * (m / b)
            loss.backward()
            total += loss.detach()
        if self.run.clip_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), self.run.clip_norm)
        t, w = self.k + 1, self.run.warmup_steps  # nn.AdamConfig.LearningRate of 1-based step t
        for g in self.opt.param_groups:
            g["lr"] = self.r.lr * t / w if 0 < w and t < w else self.r.lr
        self.opt.step()
        d = ema_decay_at(self.r.eval_ema_decay, self.k)
        with torch.no_grad():
            ema, cur = list(self.ema.parameters()), list(self.net.parameters())
            torch._foreach_mul_(ema, d)
            torch._foreach_add_(ema, cur, alpha=1 - d)
        self.k += 1
        return float(total)


@torch.no_grad()
def sample(net, r, n, steps, seed, shape, device="cpu", chunk=500):
    """n images by one- or two-step consistency sampling (sigma_max, then
    sigma_mid), as float32 [n, C, H, W] on the CPU. Every step's denoised
    images are clamped to [-1, 1] before re-noising, as ct.sampleStep and
    the consistency-models sampler do."""
    net.eval()
    sigmas = [r.sigma_max] if steps == 1 else [r.sigma_max, r.sigma_mid]
    gen = torch.Generator(device=device).manual_seed(seed)
    out = []
    for first in range(0, n, chunk):
        b = min(chunk, n - first)
        x = None
        for j, s in enumerate(sigmas):
            z = torch.randn((b,) + tuple(shape), generator=gen, device=device)
            x = s * z if j == 0 else x + math.sqrt(max(s * s - r.sigma_min ** 2, 0)) * z
            x = denoise(net, x, torch.full((b,), s, dtype=torch.float64, device=device), r).clamp(-1, 1)
        out.append(x.float().cpu())
    return torch.cat(out)

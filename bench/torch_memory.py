#!/usr/bin/python3
"""Peak memory of one iCT training step in PyTorch (CPU), for comparison
with `ict bench`'s "step tensors peak".

The network mirrors nn/unet/unet.go: Gaussian Fourier features of the
noise level, a two-layer SiLU MLP, DDPM++ residual blocks (GroupNorm, SiLU,
3x3 conv, per-channel embedding, GroupNorm, SiLU, dropout, zero-initialized
3x3 conv, 1x1 skip when the channels change, sum / sqrt 2), self-attention
at the chosen resolutions, stride-2 convolutions down, nearest upsampling
plus a 3x3 conv up, concatenated skips. One step is the iCT step of
ct/trainer.go: the teacher forward under no_grad, the student forward, the
pseudo-Huber loss weighted per sample, backward and RAdam.

Memory: the process's peak resident size (ru_maxrss) grows by what the step
needs beyond the model, its gradients and the optimizer state, which are
all allocated (and one step at batch 1 run, so that lazily initialized
library buffers are in place) before the baseline is read. The growth
slightly underestimates the step's need: the allocator may reuse what the
batch-1 step freed. Run with Debian's torch: /usr/bin/python3.

    /usr/bin/python3 bench/torch_memory.py --batch 64 --blocks 2 \\
        --base-channels 32 --channel-mults 1,2,2

It is a benchmark, not a test: nothing in the Go build depends on it.
"""

import argparse
import math
import resource
import time

import torch
import torch.nn as tnn
import torch.nn.functional as F


def fan_avg_uniform(t, scale=1.0):
    """NCSN++'s variance scaling (fan_avg, uniform), as unet.builder.uniform."""
    if t.dim() == 4:
        rf = t.shape[2] * t.shape[3]
    else:
        rf = 1
    fan_in, fan_out = t.shape[1] * rf, t.shape[0] * rf
    limit = math.sqrt(3 * scale / ((fan_in + fan_out) / 2))
    with torch.no_grad():
        t.uniform_(-limit, limit) if scale > 0 else t.zero_()


def conv(cin, cout, k, stride=1, pad=None, scale=1.0, bias=True):
    c = tnn.Conv2d(cin, cout, k, stride=stride, padding=k // 2 if pad is None else pad, bias=bias)
    fan_avg_uniform(c.weight, scale)
    if bias:
        tnn.init.zeros_(c.bias)
    return c


def linear(cin, cout):
    l = tnn.Linear(cin, cout)
    fan_avg_uniform(l.weight)
    tnn.init.zeros_(l.bias)
    return l


class ResBlock(tnn.Module):
    def __init__(self, cin, cout, emb, groups, dropout):
        super().__init__()
        self.n1 = tnn.GroupNorm(groups, cin, eps=1e-6)
        self.c1 = conv(cin, cout, 3)
        self.emb = linear(emb, cout)
        self.n2 = tnn.GroupNorm(groups, cout, eps=1e-6)
        self.c2 = conv(cout, cout, 3, scale=0)
        self.skip = conv(cin, cout, 1) if cin != cout else None
        self.dropout = dropout

    def forward(self, x, emb):
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = F.silu(self.n2(h))
        if self.dropout > 0:
            h = F.dropout(h, self.dropout, self.training)
        h = self.c2(h)
        s = x if self.skip is None else self.skip(x)
        return (h + s) / math.sqrt(2)


class AttnBlock(tnn.Module):
    def __init__(self, ch, groups, heads):
        super().__init__()
        self.n = tnn.GroupNorm(groups, ch, eps=1e-6)
        self.qkv = conv(ch, 3 * ch, 1, bias=False)
        self.out = conv(ch, ch, 1, scale=0, bias=False)
        self.heads = heads

    def forward(self, x):
        b, c, hh, ww = x.shape
        d, p = c // self.heads, hh * ww
        q, k, v = self.qkv(self.n(x)).chunk(3, dim=1)
        q, k, v = (t.reshape(b * self.heads, d, p) for t in (q, k, v))
        probs = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(d), dim=-1)  # [B*h, P, P]
        o = torch.bmm(v, probs.transpose(1, 2)).reshape(b, c, hh, ww)
        return (x + self.out(o)) / math.sqrt(2)


class UNet(tnn.Module):
    def __init__(self, img_ch, size, ch, mults, blocks, attn_res, heads, groups, dropout, fourier_scale):
        super().__init__()
        emb = 4 * ch
        self.register_buffer("freqs", torch.randn(ch) * fourier_scale)
        self.embed1, self.embed2 = linear(2 * ch, emb), linear(emb, emb)
        self.inp = conv(img_ch, ch, 3)
        skips, cur = [ch], ch
        self.down = tnn.ModuleList()
        for l, m in enumerate(mults):
            res = size >> l
            level = tnn.ModuleList()
            for _ in range(blocks):
                level.append(ResBlock(cur, ch * m, emb, groups, dropout))
                cur = ch * m
                level.append(AttnBlock(cur, groups, heads) if res in attn_res else tnn.Identity())
                skips.append(cur)
            if l < len(mults) - 1:
                level.append(conv(cur, cur, 3, stride=2))
                skips.append(cur)
            self.down.append(level)
        self.mid1 = ResBlock(cur, cur, emb, groups, dropout)
        self.mid_attn = AttnBlock(cur, groups, heads)
        self.mid2 = ResBlock(cur, cur, emb, groups, dropout)
        self.up = tnn.ModuleList()
        for l in reversed(range(len(mults))):
            res, out = size >> l, ch * mults[l]
            level = tnn.ModuleList()
            for _ in range(blocks + 1):
                level.append(ResBlock(cur + skips.pop(), out, emb, groups, dropout))
                cur = out
                level.append(AttnBlock(cur, groups, heads) if res in attn_res else tnn.Identity())
            if l > 0:
                level.append(conv(cur, cur, 3))
            self.up.append(level)
        self.out_norm = tnn.GroupNorm(groups, cur, eps=1e-6)
        self.out = conv(cur, img_ch, 3, scale=0)
        self.blocks = blocks

    def forward(self, x, c_noise):
        arg = 2 * math.pi * c_noise[:, None] * self.freqs[None, :]
        emb = torch.cat([torch.cos(arg), torch.sin(arg)], dim=1)
        emb = F.silu(self.embed2(F.silu(self.embed1(emb))))
        h = self.inp(x)
        skips = [h]
        for level in self.down:
            for i in range(self.blocks):
                h = level[2 * i + 1](level[2 * i](h, emb))
                skips.append(h)
            if len(level) > 2 * self.blocks:
                h = level[-1](h)
                skips.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        for level in self.up:
            for i in range(self.blocks + 1):
                h = level[2 * i + 1](level[2 * i](torch.cat([h, skips.pop()], dim=1), emb))
            if len(level) > 2 * (self.blocks + 1):
                h = level[-1](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.out(F.silu(self.out_norm(h)))


SIGMA_MIN, SIGMA_DATA = 0.002, 0.5


def denoise(net, x, sigma):
    """f(x, s) = c_skip x + c_out F(c_in x, c_noise) (iCT's parameterization)."""
    s = sigma[:, None, None, None]
    c_skip = SIGMA_DATA**2 / ((s - SIGMA_MIN) ** 2 + SIGMA_DATA**2)
    c_out = SIGMA_DATA * (s - SIGMA_MIN) / torch.sqrt(s**2 + SIGMA_DATA**2)
    c_in = 1 / torch.sqrt(s**2 + SIGMA_DATA**2)
    return c_skip * x + c_out * net(c_in * x, torch.log(sigma) / 4)


def step(net, opt, x, gen):
    b = x.shape[0]
    z = torch.randn(x.shape, generator=gen)
    sig_t = torch.exp(torch.randn(b, generator=gen) * 2 - 1.1).clamp(0.002, 79)
    sig_s = sig_t * 1.05
    lam = 1 / (sig_s - sig_t)
    with torch.no_grad():
        target = denoise(net, x + sig_t[:, None, None, None] * z, sig_t)
    pred = denoise(net, x + sig_s[:, None, None, None] * z, sig_s)
    c = 0.00054 * math.sqrt(x[0].numel())
    dist = torch.sqrt(((pred - target) ** 2).flatten(1).sum(1) + c * c) - c
    loss = (lam * dist).mean()
    opt.zero_grad(set_to_none=False)
    loss.backward()
    opt.step()
    return loss.item()


def maxrss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--image-size", type=int, default=32)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--base-channels", type=int, default=32)
    ap.add_argument("--channel-mults", default="1,2,2")
    ap.add_argument("--blocks", type=int, default=1)
    ap.add_argument("--attention", default="8", help="feature-map sizes with attention, comma-separated, or none")
    ap.add_argument("--heads", type=int, default=1)
    ap.add_argument("--groups", type=int, default=8)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    mults = [int(m) for m in a.channel_mults.split(",")]
    attn = [] if a.attention == "none" else [int(r) for r in a.attention.split(",")]
    net = UNet(a.channels, a.image_size, a.base_channels, mults, a.blocks, attn, a.heads, a.groups, a.dropout, 0.02)
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.RAdam(net.parameters(), lr=1e-4, betas=(0.9, 0.999))
    for p in net.parameters():
        p.grad = torch.zeros_like(p)
    gen = torch.Generator().manual_seed(2)
    shape = (a.channels, a.image_size, a.image_size)
    step(net, opt, torch.rand((1,) + shape, generator=gen) * 2 - 1, gen)  # allocates optimizer state, warms libraries
    x = torch.rand((a.batch,) + shape, generator=gen) * 2 - 1
    base = maxrss_bytes()
    t0 = time.time()
    step(net, opt, x, gen)
    secs = time.time() - t0
    peak = maxrss_bytes()
    grow = peak - base
    mib = lambda n: f"{n / 2**20:.1f} MiB"
    print(f"torch {torch.__version__}: {params} parameters, batch {a.batch} of {a.channels}x{a.image_size}x{a.image_size}, {a.threads} threads")
    print(f"step: {secs:.2f} s; peak resident growth {mib(grow)} ({mib(grow / a.batch)} per image); "
          f"process peak resident {mib(peak)} (before the step {mib(base)})")


if __name__ == "__main__":
    main()

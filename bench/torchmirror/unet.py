"""The U-Net of nn/unet/unet.go in PyTorch, parameter for parameter.

Every parameter carries ictvk's name and shape (UNet.ictvk_params, in the
order unet.build creates them), so the mirror can be checked tensor by
tensor against `ict model --json` and loaded with ictvk's own weights
(safetensors.load_into). The architecture: Gaussian Fourier (or positional) features of
c_noise, a two-layer SiLU MLP whose output every block reads through SiLU,
DDPM++ residual blocks (GroupNorm, SiLU, 3x3 conv, per-channel embedding,
GroupNorm, SiLU, dropout, zero-initialized 3x3 conv, 1x1 skip when the
channels change, sum / sqrt 2), multi-head self-attention at the chosen
resolutions and in the middle (q, k, v rows of one [3C, C] matrix, no
biases, NCSN++'s 0.1-scaled q, k, v and zero-initialized output),
stride-2 3x3 convolutions down, nearest upsampling plus a 3x3 conv up,
concatenated skips, GroupNorm eps 1e-6.
Initialization draws from the same distributions as unet.builder
(NCSN++'s fan-average uniform), not the same values.
"""

import math

import torch
import torch.nn as tnn
import torch.nn.functional as F


def fan_avg_uniform(shape, fan_in, fan_out, scale=1.0):
    """unet.builder.uniform: U(-l, l), l = sqrt(3 scale / fan_avg); scale 0 gives zeros."""
    limit = math.sqrt(3 * scale / ((fan_in + fan_out) / 2))
    return torch.empty(shape).uniform_(-limit, limit) if scale > 0 else torch.zeros(shape)


class Params:
    """Creates parameters on a module and records their ictvk names."""

    def __init__(self):
        self.named = []  # [(ictvk name, parameter)]

    def add(self, module, attr, name, value):
        p = tnn.Parameter(value)
        module.register_parameter(attr, p)
        self.named.append((name, p))
        return p


class Conv(tnn.Module):
    def __init__(self, ps, name, cin, cout, k, stride=1, pad=None, scale=1.0):
        super().__init__()
        rf = k * k
        ps.add(self, "w", name + ".w", fan_avg_uniform((cout, cin, k, k), cin * rf, cout * rf, scale))
        ps.add(self, "b", name + ".b", torch.zeros(cout))
        self.stride, self.pad = stride, k // 2 if pad is None else pad

    def forward(self, x):
        return F.conv2d(x, self.w, self.b, self.stride, self.pad)


class Linear(tnn.Module):
    def __init__(self, ps, name, cin, cout):
        super().__init__()
        ps.add(self, "w", name + ".w", fan_avg_uniform((cout, cin), cin, cout))
        ps.add(self, "b", name + ".b", torch.zeros(cout))

    def forward(self, x):
        return F.linear(x, self.w, self.b)


class Norm(tnn.Module):
    def __init__(self, ps, name, ch, groups):
        super().__init__()
        ps.add(self, "g", name + ".g", torch.ones(ch))
        ps.add(self, "b", name + ".b", torch.zeros(ch))
        self.groups = groups

    def forward(self, x):
        return F.group_norm(x, self.groups, self.g, self.b, 1e-6)


class ResBlock(tnn.Module):
    def __init__(self, ps, name, cin, cout, emb, groups, dropout):
        super().__init__()
        self.n1 = Norm(ps, name + ".norm1", cin, groups)
        self.c1 = Conv(ps, name + ".conv1", cin, cout, 3)
        self.emb = Linear(ps, name + ".embed", emb, cout)
        self.n2 = Norm(ps, name + ".norm2", cout, groups)
        self.c2 = Conv(ps, name + ".conv2", cout, cout, 3, scale=0)
        self.skip = Conv(ps, name + ".skip", cin, cout, 1) if cin != cout else None
        self.dropout = dropout

    def forward(self, x, emb):
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = F.silu(self.n2(h))
        if self.dropout > 0 and self.training:
            h = F.dropout(h, self.dropout, True)
        h = self.c2(h)
        s = x if self.skip is None else self.skip(x)
        return (h + s) * (1 / math.sqrt(2))


class AttnBlock(tnn.Module):
    def __init__(self, ps, name, ch, groups, heads):
        super().__init__()
        self.n = Norm(ps, name + ".norm", ch, groups)
        # unet.attnQKVScale: each of q, k, v as NCSN++'s C x C NIN layer, init scale 0.1.
        ps.add(self, "qkv", name + ".qkv", fan_avg_uniform((3 * ch, ch), ch, ch, 0.1))
        ps.add(self, "out", name + ".out", torch.zeros(ch, ch))
        self.heads = heads

    def forward(self, x):
        b, c, hh, ww = x.shape
        d, p = c // self.heads, hh * ww
        qkv = F.conv2d(self.n(x), self.qkv[:, :, None, None])
        q, k, v = (t.reshape(b * self.heads, d, p) for t in qkv.chunk(3, dim=1))
        probs = torch.softmax(torch.bmm(q.transpose(1, 2), k) * (1 / math.sqrt(d)), dim=-1)  # [B*heads, P, P]
        o = torch.bmm(v, probs.transpose(1, 2)).reshape(b, c, hh, ww)
        return (x + F.conv2d(o, self.out[:, :, None, None])) * (1 / math.sqrt(2))


class UNet(tnn.Module):
    """F(c_in x, c_noise) of unet.Net for a config.Net."""

    def __init__(self, cfg):
        super().__init__()
        ps = Params()
        ch, emb, groups, drop = cfg.base_channels, 4 * cfg.base_channels, cfg.groups, cfg.dropout
        self.embedding = cfg.embedding
        if cfg.embedding == "fourier":
            self.register_buffer("freqs", torch.randn(ch) * cfg.fourier_scale)
        elif cfg.embedding != "positional":
            raise ValueError(f"embedding {cfg.embedding!r}: want fourier or positional")
        self.half = ch
        self.embed1 = Linear(ps, "embed.0", 2 * ch, emb)
        self.embed2 = Linear(ps, "embed.1", emb, emb)
        self.inp = Conv(ps, "in", cfg.image_channels, ch, 3)
        attn_at = set(cfg.attention_resolutions)

        def attn(on, name, c):
            return AttnBlock(ps, name, c, groups, cfg.attention_heads) if on else None

        skips, cur = [ch], ch
        self.down = tnn.ModuleList()
        self.down_attn = []
        for l, m in enumerate(cfg.channel_mults):
            res = cfg.image_size >> l
            for i in range(cfg.blocks_per_level):
                name = f"down.{l}.{i}"
                self.down.append(ResBlock(ps, name, cur, ch * m, emb, groups, drop))
                cur = ch * m
                self.down.append(attn(res in attn_at, name + ".attn", cur) or tnn.Identity())
                skips.append(cur)
            if l < len(cfg.channel_mults) - 1:
                self.down.append(Conv(ps, f"down.{l}.resize", cur, cur, 3, stride=2))
                skips.append(cur)
        self.mid1 = ResBlock(ps, "mid.0", cur, cur, emb, groups, drop)
        self.mid_attn = AttnBlock(ps, "mid.attn", cur, groups, cfg.attention_heads)
        self.mid2 = ResBlock(ps, "mid.1", cur, cur, emb, groups, drop)
        self.up = tnn.ModuleList()
        for l in reversed(range(len(cfg.channel_mults))):
            res, out = cfg.image_size >> l, ch * cfg.channel_mults[l]
            for i in range(cfg.blocks_per_level + 1):
                name = f"up.{l}.{i}"
                self.up.append(ResBlock(ps, name, cur + skips.pop(), out, emb, groups, drop))
                cur = out
                self.up.append(attn(res in attn_at, name + ".attn", cur) or tnn.Identity())
            if l > 0:
                self.up.append(Conv(ps, f"up.{l}.resize", cur, cur, 3))
        self.out_norm = Norm(ps, "out.norm", cur, groups)
        self.out = Conv(ps, "out.conv", cur, cfg.image_channels, 3, scale=0)
        self.ictvk_params = ps.named

    def embed(self, c_noise):
        if self.embedding == "fourier":
            arg = 2 * math.pi * c_noise[:, None] * self.freqs[None, :]
        else:  # nn.PositionalEmbedding: f_i = (1/10000)^(i/half)
            f = torch.pow(10000.0, -torch.arange(self.half, dtype=c_noise.dtype, device=c_noise.device) / self.half)
            arg = c_noise[:, None] * f[None, :]
        return torch.cat([torch.cos(arg), torch.sin(arg)], dim=1)

    def forward(self, x, c_noise):
        emb = F.silu(self.embed2(F.silu(self.embed1(self.embed(c_noise)))))
        h = self.inp(x)
        skips = [h]
        mods = iter(self.down)
        for m in mods:
            if isinstance(m, ResBlock):
                h = next(mods)(m(h, emb))  # the block, then its attention (or Identity)
            else:
                h = m(h)  # stride-2 conv
            skips.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        mods = iter(self.up)
        for m in mods:
            if isinstance(m, ResBlock):
                h = next(mods)(m(torch.cat([h, skips.pop()], dim=1), emb))
            else:
                h = m(F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.out(F.silu(self.out_norm(h)))


def check_tensors(net, run):
    """Compares the mirror's parameters with the JSON's Tensors (names,
    shapes, order) and Parameters; returns a list of differences."""
    ours = [(n, tuple(p.shape)) for n, p in net.ictvk_params]
    diffs = []
    if run.tensors:
        theirs = list(run.tensors)
        for i in range(max(len(ours), len(theirs))):
            a = ours[i] if i < len(ours) else None
            b = theirs[i] if i < len(theirs) else None
            if a != b:
                diffs.append(f"tensor {i}: mirror {a}, ictvk {b}")
    count = sum(p.numel() for _, p in net.ictvk_params)
    if run.parameters >= 0 and count != run.parameters:
        diffs.append(f"{count} parameters in the mirror, {run.parameters} in ictvk")
    if count != sum(p.numel() for p in net.parameters()):
        diffs.append("the mirror has parameters without an ictvk name")
    return diffs

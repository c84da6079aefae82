#version 450
// GroupNorm forward, one workgroup per (sample, group): the group's
// cpg*hw values are contiguous in NCHW. A pilot m1, the mean of the first
// values the lanes load (up to 4 per lane, in the group's first channel),
// then one pass that sums x - m1 and its square, which give the correction
// delta of the mean and the (biased, as PyTorch) variance. Centred on a
// value of the group, the sums avoid the cancellation of E[x^2] - E[x]^2
// for groups far from zero, as a first pass for the exact mean did (one
// sweep of x fewer: GroupNorm's forward at the 1.6 M network's 32x32
// layers took about 35% less CPU). The mean is kept as the pair
// m1 + delta and applied as (x - m1) - delta: m1's float32 rounding alone
// would shift every xhat of a group far from zero. A second pass writes
// y = xhat * gamma[c] + beta[c]; stats keeps (m1, delta, rstd) for the
// backward pass.
// VEC = 4 (spec constant 1): every pass in vec4s; H*W a multiple of 4
// (see common.glsl).
// With SILU = 1 (spec constant 2) the third pass writes SiLU(y) instead:
// GroupNorm then SiLU in one sweep (nn.GroupNormSiLU).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
layout(constant_id = 2) const uint SILU = 0;
// With SHIFT = 1 (spec constant 3) the input is x + shift[b, c], a value
// per (sample, channel) added on the way (nn.AddChannelGroupNormSiLU: a
// DDPM++ block's noise embedding), and the first two passes go channel by
// channel; the sum x + shift rounds as AddChannel's would.
layout(constant_id = 3) const uint SHIFT = 0;
#include "rowreduce.glsl"
// x is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, binding = 3) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, binding = 4) writeonly buffer Stats { float stats[]; }; // [count, 3]
layout(std430, binding = 5) readonly buffer Shift { float shift[]; };   // [B, C], read when SHIFT = 1
// count = batch * groups, hw = H*W, cpg = channels per group.
layout(push_constant) uniform Push { uint count; uint hw; uint cpg; uint groups; float eps; } pc;

void main() {
  uint bg = workgroupIndex();
  if (bg >= pc.count) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint m = pc.cpg * pc.hw;
  uint base = bg * m;

  // The pilot: each lane's first load of the sweep below (its first
  // vec4, or float), in the first channel.
  uint pilots = min(VEC == 4u ? pc.hw / 4u : pc.hw, local);
  float first = 0.0;
  if (t < pilots) {
    if (VEC == 4u) {
      vec4 v = texelFetch(X, int(base / 4u + t));
      first = (v.x + v.y) + (v.z + v.w);
    } else {
      first = texelFloat(X, base + t);
    }
  }
  float m1 = workgroupSum(first) / float(pilots * VEC);
  if (SHIFT == 1u) m1 += shift[bg * pc.cpg];

  vec2 d = vec2(0.0);
  if (SHIFT == 1u) {
    for (uint k = 0u; k < pc.cpg; k++) {
      uint off = base + k * pc.hw;
      float sh = shift[bg * pc.cpg + k];
      if (VEC == 4u) {
        vec4 d1 = vec4(0.0), d2 = vec4(0.0);
        for (uint p = t; p < pc.hw / 4u; p += local) {
          vec4 v = (texelFetch(X, int(off / 4u + p)) + sh) - m1;
          d1 += v;
          d2 += v * v;
        }
        d += vec2((d1.x + d1.y) + (d1.z + d1.w), (d2.x + d2.y) + (d2.z + d2.w));
      } else {
        for (uint p = t; p < pc.hw; p += local) {
          float v = (texelFloat(X, off + p) + sh) - m1;
          d += vec2(v, v * v);
        }
      }
    }
  } else if (VEC == 4u) {
    vec4 d1 = vec4(0.0), d2 = vec4(0.0);
    for (uint j = t; j < m / 4u; j += local) {
      vec4 v = texelFetch(X, int(base / 4u + j)) - m1;
      d1 += v;
      d2 += v * v;
    }
    d = vec2((d1.x + d1.y) + (d1.z + d1.w), (d2.x + d2.y) + (d2.z + d2.w));
  } else {
    for (uint j = t; j < m; j += local) {
      float v = texelFloat(X, base + j) - m1;
      d += vec2(v, v * v);
    }
  }
  d = workgroupSum2(d);
  float delta = d.x / float(m);
  float variance = max((d.y - d.x * delta) / float(m), 0.0);
  float rstd = 1.0 / sqrt(variance + pc.eps);
  if (t == 0u) {
    stats[3u * bg] = m1;
    stats[3u * bg + 1u] = delta;
    stats[3u * bg + 2u] = rstd;
  }

  uint c0 = (bg % pc.groups) * pc.cpg;
  for (uint k = 0u; k < pc.cpg; k++) {
    uint off = base + k * pc.hw;
    float a = rstd * gamma[c0 + k], b = beta[c0 + k];
    float sh = SHIFT == 1u ? shift[bg * pc.cpg + k] : 0.0;
    if (VEC == 4u) {
      for (uint p = t; p < pc.hw / 4u; p += local) {
        vec4 xv = texelFetch(X, int(off / 4u + p));
        if (SHIFT == 1u) xv += sh;
        vec4 v = ((xv - m1) - delta) * a + b;
        if (SILU == 1u) v /= 1.0 + exp(-v);
        y4[off / 4u + p] = v;
      }
    } else {
      for (uint p = t; p < pc.hw; p += local) {
        float xv = texelFloat(X, off + p);
        if (SHIFT == 1u) xv += sh;
        float v = ((xv - m1) - delta) * a + b;
        if (SILU == 1u) v /= 1.0 + exp(-v);
        y[off + p] = v;
      }
    }
  }
}

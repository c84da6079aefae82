#version 450
// GroupNorm backward, one workgroup per (sample, group). With
// xhat = ((x - m1) - delta) * rstd as in the forward pass and d = gy * gamma:
//   gx = rstd * (d - mean(d) - xhat * mean(d * xhat))   over the group,
// and the per-(sample, channel) sums of gy and gy*xhat go to partial
// buffers that groupnorm_param_backward reduces over the batch (no atomics,
// so the parameter gradients are reproducible).
// mode: 0 leaves gx alone (x needs no gradient), 1 writes it, 2 adds to it.
// VEC = 4 (spec constant 1): every sweep in vec4s; H*W a multiple of 4
// (see common.glsl).
// With SILU = 1 (spec constant 2) the output was SiLU(GroupNorm(x)): gy is
// first taken through SiLU, whose input y = xhat * gamma + beta both
// sweeps compute again from x (nn.GroupNormSiLU keeps neither y nor the
// output, and needs no forward GroupNorm in its backward pass).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
layout(constant_id = 2) const uint SILU = 0;
// With SHIFT = 1 (spec constant 3) the forward input was x + shift[b, c]
// (see groupnorm.comp): x reads with the shift added, and shift's
// gradient, the sum over positions of the input's, goes to gshift
// (shiftMode: 0 none, 1 write, 2 add), summed per channel in the second
// sweep.
layout(constant_id = 3) const uint SHIFT = 0;
#include "rowreduce.glsl"
// x and gy are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Stats { float stats[]; }; // (m1, delta, rstd) from the forward pass
layout(binding = 3) uniform textureBuffer GY;
layout(std430, binding = 4) buffer GX { float gx[]; };
layout(std430, binding = 4) buffer GX4 { vec4 gx4[]; };
layout(std430, binding = 5) writeonly buffer SumGY { float sumGY[]; };         // [B, C]
layout(std430, binding = 6) writeonly buffer SumGYXhat { float sumGYXhat[]; }; // [B, C]
layout(std430, binding = 7) readonly buffer Beta { float beta[]; };             // read when SILU = 1
layout(std430, binding = 8) readonly buffer Shift { float shift[]; };           // [B, C], read when SHIFT = 1
layout(std430, binding = 9) buffer GShift { float gshift[]; };                 // [B, C]
layout(push_constant) uniform Push { uint count; uint hw; uint cpg; uint groups; uint mode; uint shiftMode; } pc;

// siluGrad takes gy through SiLU at y = centered * a + b (centered =
// (x - m1) - delta, a = rstd * gamma: groupnorm's y bit for bit) when SILU
// is 1: gy * s * (1 + y * (1 - s)) with s = sigmoid(y), as silu_backward.
vec4 siluGrad(vec4 g, vec4 centered, float a, float b) {
  if (SILU == 0u) return g;
  vec4 y = centered * a + b;
  vec4 s = 1.0 / (1.0 + exp(-y));
  return g * s * (1.0 + y * (1.0 - s));
}

float siluGrad(float g, float centered, float a, float b) {
  if (SILU == 0u) return g;
  float y = centered * a + b;
  float s = 1.0 / (1.0 + exp(-y));
  return g * s * (1.0 + y * (1.0 - s));
}

void main() {
  uint bg = workgroupIndex();
  if (bg >= pc.count) return;
  uint t = gl_LocalInvocationID.x;
  uint local = gl_WorkGroupSize.x;
  uint m = pc.cpg * pc.hw;
  uint base = bg * m;
  float mean = stats[3u * bg], delta = stats[3u * bg + 1u], rstd = stats[3u * bg + 2u];
  uint c0 = (bg % pc.groups) * pc.cpg;

  // Per channel: sum gy and sum gy*xhat over positions; the group's sums
  // of d and d*xhat follow by weighting with gamma.
  float sumD = 0.0, sumDX = 0.0;
  for (uint k = 0u; k < pc.cpg; k++) {
    uint off = base + k * pc.hw;
    float w = gamma[c0 + k], b = SILU == 1u ? beta[c0 + k] : 0.0;
    float sh = SHIFT == 1u ? shift[bg * pc.cpg + k] : 0.0;
    vec2 s = vec2(0.0);
    if (VEC == 4u) {
      vec4 s1 = vec4(0.0), s2 = vec4(0.0);
      for (uint p = t; p < pc.hw / 4u; p += local) {
        vec4 xv = texelFetch(X, int(off / 4u + p));
        if (SHIFT == 1u) xv += sh;
        vec4 centered = (xv - mean) - delta;
        vec4 g = siluGrad(texelFetch(GY, int(off / 4u + p)), centered, rstd * w, b);
        s1 += g;
        s2 += g * centered * rstd;
      }
      s = vec2((s1.x + s1.y) + (s1.z + s1.w), (s2.x + s2.y) + (s2.z + s2.w));
    } else {
      for (uint p = t; p < pc.hw; p += local) {
        float xv = texelFloat(X, off + p);
        if (SHIFT == 1u) xv += sh;
        float centered = (xv - mean) - delta;
        float g = siluGrad(texelFloat(GY, off + p), centered, rstd * w, b);
        s += vec2(g, g * centered * rstd);
      }
    }
    s = workgroupSum2(s);
    if (t == 0u) {
      sumGY[bg * pc.cpg + k] = s.x;
      sumGYXhat[bg * pc.cpg + k] = s.y;
    }
    sumD += w * s.x;
    sumDX += w * s.y;
  }
  if (pc.mode == 0u && (SHIFT == 0u || pc.shiftMode == 0u)) return;

  // The old gx is loaded inside an if (lavapipe skips a load's lanes that
  // no invocation runs, not one a select discards).
  float meanD = sumD / float(m), meanDX = sumDX / float(m);
  for (uint k = 0u; k < pc.cpg; k++) {
    uint off = base + k * pc.hw;
    float w = gamma[c0 + k], b = SILU == 1u ? beta[c0 + k] : 0.0;
    float sh = SHIFT == 1u ? shift[bg * pc.cpg + k] : 0.0;
    float gs = 0.0; // the channel's sum of the input's gradient (SHIFT = 1)
    if (VEC == 4u) {
      vec4 gs4 = vec4(0.0);
      for (uint p = t; p < pc.hw / 4u; p += local) {
        uint i = off / 4u + p;
        vec4 xv = texelFetch(X, int(i));
        if (SHIFT == 1u) xv += sh;
        vec4 centered = (xv - mean) - delta;
        vec4 xhat = centered * rstd;
        vec4 g = rstd * (siluGrad(texelFetch(GY, int(i)), centered, rstd * w, b) * w - meanD - xhat * meanDX);
        if (SHIFT == 1u) gs4 += g;
        if (pc.mode != 0u) {
          if (pc.mode == 2u) g += gx4[i];
          gx4[i] = g;
        }
      }
      gs = (gs4.x + gs4.y) + (gs4.z + gs4.w);
    } else {
      for (uint p = t; p < pc.hw; p += local) {
        float xv = texelFloat(X, off + p);
        if (SHIFT == 1u) xv += sh;
        float centered = (xv - mean) - delta;
        float xhat = centered * rstd;
        float g = rstd * (siluGrad(texelFloat(GY, off + p), centered, rstd * w, b) * w - meanD - xhat * meanDX);
        if (SHIFT == 1u) gs += g;
        if (pc.mode != 0u) {
          if (pc.mode == 2u) g += gx[off + p];
          gx[off + p] = g;
        }
      }
    }
    if (SHIFT == 1u && pc.shiftMode != 0u) {
      gs = workgroupSum(gs);
      if (t == 0u) {
        uint j = bg * pc.cpg + k;
        if (pc.shiftMode == 2u) gs += gshift[j];
        gshift[j] = gs;
      }
    }
  }
}

#version 450
// GroupNorm backward, one workgroup per (sample, group). With
// xhat = ((x - m1) - delta) * rstd as in the forward pass and d = gy * gamma:
//   gx = rstd * (d - mean(d) - xhat * mean(d * xhat))   over the group,
// and the per-(sample, channel) sums of gy and gy*xhat go to partial
// buffers that groupnorm_param_backward reduces over the batch (no atomics,
// so the parameter gradients are reproducible).
// mode: 0 leaves gx alone (x needs no gradient), 1 writes it, 2 adds to it.
// With VEC = 4 (spec constant 1; H*W a multiple of 4) every sweep loads
// and stores vec4s: lavapipe loads and stores per lane and element, and a
// vec4 costs about 2.3 floats' worth.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
#include "rowreduce.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Stats { float stats[]; }; // (m1, delta, rstd) from the forward pass
layout(std430, binding = 3) readonly buffer GY { float gy[]; };
layout(std430, binding = 3) readonly buffer GY4 { vec4 gy4[]; };
layout(std430, binding = 4) buffer GX { float gx[]; };
layout(std430, binding = 4) buffer GX4 { vec4 gx4[]; };
layout(std430, binding = 5) writeonly buffer SumGY { float sumGY[]; };         // [B, C]
layout(std430, binding = 6) writeonly buffer SumGYXhat { float sumGYXhat[]; }; // [B, C]
layout(push_constant) uniform Push { uint count; uint hw; uint cpg; uint groups; uint mode; } pc;

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
    vec2 s = vec2(0.0);
    if (VEC == 4u) {
      vec4 s1 = vec4(0.0), s2 = vec4(0.0);
      for (uint p = t; p < pc.hw / 4u; p += local) {
        vec4 g = gy4[off / 4u + p];
        s1 += g;
        s2 += g * ((x4[off / 4u + p] - mean) - delta) * rstd;
      }
      s = vec2((s1.x + s1.y) + (s1.z + s1.w), (s2.x + s2.y) + (s2.z + s2.w));
    } else {
      for (uint p = t; p < pc.hw; p += local) {
        float g = gy[off + p];
        s += vec2(g, g * ((x[off + p] - mean) - delta) * rstd);
      }
    }
    s = workgroupSum2(s);
    if (t == 0u) {
      sumGY[bg * pc.cpg + k] = s.x;
      sumGYXhat[bg * pc.cpg + k] = s.y;
    }
    float w = gamma[c0 + k];
    sumD += w * s.x;
    sumDX += w * s.y;
  }
  if (pc.mode == 0u) return;

  // The old gx is loaded inside an if (lavapipe skips a load's lanes that
  // no invocation runs, not one a select discards).
  float meanD = sumD / float(m), meanDX = sumDX / float(m);
  for (uint k = 0u; k < pc.cpg; k++) {
    uint off = base + k * pc.hw;
    float w = gamma[c0 + k];
    if (VEC == 4u) {
      for (uint p = t; p < pc.hw / 4u; p += local) {
        uint i = off / 4u + p;
        vec4 xhat = ((x4[i] - mean) - delta) * rstd;
        vec4 g = rstd * (gy4[i] * w - meanD - xhat * meanDX);
        if (pc.mode == 2u) g += gx4[i];
        gx4[i] = g;
      }
    } else {
      for (uint p = t; p < pc.hw; p += local) {
        float xhat = ((x[off + p] - mean) - delta) * rstd;
        float g = rstd * (gy[off + p] * w - meanD - xhat * meanDX);
        if (pc.mode == 2u) g += gx[off + p];
        gx[off + p] = g;
      }
    }
  }
}

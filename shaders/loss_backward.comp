#version 450
#include "common.glsl"
// Gradient of an iCT loss (see loss.comp) with respect to the student s,
// or, with negate 1, the teacher t:
//   g_i = +-gy invBatch lam_b f'(d_b) dd_b/ds_i
// kind 0: (s_i - t_i) / sqrt(d_b + c^2); kind 1: 2 (s_i - t_i);
// kind 2: sign(s_i - t_i). Adds into g when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer S { float s[]; };
layout(std430, binding = 1) readonly buffer T { float t[]; };
layout(std430, binding = 2) readonly buffer Lam { float lam[]; };
layout(std430, binding = 3) readonly buffer D { float d[]; };
layout(std430, binding = 4) readonly buffer GY { float gy[]; };
layout(std430, binding = 5) buffer G { float g[]; };
layout(push_constant) uniform Push {
  uint n; uint per; uint kind; float c; float invBatch; uint negate; uint accumulate;
} pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  uint b = i / pc.per;
  float diff = s[i] - t[i];
  float k;
  if (pc.kind == 0u) {
    k = diff / sqrt(d[b] + pc.c * pc.c);
  } else if (pc.kind == 1u) {
    k = 2.0 * diff;
  } else {
    k = sign(diff);
  }
  float v = gy[0] * pc.invBatch * lam[b] * k;
  if (pc.negate != 0u) v = -v;
  g[i] = pc.accumulate != 0u ? g[i] + v : v;
}

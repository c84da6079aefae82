#version 450
#include "common.glsl"
// Gradient of an iCT loss (see loss.comp) with respect to the weights:
// glam_b = gy invBatch f(d_b). Adds into glam when accumulate is 1.
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer D { float d[]; };
layout(std430, binding = 1) readonly buffer GY { float gy[]; };
layout(std430, binding = 2) buffer GLam { float glam[]; };
layout(push_constant) uniform Push { uint batch; uint kind; float c; float invBatch; uint accumulate; } pc;

void main() {
  uint b = elementIndex();
  if (b >= pc.batch) return;
  float v = d[b];
  if (pc.kind == 0u) v = v / (sqrt(v + pc.c * pc.c) + pc.c);
  v *= gy[0] * pc.invBatch;
  glam[b] = pc.accumulate != 0u ? glam[b] + v : v;
}

#version 450
#include "common.glsl"
// Joins a [B,Ca,...] and b [B,Cb,...] along the channel axis: every sample
// of y is a's sample (na elements) followed by b's (nb elements).
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; uint na; uint nb; } pc;

void main() {
  uint i = elementIndex();
  if (i >= pc.n) return;
  uint per = pc.na + pc.nb;
  uint s = i / per;
  uint r = i % per;
  y[i] = r < pc.na ? a[s * pc.na + r] : b[s * pc.nb + (r - pc.na)];
}

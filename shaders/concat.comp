#version 450
#include "common.glsl"
// Joins a [B,Ca,...] and b [B,Cb,...] along the channel axis: every sample
// of y is a's sample (na elements) followed by b's (nb elements).
// VEC = 4 (spec constant 1): vec4s; na, nb multiples of 4 (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// Inputs are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer A;
layout(binding = 1) uniform textureBuffer B;
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Y4 { vec4 y4[]; };
layout(push_constant) uniform Push { uint n; uint na; uint nb; } pc;

void main() {
  uint i = elementIndex();
  uint per = pc.na + pc.nb;
  if (VEC == 4u) {
    if (i >= pc.n / 4u) return;
    uint s = 4u * i / per;
    uint r = 4u * i - s * per;
    // An if, not a select: lavapipe then skips the loads of the lanes
    // that read the other tensor.
    vec4 v;
    if (r < pc.na) {
      v = texelFetch(A, int((s * pc.na + r) / 4u));
    } else {
      v = texelFetch(B, int((s * pc.nb + r - pc.na) / 4u));
    }
    y4[i] = v;
  } else {
    if (i >= pc.n) return;
    uint s = i / per;
    uint r = i % per;
    y[i] = r < pc.na ? texelFloat(A, s * pc.na + r) : texelFloat(B, s * pc.nb + (r - pc.na));
  }
}

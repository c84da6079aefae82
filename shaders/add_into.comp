#version 450
#include "common.glsl"
// a += b over n elements: gradient accumulation.
// VEC = 4 (spec constant 1): vec4s; n a multiple of 4 (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
layout(std430, binding = 0) buffer A { float a[]; };
layout(std430, binding = 0) buffer A4 { vec4 a4[]; };
// b is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 1) uniform textureBuffer B;
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i < pc.n / 4u) a4[i] += texelFetch(B, int(i));
  } else if (i < pc.n) {
    a[i] += texelFloat(B, i);
  }
}

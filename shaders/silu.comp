#version 450
#include "common.glsl"
// y = x * sigmoid(x).
// VEC = 4 (spec constant 1): vec4s; n a multiple of 4 (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// x is read as a texel buffer of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) writeonly buffer Y4 { vec4 y4[]; };
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i < pc.n / 4u) {
      vec4 v = texelFetch(X, int(i));
      y4[i] = v / (1.0 + exp(-v));
    }
  } else if (i < pc.n) {
    float v = texelFloat(X, i);
    y[i] = v / (1.0 + exp(-v));
  }
}

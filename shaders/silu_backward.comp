#version 450
#include "common.glsl"
// gx = gy * s (1 + x (1 - s)) with s = sigmoid(x); accumulates into gx
// when pc.accumulate is 1 (inside an if: lavapipe skips a load's lanes
// that no invocation runs, not one a select discards).
// VEC = 4 (spec constant 1): vec4s; n a multiple of 4 (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// Inputs are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer X;
layout(binding = 1) uniform textureBuffer GY;
layout(std430, binding = 2) buffer GX { float gx[]; };
layout(std430, binding = 2) buffer GX4 { vec4 gx4[]; };
layout(push_constant) uniform Push { uint n; uint accumulate; } pc;

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i < pc.n / 4u) {
      vec4 v = texelFetch(X, int(i));
      vec4 s = 1.0 / (1.0 + exp(-v));
      vec4 g = texelFetch(GY, int(i)) * s * (1.0 + v * (1.0 - s));
      if (pc.accumulate != 0u) g += gx4[i];
      gx4[i] = g;
    }
  } else if (i < pc.n) {
    float v = texelFloat(X, i);
    float s = 1.0 / (1.0 + exp(-v));
    float g = texelFloat(GY, i) * s * (1.0 + v * (1.0 - s));
    if (pc.accumulate != 0u) g += gx[i];
    gx[i] = g;
  }
}

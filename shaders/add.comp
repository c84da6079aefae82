#version 450
#include "common.glsl"
// c = (a + b) * scale, elementwise over n elements (scale 1: the add op;
// a residual's 1/sqrt(2) otherwise).
// VEC = 4 (spec constant 1): vec4s; n a multiple of 4 (see common.glsl).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint VEC = 1;
// Inputs are read as texel buffers of vec4s (see texel.glsl).
#include "texel.glsl"
layout(binding = 0) uniform textureBuffer A;
layout(binding = 1) uniform textureBuffer B;
layout(std430, binding = 2) writeonly buffer C { float c[]; };
layout(std430, binding = 2) writeonly buffer C4 { vec4 c4[]; };
layout(push_constant) uniform Push { uint n; float scale; } pc;

void main() {
  uint i = elementIndex();
  if (VEC == 4u) {
    if (i < pc.n / 4u) c4[i] = (texelFetch(A, int(i)) + texelFetch(B, int(i))) * pc.scale;
  } else if (i < pc.n) {
    c[i] = (texelFloat(A, i) + texelFloat(B, i)) * pc.scale;
  }
}
